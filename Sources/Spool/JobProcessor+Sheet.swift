import Foundation
import Results
import Sheets
import Store
import SystemCalls

extension JobProcessor {
    /// Writes the examiner's sheet of a completed job, unless it exists (a resumed job).
    ///
    /// A sheet is a view of the result, not part of the job's hand-off: a failure is logged and
    /// the job goes on (it never fails or repeats the job). The result file is the record.
    func writeSheet(_ result: JobResult, group: UInt32?) {
        guard result.decision == .completed, !FileStatus.exists(layout.sheetFile(result.job)) else { return }
        do {
            let evidence = self.evidence
            let writer = ExaminerSheetWriter(
                results: layout.resultFiles, temporaryDirectory: layout.tmp, gallery: try GalleryStore(database: database),
                maximumImageBytes: evidence.maximumProbeBytes
            ) { probe in
                guard let path = try? evidence.resolve(probe) else { return nil }
                return try? evidence.read(canonicalPath: path, probe: probe)
            }
            let path = try writer.write(result, group: group)
            logger.debug("examiner's sheet written", ["job": result.job, "sheet": path])
        } catch {
            logger.error("examiner's sheet not written", ["job": result.job, "error": "\(error)"])
        }
    }
}
