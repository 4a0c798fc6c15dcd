import Basics
import Foundation
import Glibc
import Policy
import Results
import Reviews
import Sheets
import Store
import SystemCalls

/// What people see of a job besides its result file: the examiner's sheet and the job's record on
/// its agency's status board, kept in one place that the daemon and the commands both call.
///
/// Both are views, not part of a job's hand-off: a failure (the daemon's account is not a member
/// of the agency's group, a disk error) is logged with what would fix it, and the job goes on. The
/// result file is the record.
public struct JobViews {
    public let layout: SpoolLayout
    let database: Database
    let evidence: EvidenceStore
    let peerReview: Bool
    let logger: Logger
    let clock: @Sendable () -> Date

    /// - Parameters:
    ///   - layout: the spool.
    ///   - database: a connection to the spool's database (the leads are read from it).
    ///   - evidence: where the probes the sheet shows are read from.
    ///   - policy: the spool's policy (peer review decides what a pending lead shows).
    ///   - logger: where failures go.
    ///   - clock: the time of board updates.
    public init(layout: SpoolLayout, database: Database, evidence: EvidenceStore, policy: PolicyConfig,
                logger: Logger = Logger(), clock: @escaping @Sendable () -> Date = { Date() }) {
        self.layout = layout
        self.database = database
        self.evidence = evidence
        self.peerReview = policy.peerReview
        self.logger = logger
        self.clock = clock
    }

    // MARK: - The status board

    /// Writes a job's record on its agency's status board (``StatusBoard``), when its requester is
    /// established (an unauthenticated job has no agency to show it to).
    /// - Parameters:
    ///   - candidates: the result's candidate count, when the caller has it (a bulk job's lines are
    ///     read once per job, not once per view).
    ///   - hold: what a supervisor decides a held job on; for a job decided on, the decision is
    ///     taken from the ledger (the justification is no longer shown).
    ///   - progress: a running bulk job's figures.
    func publish(_ job: JobRecord, state: JobStatusRecord.State, result: JobResult? = nil, candidates: Int? = nil,
                 hold: HoldFacts? = nil, progress: BulkFigures? = nil) {
        guard job.authenticated, let agency = job.agency, let requester = job.requester else { return }
        do {
            var record = JobStatusRecord(
                job: job.job, requester: requester, uid: job.ownerUID, agency: agency,
                purpose: job.purpose, caseNumber: job.caseNumber, state: state, updated: clock())
            record.hold = hold
            if state == .running {
                record.claim = job.claim
                record.progress = progress
            }
            if hold == nil, let entry = try JobLedger(database: database).entry(job.job), let decision = entry.approval {
                let held = try layout.board.read(job: job.job, agency: agency)?.hold
                record.hold = HoldFacts(offense: held?.offense ?? result?.offense, justification: nil,
                                        watchTerms: result?.approval?.watchTerms ?? held?.watchTerms ?? [],
                                        probes: held?.probes ?? 0, probeDir: held?.probeDir, decision: decision,
                                        approver: entry.approver, note: entry.approvalNote)
            }
            if let result {
                record.decision = result.decision.rawValue
                record.reasons = result.reasons.map(\.rawValue)
                record.result = layout.resultFile(job.job)
                if result.decision == .completed {
                    record.candidates = try candidates ?? layout.resultFiles.candidateCount(of: result)
                    if FileStatus.exists(layout.sheetFile(job.job)) { record.sheet = layout.sheetFile(job.job) }
                }
                (record.dispositions, record.leads) = try boardLeads(job: job.job)
            }
            try layout.board.publish(record, group: job.group)
        } catch let error as SystemCallError where error.errno == EPERM {
            logger.error("status board not updated: this account may not give files to the agency's group; "
                         + "make the daemon's account a member of it", ["job": job.job, "agency": agency])
        } catch {
            logger.error("status board not updated", ["job": job.job, "error": "\(error)"])
        }
    }

    /// Publishes the record of every finished job of an established requester that its agency's
    /// board lacks (one missed while the board could not be written: the daemon was not yet a member
    /// of the agency's group, say). The daemon calls it at start, when its groups are new.
    /// - Returns: how many records were published.
    @discardableResult
    func publishMissing(ledger: JobLedger, registry: Registry) throws -> Int {
        var published = 0
        for file in try ledger.finishedWithAgency() {
            guard let agency = file.agency, !FileStatus.exists(layout.board.record(job: file.job, agency: agency)),
                  let result = try? layout.resultFiles.result(file.job), let requester = result.requester,
                  try registry.user(requester)?.uid == file.owner
            else { continue }
            let job = JobRecord(job: file.job, requester: requester, purpose: result.purpose, caseNumber: result.caseNumber,
                                agency: agency, group: try registry.agency(agency)?.group, ownerUID: file.owner,
                                authenticated: true)
            publish(job, state: .finished, result: result)
            if FileStatus.exists(layout.board.record(job: file.job, agency: agency)) { published += 1 }
        }
        return published
    }

    /// What the status board shows of a job's leads: each lead something was recorded on, and the
    /// dispositions in force — a pending lead's withheld (`"withheld"`), since the whole agency,
    /// the second examiner included, reads the board.
    func boardLeads(job: String) throws -> ([JobStatusRecord.Disposition], [LeadSummary]?) {
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

    // MARK: - The examiner's sheet

    /// Writes the examiner's sheet of a completed job, unless it exists (a resumed job). Never
    /// fails the job: a failure is logged.
    func writeSheetOnce(_ result: JobResult, group: UInt32?) {
        guard result.decision == .completed, !FileStatus.exists(layout.sheetFile(result.job)) else { return }
        do {
            let path = try writeSheet(result, group: group)
            logger.debug("examiner's sheet written", ["job": result.job, "sheet": path])
        } catch {
            logger.error("examiner's sheet not written", ["job": result.job, "error": "\(error)"])
        }
    }

    /// Renders and writes a completed job's sheet with its leads as they stand.
    ///
    /// Renders run one at a time per spool (`state/sheet.lock`), reading the leads under the lock,
    /// so a sheet written later never shows an older state than one written before.
    /// - Parameter group: the group that may read the sheet (the requester's agency's).
    /// - Returns: the sheet's path.
    /// - Throws: ``SystemCallError``, `DatabaseError`, and decoding errors of the result's probe lines.
    @discardableResult
    public func writeSheet(_ result: JobResult, group: UInt32?) throws -> String {
        try Self.sheetLock(layout).withLock {
            let leads = try Leads(results: layout.resultFiles, database: database, peerReview: peerReview)
                .leadStatus(job: result.job)
            var writer = ExaminerSheetWriter(
                results: layout.resultFiles, temporaryDirectory: layout.tmp, gallery: try GalleryStore(database: database),
                maximumImageBytes: evidence.maximumProbeBytes, pictureCache: layout.sheetPictures
            ) { [evidence] probe in
                guard let path = try? evidence.resolve(probe) else { return nil }
                return try? evidence.read(canonicalPath: path, probe: probe)
            }
            return try writer.write(result, leads: leads, group: group)
        }
    }

    // MARK: - After a lead changed

    /// After a review, a resolution or an outcome: the sheet is rendered again and the status
    /// board's record updated, so both show the job's leads as they stand. The daemon and the
    /// commands that record directly (an account that can write the database) both call it.
    /// - Throws: ``SystemCallError``, `DatabaseError`, decoding errors of the result or the board record.
    public func leadChanged(job: String) throws {
        guard let result = try layout.resultFiles.result(job), result.decision == .completed else { return }
        let registry = Registry(database: database)
        let agency = try result.requester.flatMap { try registry.user($0)?.agency }
        let group = try agency.flatMap { try registry.agency($0)?.group }
        try writeSheet(result, group: group)
        if let agency, var record = try layout.board.read(job: job, agency: agency) {
            (record.dispositions, record.leads) = try boardLeads(job: job)
            record.updated = clock().formatted(.iso8601)
            try layout.board.publish(record, group: group)
        }
    }

    /// ``leadChanged(job:)`` for the daemon: a failure is logged, never thrown.
    func leadChangedLogged(job: String) {
        do {
            try leadChanged(job: job)
        } catch {
            logger.error("sheet or status board not updated after a review", ["job": job, "error": "\(error)"])
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
