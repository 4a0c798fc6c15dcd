import Audit
import Glibc
import Policy
import SystemCalls

/// A submitter's drop folder, `incoming/<job>.d/`: a tree its owner can change at any moment.
///
/// Every walk of it is descriptor-relative (``SystemCalls/DirectoryDescriptor``): `incoming/` is
/// opened, the folder is opened in it with `O_DIRECTORY | O_NOFOLLOW` and checked on the open
/// descriptor, and its entries are opened, stat'ed and unlinked relative to that descriptor. A
/// folder swapped for a symlink never leads the daemon elsewhere.
extension JobPipeline {
    /// Opens `incoming/<job>.d/`; `nil` when there is none (or a symlink or a file is in its place).
    /// - Throws: ``SystemCallError`` when `incoming/` itself cannot be opened.
    func openDropFolder(job: String) throws -> (incoming: DirectoryDescriptor, folder: DirectoryDescriptor)? {
        let incoming = try DirectoryDescriptor.open(layout.incoming)
        guard let folder = try? incoming.openDirectory(Self.dropFolderName(job)) else {
            incoming.close()
            return nil
        }
        return (incoming, folder)
    }

    /// The drop folder's name in `incoming/`.
    static func dropFolderName(_ job: String) -> String { job + ".d" }

    /// Removes the images a submitter left in `incoming/<job>.d/` for a job that ended without
    /// taking them in (denied or failed), so a finished job leaves nothing in the drop box.
    ///
    /// Called after the job file has left `active/`. What cannot be removed stays for
    /// ``SpoolJanitor`` after its grace period.
    /// - Parameter job: the job id.
    func discardDropFolder(job: String) {
        guard let (incoming, folder) = try? openDropFolder(job: job) else { return }
        defer { incoming.close() }
        folder.removeContents()
        folder.close()
        if (try? incoming.removeDirectory(Self.dropFolderName(job))) != nil {
            logger.info("removed the images dropped with a job that did not take them in", ["job": job])
        }
    }

    /// Copies the images a submitter left in `incoming/<job>.d/` into `evidence/<job>/`.
    ///
    /// The folder must be owned by the job file's owner and hold at most the policy's
    /// `max_probes_per_job` entries (counted before anything is read; more refuses the job). Only
    /// images the job names are taken, each a regular file with one link owned by that owner and
    /// no larger than `max_probe_bytes` (checked with `fstat` before reading), opened relative to
    /// the folder without following symlinks; each is copied, not renamed, so the evidence is a
    /// new inode the submitter cannot change afterwards. Every other entry is refused and
    /// quarantined in `failed/<job>.refused/` with a reason file and an audit record
    /// (``quarantineRefused(_:from:job:owner:)``). The drop folder is removed after every copy is durable.
    /// - Parameters:
    ///   - job: the job id.
    ///   - owner: the uid that owns the job file.
    ///   - named: the names of the images the job names; `nil` for every image in the folder.
    /// - Throws: ``JobRefusal`` (`input.too-many-probes`) for a flooded folder (quarantined whole),
    ///   ``SystemCallError`` for I/O.
    func takeInDroppedImages(job: String, owner: UInt32, named: Set<String>?) throws {
        guard let (incoming, folder) = try openDropFolder(job: job) else { return }
        defer { incoming.close() }
        defer { folder.close() }
        guard try folder.status().owner == owner else {
            logger.warning("ignoring a drop folder not owned by the job's owner", ["job": job])
            return
        }
        let limit = gate.config.maxProbesPerJob
        let listed: Result<[String], SystemCallError> = Result { () throws(SystemCallError) -> [String] in
            try folder.entries(limit: limit)
        }
        if case .failure(let error) = listed, error.errno == E2BIG {
            try quarantineFolder(incoming, job: job, owner: owner, why: "more than \(limit) entries")
            throw JobRefusal(code: .inputTooManyProbes, message: """
                \(ReasonCode.inputTooManyProbes.rawValue): the drop folder holds more than \(limit) files; nothing was taken in
                """)
        }
        let names = try listed.get()
        let target = layout.evidence(for: job)
        let marker = target + "/" + EvidenceStore.ownerMarker
        if FileStatus.exists(target), !FileStatus.exists(marker) {
            // A folder this job did not bring (an old loose folder of the same name): never adopted.
            logger.warning("not taking images into an evidence folder made for something else", ["job": job])
            return
        }
        try Directory.create(target, mode: 0o700)
        try DurableFile.write(Array((job + "\n").utf8), to: marker, via: target, mode: 0o600)
        var refused: [(name: String, why: String)] = []
        for name in names {
            guard !name.hasPrefix("."), named?.contains(name) ?? true else {
                refused.append((name, "not an image the job names"))
                continue
            }
            guard let fd = try? folder.openForReading(name) else {
                refused.append((name, "cannot be opened as a plain file (a symbolic link?)"))
                continue
            }
            defer { fd.closeIgnoringErrors() }
            let status = try fd.status()
            guard status.isRegularFile, status.linkCount == 1, status.owner == owner,
                  status.size <= Int64(evidence.maximumProbeBytes)
            else {
                refused.append((name, "not a regular file with one link owned by uid \(owner) and at most \(evidence.maximumProbeBytes) bytes"))
                continue
            }
            let bytes = try fd.readAll(limit: evidence.maximumProbeBytes)
            try DurableFile.write(bytes, to: target + "/" + name, via: target, mode: 0o600)
        }
        if !refused.isEmpty { try quarantineRefused(refused, from: folder, job: job, owner: owner) }
        folder.removeContents()
        _ = try? incoming.removeDirectory(Self.dropFolderName(job))
    }

    /// Where refused drop-folder entries of `job` are kept: `failed/<job>.refused/`, with
    /// `failed/<job>.refused.reason` beside it.
    func refusedImagesFolder(_ job: String) -> String { layout.failed + "/" + job + ".refused" }

    /// Moves refused entries out of the drop folder into `failed/<job>.refused/` (what cannot be
    /// moved is removed with the folder), writes the reasons beside it and audits the refusal.
    func quarantineRefused(_ refused: [(name: String, why: String)], from folder: DirectoryDescriptor, job: String,
                           owner: UInt32) throws {
        let target = refusedImagesFolder(job)
        try Directory.create(target, mode: 0o700)
        let quarantine = try DirectoryDescriptor.open(target)
        defer { quarantine.close() }
        var moved = 0
        for entry in refused where (try? folder.move(entry.name, to: quarantine, as: entry.name)) != nil { moved += 1 }
        try quarantine.sync()
        try recordRefusal(job: job, owner: owner, lines: refused.map { "\(String(reflecting: $0.name)): \($0.why)" },
                          moved: moved)
    }

    /// Quarantines a whole drop folder (a flood): renamed to `failed/<job>.refused/` in one step,
    /// or, when that is not possible, emptied.
    func quarantineFolder(_ incoming: DirectoryDescriptor, job: String, owner: UInt32, why: String) throws {
        let failed = try DirectoryDescriptor.open(layout.failed)
        defer { failed.close() }
        let name = Self.dropFolderName(job)
        if (try? incoming.move(name, to: failed, as: job + ".refused")) != nil {
            try failed.sync()
        } else if let folder = try? incoming.openDirectory(name) {
            folder.removeContents()
            folder.close()
            _ = try? incoming.removeDirectory(name)
        }
        try recordRefusal(job: job, owner: owner, lines: ["the whole drop folder: \(why)"], moved: nil)
    }

    /// Writes `failed/<job>.refused.reason` and the `job.images-refused` audit record.
    private func recordRefusal(job: String, owner: UInt32, lines: [String], moved: Int?) throws {
        let text = lines.joined(separator: "\n") + "\n"
        try DurableFile.write(Array(text.utf8), to: refusedImagesFolder(job) + ".reason", via: layout.tmp)
        var details = ["entries": "\(lines.count)", "quarantine": "failed/\(job).refused"]
        if let moved { details["moved"] = "\(moved)" }
        try record(AuditEvent(.jobImagesRefused, actor: "uid:\(owner)", job: job, outcome: "refused",
                              details: details))
        logger.warning("dropped images refused and quarantined", ["job": job, "entries": "\(lines.count)"])
    }
}
