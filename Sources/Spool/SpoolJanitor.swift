import Foundation
import Glibc
import SystemCalls

/// Clears what crashed writers leave in the drop boxes, as Postfix's queue manager does with
/// stale `maildrop` files.
///
/// - `tmp/`: files older than the grace period are removed (a writer that crashed before its
///   rename; nothing was queued).
/// - `incoming/<job>.d/`: an image folder older than the grace period with no job of that id
///   queued, claimed or held is removed (a `frs submit` that failed before writing its job).
/// - `incoming/`: anything else that is not a request (not `*.json`, `*.approval` or such a
///   folder) and older than the grace period is moved to `failed/` with a `.reason` file, never
///   silently deleted (under `longname-<inode>` when its own name leaves no room for `.reason`).
///
/// An entry the janitor cannot remove or move (another account's, a name in the way in
/// `failed/`) is reported in ``Report/skipped`` and the sweep goes on to the next: no single
/// entry holds up the others.
public struct SpoolJanitor: Sendable {
    public let layout: SpoolLayout
    /// Seconds a file may sit before it counts as abandoned.
    public var gracePeriod: Int64

    public init(layout: SpoolLayout, gracePeriod: Int64 = 24 * 3600) {
        self.layout = layout
        self.gracePeriod = gracePeriod
    }

    /// What a sweep did.
    public struct Report: Sendable, Equatable {
        public var removedTemporaries: [String] = []
        public var removedImageFolders: [String] = []
        public var quarantined: [String] = []
        /// Entries left where they are, each with what stopped the janitor.
        public var skipped: [Skipped] = []

        public init() {}
    }

    /// An entry the janitor could not clear.
    public struct Skipped: Sendable, Equatable, CustomStringConvertible {
        public var name: String
        public var reason: String
        public var description: String { "\(name): \(reason)" }
    }

    /// Longest entry name quarantined under its own name (with `.reason` it must fit in NAME_MAX).
    static let longestQuarantinedName = 200

    /// Sweeps the drop boxes once.
    /// - Throws: ``SystemCallError`` when a directory cannot be listed; an entry that cannot be
    ///   cleared is reported (``Report/skipped``), not thrown.
    @discardableResult
    public func sweep(now: Date = Date()) throws -> Report {
        let cutoff = Int64(now.timeIntervalSince1970) - gracePeriod
        func stale(_ status: FileStatus?) -> FileStatus? {
            guard let status, status.modificationTime < cutoff else { return nil }
            return status
        }
        var report = Report()
        for name in try Directory.entries(layout.tmp) {
            let path = layout.tmp + "/" + name
            guard let status = stale(try? FileStatus.of(path)), !status.isDirectory else { continue }
            do {
                try DurableFile.remove(path)
                report.removedTemporaries.append(name)
            } catch {
                report.skipped.append(Skipped(name: "tmp/" + name, reason: "\(error)"))
            }
        }
        let incoming = try DirectoryDescriptor.open(layout.incoming)
        defer { incoming.close() }
        for name in try incoming.entries() where ClaimedJob.kind(of: name) == nil {
            let path = layout.incoming + "/" + name
            guard let status = stale(try? incoming.status(of: name)) else { continue }
            if name.hasSuffix(".d"), status.isDirectory {
                let job = String(name.dropLast(2))
                let queued = [layout.incoming, layout.active, layout.held].contains {
                    FileStatus.exists(layout.jobFile(job, in: $0))
                }
                guard !queued else { continue }
                // Descriptor-relative: the folder's owner may swap it for a symlink at any moment.
                guard let folder = try? incoming.openDirectory(name) else { continue }
                folder.removeContents()
                folder.close()
                if (try? incoming.removeDirectory(name)) != nil { report.removedImageFolders.append(name) }
                continue
            }
            let long = name.utf8.count > Self.longestQuarantinedName
            let target = layout.failed + "/" + (long ? "longname-\(status.inode)" : name)
            guard !FileStatus.exists(target) else {
                report.skipped.append(Skipped(name: name, reason: "failed/ already holds an entry of that name"))
                continue
            }
            var reason = "not a request: only <job>.json and <name>.approval files belong in incoming/\n"
            if long { reason += "its name was \(name.utf8.count) bytes long: \(name.debugDescription)\n" }
            do {
                try DurableFile.write(Array(reason.utf8), to: target + ".reason", via: layout.tmp)
                do {
                    try DurableFile.renameNoReplace(path, to: target)
                } catch {
                    try? DurableFile.remove(target + ".reason")
                    throw error
                }
                report.quarantined.append(name)
            } catch {
                report.skipped.append(Skipped(name: name, reason: "\(error)"))
            }
        }
        return report
    }
}
