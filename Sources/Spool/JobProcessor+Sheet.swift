import Foundation
import Results
import Reviews
import Sheets
import Store
import SystemCalls

extension JobProcessor {
    /// Writes the examiner's sheet of a completed job, unless it exists (a resumed job).
    ///
    /// A sheet is a view of the result, not part of the job's hand-off: a failure is logged and
    /// the job goes on (it never fails or repeats the job). The result file is the record.
    func writeSheet(_ result: JobResult) {
        guard result.decision == .completed, !FileStatus.exists(layout.sheetFile(result.job)) else { return }
        renderSheet(result)
    }

    /// Writes the sheet of `job` again (after a review, a resolution or an outcome), so it shows
    /// the leads as they stand. Best effort, like ``writeSheet(_:)``.
    func rewriteSheet(job: String) {
        guard let result = try? layout.resultFiles.result(job), result.decision == .completed else { return }
        renderSheet(result)
    }

    private func renderSheet(_ result: JobResult) {
        do {
            let path = try Self.writeSheet(result, layout: layout, database: database, evidence: evidence,
                                           peerReview: gate.config.peerReview)
            logger.debug("examiner's sheet written", ["job": result.job, "sheet": path])
        } catch {
            logger.error("examiner's sheet not written", ["job": result.job, "error": "\(error)"])
        }
    }

    /// Renders and writes a completed job's sheet with its leads as they stand: the entry point
    /// for the daemon and for commands that record a review, a resolution or an outcome directly.
    ///
    /// Renders run one at a time per spool (`state/sheet.lock`), reading the leads under the lock,
    /// so a sheet written later never shows an older state than one written before.
    /// - Returns: the sheet's path.
    /// - Throws: ``SystemCallError``, `DatabaseError`, and decoding errors of the result's probe lines.
    @discardableResult
    public static func writeSheet(_ result: JobResult, layout: SpoolLayout, database: Database, evidence: EvidenceStore,
                                  peerReview: Bool) throws -> String {
        try FileLock(path: layout.state + "/sheet.lock").withLock {
            let leads = try Leads(results: layout.resultFiles, database: database, peerReview: peerReview)
                .leadStatus(job: result.job)
            let writer = ExaminerSheetWriter(
                results: layout.resultFiles, temporaryDirectory: layout.tmp, gallery: try GalleryStore(database: database),
                maximumImageBytes: evidence.maximumProbeBytes
            ) { probe in
                guard let path = try? evidence.resolve(probe) else { return nil }
                return try? evidence.read(canonicalPath: path, probe: probe)
            }
            return try writer.write(result, leads: leads)
        }
    }
}
