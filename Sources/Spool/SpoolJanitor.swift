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
///   silently deleted.
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
    }

    /// Sweeps the drop boxes once.
    /// - Throws: ``SystemCallError`` when a directory cannot be listed.
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
            try DurableFile.remove(path)
            report.removedTemporaries.append(name)
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
            let target = layout.failed + "/" + name
            guard !FileStatus.exists(target) else { continue }
            let reason = "not a request: only <job>.json and <name>.approval files belong in incoming/\n"
            try DurableFile.write(Array(reason.utf8), to: target + ".reason", via: layout.tmp)
            try DurableFile.renameNoReplace(path, to: target)
            report.quarantined.append(name)
        }
        return report
    }
}
