import Glibc
import SystemCalls

extension JobProcessor {
    /// Removes the images a submitter left in `incoming/<job>.d/` for a job that ended without
    /// taking them in (denied or failed), so a finished job leaves nothing in the drop box.
    ///
    /// Called after the job file has left `active/`. The folder is checked with `lstat` (a symlink
    /// in its place is left alone) and its entries are unlinked, never followed. What cannot be
    /// removed stays for ``SpoolJanitor`` after its grace period.
    /// - Parameter job: the job id.
    func discardDropFolder(job: String) {
        let folder = layout.dropFolder(for: job)
        guard let status = try? FileStatus.of(folder), status.isDirectory else { return }
        for name in (try? Directory.entries(folder)) ?? [] {
            try? DurableFile.remove(folder + "/" + name)
        }
        if rmdir(folder) == 0 {
            logger.info("removed the images dropped with a job that did not take them in", ["job": job])
        }
    }
}
