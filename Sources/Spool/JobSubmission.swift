import Foundation
import Glibc
import Policy
import SystemCalls

/// What `frs submit` does: hand probe images to the evidence store and drop a job file.
///
/// The submitter usually runs under their own account and cannot write the evidence store
/// (mode 0700, the daemon's). Then the images go beside the job in the drop box, in
/// `incoming/<job>.d/`, and the daemon takes them in when it claims the job. The job's probe
/// paths are `<job>/<image name>` either way. The job file is written in `tmp/`, synced and
/// renamed into `incoming/` last, so a daemon never sees a job whose images are incomplete.
/// Job files and dropped images are mode 0600 and the drop folder 0700, each with one ACL entry
/// for the daemon's account (``SystemCalls/AccessControl``): it reads them and empties the folder,
/// and no other account can, even knowing the job id. On a filesystem without ACLs they fall back
/// to 0644 and 0777 in the unlistable drop box, under unguessable names.
public struct JobSubmission: Sendable {
    public let layout: SpoolLayout

    public init(layout: SpoolLayout) { self.layout = layout }

    /// Submits a job.
    ///
    /// The job file is `request` with its probes set to the images handed over, written by the
    /// encoder of the job file the daemon parses (``Policy/JobRequest/jobFileBytes()``).
    ///
    /// - Parameters:
    ///   - request: the job's fields; its `probes` and `probe_dir` are replaced by the images handed over.
    ///   - images: paths of the probe images (read with the submitter's rights).
    ///   - now: the time, for the job id.
    /// - Returns: the job id.
    /// - Throws: ``SubmissionError`` for an unreadable image, ``SystemCallError`` for spool I/O.
    /// - Parameter probeDirectory: a folder whose images (its plain, not hidden files) are handed
    ///   over with `images` for a bulk job: they go into the job's own folder, which the job names as
    ///   its `probe_dir` (`"probe_dir": "<job>"`), each one searched and recorded in the `.jsonl`.
    public func submit(_ request: JobRequest, images: [String], probeDirectory: String? = nil, now: Date = Date()) throws -> String {
        let id = Self.makeJobID(now: now)
        let sources = try Self.probeFiles(images: images, probeDirectory: probeDirectory)
        var names: [String] = []
        var used = Set<String>()
        for image in sources {
            var name = Self.safeName(DurableFile.baseName(image))
            if used.contains(name) { name = "\(names.count + 1)-\(name)" }
            used.insert(name)
            names.append(name)
        }

        // Only the daemon's account (the evidence store's owner) hands images in directly; everyone
        // else, root included, goes through the drop box, so the evidence stays the daemon's.
        let direct = (try? FileStatus.of(layout.evidence).owner) == UInt32(geteuid()) && FileStatus.isAccessible(layout.evidence, W_OK | X_OK)
        let folder = direct ? layout.evidence(for: id) : layout.dropFolder(for: id)
        // Through the drop box, what is dropped is the submitter's and the daemon's only: 0600 (0700
        // for the folder) plus an ACL entry for the daemon's account (the spool's owner). Without ACLs
        // on the filesystem, the folder falls back to 0777 and the files to 0644 (ids are unguessable
        // and the drop box cannot be listed).
        let daemon = try FileStatus.of(layout.root).owner
        let private_ = !direct && daemon != UInt32(geteuid())
        try Directory.create(folder, mode: direct || private_ ? 0o700 : 0o777)
        if private_ {
            try AccessControl.grantOrOpen(folder, to: daemon, permissions: AccessControl.readWriteSearch, ownerPermissions: 7,
                                          fallbackMode: 0o777)
        }
        func handOver(_ path: String) throws {
            guard private_ else { return }
            try AccessControl.grantOrOpen(path, to: daemon, permissions: AccessControl.read, ownerPermissions: 6,
                                          fallbackMode: 0o644)
        }
        if direct {
            // The folder is this job's own (see JobProcessor+EvidenceAccess.swift).
            try DurableFile.write(Array((id + "\n").utf8), to: folder + "/" + EvidenceStore.ownerMarker, via: folder)
        }
        // One image at a time: a folder of thousands is never held in memory at once.
        for (image, name) in zip(sources, names) {
            let bytes: [UInt8]
            do {
                bytes = try DurableFile.read(image)
            } catch {
                throw SubmissionError(image: image, message: "cannot read the image: \(error.message)")
            }
            try DurableFile.write(bytes, to: folder + "/" + name, via: folder, mode: direct || private_ ? 0o600 : 0o644)
            try handOver(folder + "/" + name)
        }

        // The job file is the policy's JobRequest, written by the encoder that mirrors its parser.
        var job = request
        job.probes = probeDirectory == nil ? names.map { "\(id)/\($0)" } : []
        job.probeDir = probeDirectory == nil ? nil : id
        let bytes = try job.jobFileBytes()
        let temporary = try DurableFile.writeTemporary(bytes, in: layout.tmp, name: id, mode: private_ ? 0o600 : 0o644)
        try handOver(temporary)
        do {
            try DurableFile.renameNoReplace(temporary, to: layout.jobFile(id, in: layout.incoming))
        } catch {
            try? DurableFile.remove(temporary)
            throw error
        }
        return id
    }

    /// The image files a submission hands over: `images`, then the plain files of `probeDirectory`
    /// (not hidden ones, not subfolders), by name.
    /// - Throws: ``SubmissionError`` when the folder cannot be listed.
    public static func probeFiles(images: [String], probeDirectory: String?) throws -> [String] {
        guard let probeDirectory else { return images }
        let names: [String]
        do {
            names = try Directory.entries(probeDirectory)
        } catch {
            throw SubmissionError(image: probeDirectory, message: "cannot list the folder: \(error.message)")
        }
        let base = probeDirectory.hasSuffix("/") ? String(probeDirectory.dropLast()) : probeDirectory
        return images + names.filter { !$0.hasPrefix(".") }.sorted().map { base + "/" + $0 }
            .filter { (try? FileStatus.of($0).isRegularFile) == true }
    }

    /// A new job id: UTC time (so names sort oldest first) and 48 random bits.
    public static func makeJobID(now: Date) -> String {
        let seconds = Int(now.timeIntervalSince1970)
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        let stamp = String(format: "%04d%02d%02dT%02d%02d%02dZ", parts.tm_year + 1900, parts.tm_mon + 1,
                           parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
        let random = String(UInt64.random(in: 0...UInt64.max) & 0xffff_ffff_ffff, radix: 16)
        return stamp + "-" + String(repeating: "0", count: 12 - random.count) + random
    }

    /// An image's name reduced to letters, digits, `.`, `-`, `_` (never hidden, never empty).
    static func safeName(_ name: String) -> String {
        var safe = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
        while safe.hasPrefix(".") { safe.removeFirst() }
        return safe.isEmpty ? "image" : safe
    }
}

/// A probe image `frs submit` cannot take.
public struct SubmissionError: Error, Equatable, CustomStringConvertible {
    public var image: String
    public var message: String
    public var description: String { "\(image): \(message)" }
}
