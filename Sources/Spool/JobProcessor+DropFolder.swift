import Glibc
import SystemCalls

/// A submitter's drop folder, `incoming/<job>.d/`: a tree its owner can change at any moment.
///
/// Every walk of it is descriptor-relative (``SystemCalls/DirectoryDescriptor``): `incoming/` is
/// opened, the folder is opened in it with `O_DIRECTORY | O_NOFOLLOW` and checked on the open
/// descriptor, and its entries are opened, stat'ed and unlinked relative to that descriptor. A
/// folder swapped for a symlink never leads the daemon elsewhere.
extension JobProcessor {
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
    /// The folder must be owned by the job file's owner; each image must be a regular file with
    /// one link owned by that owner, opened relative to the folder without following symlinks;
    /// it is copied, not renamed, so the evidence is a new inode the submitter cannot change
    /// afterwards. The drop folder is removed after every copy is durable.
    /// - Parameters:
    ///   - job: the job id.
    ///   - owner: the uid that owns the job file.
    func takeInDroppedImages(job: String, owner: UInt32) throws {
        guard let (incoming, folder) = try openDropFolder(job: job) else { return }
        defer { incoming.close() }
        defer { folder.close() }
        guard try folder.status().owner == owner else {
            logger.warning("ignoring a drop folder not owned by the job's owner", ["job": job])
            return
        }
        let target = layout.evidence(for: job)
        let marker = target + "/" + EvidenceStore.ownerMarker
        if FileStatus.exists(target), !FileStatus.exists(marker) {
            // A folder this job did not bring (an old loose folder of the same name): never adopted.
            logger.warning("not taking images into an evidence folder made for something else", ["job": job])
            return
        }
        try Directory.create(target, mode: 0o700)
        try DurableFile.write(Array((job + "\n").utf8), to: marker, via: target, mode: 0o600)
        for name in try folder.entries() where !name.hasPrefix(".") {
            guard let fd = try? folder.openForReading(name) else {
                logger.warning("refusing a dropped image that is not a plain file", ["job": job, "image": name])
                continue
            }
            defer { fd.closeIgnoringErrors() }
            let status = try fd.status()
            guard status.isRegularFile, status.linkCount == 1, status.owner == owner,
                  status.size <= Int64(evidence.maximumProbeBytes)
            else {
                logger.warning("refusing a dropped image (owner, links, type or size)", ["job": job, "image": name])
                continue
            }
            let bytes = try fd.readAll(limit: evidence.maximumProbeBytes)
            try DurableFile.write(bytes, to: target + "/" + name, via: target, mode: 0o600)
        }
        folder.removeContents()
        _ = try? incoming.removeDirectory(Self.dropFolderName(job))
    }
}
