import Foundation
import Glibc
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
    func writeSheet(_ result: JobResult, group: UInt32?) {
        guard result.decision == .completed, !FileStatus.exists(layout.sheetFile(result.job)) else { return }
        do {
            let path = try Self.writeSheet(result, layout: layout, database: database, evidence: evidence,
                                           peerReview: gate.config.peerReview, group: group)
            logger.debug("examiner's sheet written", ["job": result.job, "sheet": path])
        } catch {
            logger.error("examiner's sheet not written", ["job": result.job, "error": "\(error)"])
        }
    }

    /// After a review, a resolution or an outcome: the sheet is rendered again and the status
    /// board's record updated, so both show the job's leads as they stand. Best effort, like the
    /// sheet: a failure is logged.
    func leadChanged(job: String) {
        do {
            try Self.leadChanged(job: job, layout: layout, database: database, evidence: evidence,
                                 peerReview: gate.config.peerReview, now: clock())
        } catch {
            logger.error("sheet or status board not updated after a review", ["job": job, "error": "\(error)"])
        }
    }

    /// Renders the sheet of a completed job again and updates its status board record: the entry
    /// point for the daemon and for commands that record a review, a resolution or an outcome
    /// directly (an account that can write the database).
    /// - Throws: ``SystemCallError``, `DatabaseError`, decoding errors of the result or the board record.
    public static func leadChanged(job: String, layout: SpoolLayout, database: Database, evidence: EvidenceStore,
                                   peerReview: Bool, now: Date) throws {
        guard let result = try layout.resultFiles.result(job), result.decision == .completed else { return }
        let registry = Registry(database: database)
        let agency = try result.requester.flatMap { try registry.user($0)?.agency }
        let group = try agency.flatMap { try registry.agency($0)?.group }
        try writeSheet(result, layout: layout, database: database, evidence: evidence, peerReview: peerReview, group: group)
        if let agency, var record = try layout.board.read(job: job, agency: agency) {
            (record.dispositions, record.leads) = try boardLeads(job: job, layout: layout, database: database,
                                                                  peerReview: peerReview)
            record.updated = now.formatted(.iso8601)
            try layout.board.publish(record, group: group)
        }
    }

    /// What the status board shows of a job's leads: each lead something was recorded on, and the
    /// dispositions in force — a pending lead's withheld (`"withheld"`), since the whole agency,
    /// the second examiner included, reads the board.
    static func boardLeads(job: String, layout: SpoolLayout, database: Database, peerReview: Bool)
        throws -> ([JobStatusRecord.Disposition], [LeadSummary]?) {
        let leads = try Leads(results: layout.resultFiles, database: database, peerReview: peerReview)
            .leadStatus(job: job).filter(LeadSummary.isRecorded)
        let dispositions = leads.flatMap { lead in
            lead.inForce.map {
                JobStatusRecord.Disposition(face: lead.face, candidate: lead.candidate, examiner: $0.examiner,
                                            disposition: lead.dispositionsVisible ? $0.disposition.rawValue : "withheld",
                                            recorded: $0.recorded)
            }
        }
        return (dispositions, leads.isEmpty ? nil : leads.map { LeadSummary($0) })
    }

    /// Renders and writes a completed job's sheet with its leads as they stand.
    ///
    /// Renders run one at a time per spool (`state/sheet.lock`), reading the leads under the lock,
    /// so a sheet written later never shows an older state than one written before.
    /// - Parameter group: the group that may read the sheet (the requester's agency's).
    /// - Returns: the sheet's path.
    /// - Throws: ``SystemCallError``, `DatabaseError`, and decoding errors of the result's probe lines.
    @discardableResult
    public static func writeSheet(_ result: JobResult, layout: SpoolLayout, database: Database, evidence: EvidenceStore,
                                  peerReview: Bool, group: UInt32?) throws -> String {
        try sheetLock(layout).withLock {
            let leads = try Leads(results: layout.resultFiles, database: database, peerReview: peerReview)
                .leadStatus(job: result.job)
            let writer = ExaminerSheetWriter(
                results: layout.resultFiles, temporaryDirectory: layout.tmp, gallery: try GalleryStore(database: database),
                maximumImageBytes: evidence.maximumProbeBytes
            ) { probe in
                guard let path = try? evidence.resolve(probe) else { return nil }
                return try? evidence.read(canonicalPath: path, probe: probe)
            }
            return try writer.write(result, leads: leads, group: group)
        }
    }

    /// The lock that orders sheet renders (`state/sheet.lock`). Made with the state directory's
    /// owner, so a lock file first made by root (`frs review` run directly) does not shut the
    /// daemon's account out of it.
    static func sheetLock(_ layout: SpoolLayout) throws -> FileLock {
        let path = layout.state + "/sheet.lock"
        if !FileStatus.exists(path) {
            try FileDescriptor.open(path, flags: O_RDWR | O_CREAT | O_NOFOLLOW, mode: 0o600).closeIgnoringErrors()
            let state = try FileStatus.of(layout.state)
            if getuid() == 0, state.owner != 0 { try Accounts.changeOwner(path, uid: state.owner, gid: state.group) }
        }
        return FileLock(path: path)
    }
}
