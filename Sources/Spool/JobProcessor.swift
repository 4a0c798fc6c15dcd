import Audit
import Basics
import Foundation
import Glibc
import Hashing
import Policy
import Results
import Reviews
import Store
import SystemCalls

/// Takes one claimed file from `active/` to its end: a job through policy, search, result and
/// final audit record into `done/` or `failed/` (or into `held/`); an approval request through
/// its checks to the held job's release.
///
/// **Exactly once.** The hand-off order for a job is: result file durable in the outbox → final
/// audit record appended → ledger marked finished → job file renamed out of `active/`. A job met
/// again after a crash is resumed from the first step not yet done: a finished ledger entry only
/// moves the file on; an existing result file is never rewritten, and its final audit record is
/// written only if the audit log does not hold one for the job. So each job ends with exactly one
/// result file and one final record (`job.completed`, `job.denied` or `job.failed`).
///
/// One processor is used by one worker thread (it owns a database connection).
public final class JobProcessor {
    public let layout: SpoolLayout
    public let searcher: any ProbeSearcher
    public let gate: PolicyGate
    public let logger: Logger
    /// Attempts before a job that keeps failing is quarantined in `failed/`.
    public let maxAttempts: Int
    /// The clock (tests set it).
    public let clock: @Sendable () -> Date
    /// Called after each hand-off step; a test throws from it to simulate a crash at that point.
    public let checkpoint: (@Sendable (HandOff, String) throws -> Void)?

    let database: Database
    let registry: Registry
    let ledger: JobLedger
    let audit: AuditLog
    let evidence: EvidenceStore
    /// Probe images of a bulk job searched at once.
    let bulkWorkers = ProcessInfo.processInfo.activeProcessorCount
    /// Probes of a bulk job per batch (records are appended after each batch).
    let bulkBatchSize: Int

    /// The points between hand-off steps, for crash tests.
    public enum HandOff: String, Sendable, CaseIterable {
        /// The job was claimed and its attempt recorded.
        case claimed
        /// The result file is in the outbox.
        case resultWritten
        /// The final audit record is written.
        case finalAuditWritten
        /// The ledger says finished; the job file is still in `active/`.
        case ledgerFinished
    }

    /// - Parameters:
    ///   - layout: the spool.
    ///   - searcher: the face search.
    ///   - gate: the policy.
    ///   - logger: for operators.
    ///   - maxAttempts: attempts before quarantine.
    ///   - clock: the time source.
    ///   - checkpoint: crash-test hook.
    ///   - bulkBatchSize: probes of a bulk job per batch; default `max(8, 4 × cores)`.
    /// - Throws: `DatabaseError` when the database cannot be opened.
    public init(
        layout: SpoolLayout, searcher: any ProbeSearcher, gate: PolicyGate = PolicyGate(), logger: Logger = Logger(),
        maxAttempts: Int = 3, clock: @escaping @Sendable () -> Date = { Date() },
        checkpoint: (@Sendable (HandOff, String) throws -> Void)? = nil, bulkBatchSize: Int? = nil
    ) throws {
        self.bulkBatchSize = max(1, bulkBatchSize ?? max(8, 4 * ProcessInfo.processInfo.activeProcessorCount))
        self.layout = layout
        self.searcher = searcher
        self.gate = gate
        self.logger = logger
        self.maxAttempts = maxAttempts
        self.clock = clock
        self.checkpoint = checkpoint
        database = try SpoolDatabase.open(layout)
        registry = Registry(database: database)
        ledger = JobLedger(database: database)
        audit = try AuditLog(directory: layout.audit)
        evidence = EvidenceStore(root: layout.evidence, maximumProbeBytes: gate.config.maxProbeBytes)
    }

    /// Processes one claimed file.
    /// - Throws: what made the attempt fail (I/O, database); the file then stays in `active/`
    ///   for a later attempt, and the failure is recorded in the ledger.
    public func process(_ claim: ClaimedJob) throws {
        do {
            switch claim.kind {
            case .job: try processJob(claim)
            case .approval: try processApproval(claim)
            case .review: try processReview(claim)
            case .resolution: try processResolution(claim)
            case .outcome: try processOutcome(claim)
            }
        } catch let crash as SimulatedCrash {
            throw crash
        } catch {
            logger.error("attempt failed", ["job": claim.id, "error": "\(error)"])
            try? ledger.recordError(claim.id, "\(error)", now: clock())
            throw error
        }
    }

    // MARK: - Jobs

    func processJob(_ dropped: ClaimedJob) throws {
        // The id this file answers under, and a refusal that decides it (JobProcessor+Identity.swift).
        let (claim, identityRefusal) = try identify(dropped)
        let id = claim.id
        let now = clock()
        var refusal = identityRefusal
        if refusal == nil { refusal = try queueLimit(claim) }
        let (attempt, firstSeen) = try ledger.beginAttempt(id, now: now)
        try checkpoint?(.claimed, id)

        // Resume a job a previous attempt took past some hand-off step.
        if let entry = try ledger.entry(id), entry.state == .finished {
            logger.info("job already finished; moving it on", ["job": id])
            try moveOn(claim, outcome: entry.decision.flatMap(JobOutcome.init(rawValue:)) ?? .completed, reason: entry.lastError)
            return
        }
        // A result file that cannot be read (never torn: it is renamed into place) fails the
        // attempt, until the attempts are used up.
        let existing = attempt > maxAttempts ? ((try? existingResult(id)) ?? nil) : try existingResult(id)
        if let existing {
            logger.warning("resuming a job whose result was written", ["job": id])
            try finish(claim, result: existing, resultWritten: true, reason: nil)
            return
        }

        if attempt > maxAttempts {
            // Every attempt failed: quarantine with a failed result, reading the job only if it can be.
            let (identity, bytes) = (try? readJobFile(claim)) ?? (JobFileIdentity(ownerUID: claim.status.owner), nil)
            let parsed = bytes.map { JobRequest.parse($0) } ?? .failure(JobParseFailure(issues: []))
            let user = try parsed.claimedRequester.flatMap { try registry.user($0) }
            let context = JobContext(job: id, parsed: parsed, agency: user?.agency, ownerUID: identity.ownerUID,
                                     authenticated: identity.problem == nil && user?.uid == identity.ownerUID)
            try record(context.event("job.claimed", outcome: "claimed",
                                     details: ["attempt": "\(attempt)", "recovered": "\(claim.recovered)"]))
            let message = (try ledger.entry(id))?.lastError ?? "the job failed \(maxAttempts) times"
            let result = JobResult(job: id, decision: .failed, reasons: [.processingAttemptsExhausted],
                                   messages: ["\(ReasonCode.processingAttemptsExhausted.rawValue): \(message)"],
                                   requester: context.requester, purpose: context.purpose,
                                   caseNumber: context.caseNumber, created: now)
            try finish(claim, result: result, resultWritten: false, reason: message)
            return
        }

        var (identity, bytes) = try readJobFile(claim)
        var unread = claim.openError.map {
            [JobParseFailure.Issue(code: .inputMalformed, field: "", message: "the job file cannot be opened: \($0)")]
        } ?? []
        let supervisor = try ledger.entry(id).flatMap { $0.approval }.flatMap(SupervisorDecision.init(rawValue:))
        if supervisor != nil, refusal == nil {
            // A supervisor decided on the copy taken at hold time (JobProcessor+Hold.swift): that
            // copy is the job, whatever the file in the queue says now.
            switch try heldCopy(id) {
            case .success(let copy): bytes = copy
            case .failure(let why):
                bytes = nil
                unread = [JobParseFailure.Issue(code: why.code, field: "", message: why.message)]
            }
        }
        let parsed: Result<JobRequest, JobParseFailure> = bytes.map { JobRequest.parse($0) }
            ?? .failure(JobParseFailure(issues: unread))
        let claimedRequester = parsed.claimedRequester
        let requester = try claimedRequester.flatMap { try registry.requester($0) }
        let agency = try requester.flatMap { try registry.policyAgency($0.agency) }
        var context = JobContext(job: id, parsed: parsed, agency: requester?.agency, ownerUID: identity.ownerUID,
                                 authenticated: identity.problem == nil && requester?.uid == identity.ownerUID)
        context.jobSHA256 = bytes.map { SHA256.hex($0) }

        if context.authenticated, refusal == nil, let agency = requester?.agency {
            try ledger.setAgency(id, agency)  // the job's evidence folder is its agency's
        }
        if firstSeen {
            try record(context.event("job.received", outcome: "received"))
        }
        try record(context.event("job.claimed", outcome: "claimed",
                                 details: ["attempt": "\(attempt)", "recovered": "\(claim.recovered)"]))

        publishStatus(context, state: .running)
        var verdict = JobEvaluation.evaluate(parsed: parsed, identity: identity, requester: requester, agency: agency,
                                             supervisor: supervisor, gate: gate, now: now)
        if let refusal {
            verdict = .deny(JobDenial(reasons: [refusal.code], messages: [refusal.message], requester: claimedRequester,
                                      purpose: context.purpose, caseNumber: context.caseNumber))
        }
        // The images dropped beside the job are taken in (limits checked first) before it runs or
        // is held (JobProcessor+DropFolder.swift); a flooded drop folder denies the job.
        switch verdict {
        case .run(let job), .hold(let job, _):
            do {
                try takeInOnce(job: id, owner: identity.ownerUID, request: job)
            } catch let refused as JobRefusal {
                verdict = .deny(JobDenial(reasons: [refused.code], messages: [refused.message], requester: job.requester,
                                          purpose: job.purpose, caseNumber: job.caseNumber, offense: job.offense))
            }
        case .deny: break
        }
        switch verdict {
        case .deny(let denial):
            try finish(claim, result: ResultBuilder.denied(job: id, denial, now: now), resultWritten: false, reason: nil)
        case .hold(_, let terms):
            try hold(claim, context: context, terms: terms, bytes: bytes ?? [], owner: identity.ownerUID, now: now)
        case .run(let job):
            let result = try run(job, id: id, agency: requester?.agency, owner: identity.ownerUID, now: now)
            try finish(claim, result: result, resultWritten: false, reason: nil)
        }
    }

    /// Opens the claimed job file through its locked descriptor and checks it can speak for its owner.
    func readJobFile(_ claim: ClaimedJob) throws -> (JobFileIdentity, [UInt8]?) {
        guard let fd = claim.descriptor else {
            // A regular file the daemon cannot open: refused as unreadable (input.malformed).
            if claim.openError != nil, claim.status.isRegularFile { return (JobFileIdentity(ownerUID: claim.status.owner), nil) }
            let what = claim.status.isSymbolicLink ? "a symbolic link" : "not a regular file"
            return (JobFileIdentity(ownerUID: claim.status.owner,
                                    problem: "requester.identity-mismatch: the job file is \(what)"), nil)
        }
        let status = try fd.status()
        guard status.isRegularFile else {
            return (JobFileIdentity(ownerUID: status.owner, problem: "requester.identity-mismatch: the job file is not a regular file"), nil)
        }
        guard status.linkCount == 1 else {
            return (JobFileIdentity(ownerUID: status.owner,
                                    problem: "requester.identity-mismatch: the job file has \(status.linkCount) hard links"), nil)
        }
        _ = lseek(fd.rawValue, 0, SEEK_SET)
        let result: Result<[UInt8], SystemCallError> = Result { () throws(SystemCallError) in
            try fd.readAll(limit: JobRequest.maximumFileBytes)
        }
        switch result {
        case .success(let bytes):
            return (JobFileIdentity(ownerUID: status.owner), bytes)
        case .failure(let error) where error.errno == EFBIG:
            // Too large: parsing reports the size as input.malformed.
            return (JobFileIdentity(ownerUID: status.owner), [UInt8](repeating: 0x20, count: JobRequest.maximumFileBytes + 1))
        case .failure(let error):
            throw error
        }
    }

    /// Runs the search for an allowed job.
    func run(_ job: JobRequest, id: String, agency: String?, owner: UInt32, now: Date) throws -> JobResult {
        let threshold = job.threshold ?? gate.config.defaultThreshold
        let maxCandidates = job.maxCandidates ?? gate.config.defaultMaxCandidates
        var denial = JobDenial(reasons: [], requester: job.requester, purpose: job.purpose,
                               caseNumber: job.caseNumber, offense: job.offense)

        var resolved: [(probe: String, path: String)] = []
        for probe in job.probes {
            do {
                let path = try evidence.resolve(probe)
                try checkAccess(probe, canonicalPath: path, job: id, agency: agency)
                resolved.append((probe, path))
            } catch let error as ProbeRejection {
                denial.add(error.code, error.description)
            }
        }
        var bulk: [BulkRunner.Probe] = []
        if let folder = job.probeDir {
            do {
                try checkAccess(folder, canonicalPath: try evidence.resolve(folder), job: id, agency: agency)
                let probes = try evidence.probes(inFolder: folder)
                if probes.count > gate.config.maxProbesPerDirectory {
                    denial.add(.inputTooManyProbes, "\(folder): \(probes.count) files; the limit is \(gate.config.maxProbesPerDirectory)")
                }
                // Every entry becomes a record: one that cannot be searched gets its reason code.
                for probe in probes {
                    bulk.append(BulkRunner.Probe(probe: probe, resolved: resolveBulkProbe(probe, job: id, agency: agency)))
                }
            } catch let error as ProbeRejection {
                denial.add(error.code, error.description)
            }
        }
        if !denial.reasons.isEmpty { return ResultBuilder.denied(job: id, denial, now: now) }

        var records: [ProbeRecord] = []
        for (probe, path) in resolved {
            do {
                let bytes = try evidence.read(canonicalPath: path, probe: probe)
                let faces = try searcher.search(imageBytes: bytes, maxCandidates: maxCandidates, threshold: threshold)
                records.append(ProbeRecord(image: probe, sha256: SHA256.hex(bytes), faces: faces))
            } catch let error as ProbeRejection {
                denial.add(error.code, error.description)
            } catch let error as ProbeImageError {
                denial.add(error.reason, "\(probe): \(error)")
            }
        }
        if !denial.reasons.isEmpty { return ResultBuilder.denied(job: id, denial, now: now) }

        if job.probeDir != nil {
            // A bulk job: explicit probes and the folder's, one record a line beside the summary (BulkRunner.swift).
            let runner = BulkRunner(layout: layout, evidence: evidence, searcher: searcher, logger: logger, clock: clock,
                                    workers: bulkWorkers, batchSize: bulkBatchSize)
            let count = try runner.run(id: id, explicit: records, probes: bulk, maxCandidates: maxCandidates,
                                       threshold: threshold)
            return ResultBuilder.completed(job: id, request: job, probes: [], probeCount: count, searcher: searcher,
                                           threshold: threshold, maxCandidates: maxCandidates, now: now)
        }
        return ResultBuilder.completed(job: id, request: job, probes: records, probeCount: nil, searcher: searcher,
                                       threshold: threshold, maxCandidates: maxCandidates, now: now)
    }

    /// Finishes a job: result, final audit record, ledger, move, each step skipped if done before.
    ///
    /// The result (and a bulk job's lines, and the sheet) is given to the group of the requester's
    /// agency, mode 0640, when the requester is established: their agency's staff read it, nobody else
    /// but the daemon's account. The status board gets the job's final record.
    func finish(_ claim: ClaimedJob, result: JobResult, resultWritten: Bool, reason: String?) throws {
        let id = claim.id
        let user = try result.requester.flatMap { try registry.user($0) }
        let authenticated = user?.uid == claim.status.owner && !result.reasons.contains(.requesterIdentityMismatch)
        var context = JobContext(result: result, agency: user?.agency, ownerUID: claim.status.owner,
                                 authenticated: authenticated)
        context.jobSHA256 = jobFileSHA256(claim)
        let readers = try context.agency.flatMap { try registry.agency($0) }?.group
        if !resultWritten {
            try DurableFile.write(try result.encoded(), to: layout.resultFile(id), via: layout.tmp, mode: 0o640,
                                  group: readers)
        }
        if let readers, FileStatus.exists(layout.resultLines(id)) {
            try Accounts.changeOwner(layout.resultLines(id), uid: nil, gid: readers)
        }
        try checkpoint?(.resultWritten, id)
        writeSheet(result, group: readers)  // the examiner's sheet (JobProcessor+Sheet.swift); never fails the job
        // A final record can exist only if a result was written before (a resumed job).
        if try !(resultWritten && hasFinalAuditRecord(id)) {
            // The offense goes into the final record for the annual report's counts by crime type.
            var details = result.probeCount.map { ["probes": "\($0)"] } ?? [:]
            if claim.name != id + ".json" { details["file"] = claim.name }
            if let offense = result.offense { details["offense"] = offense }
            details.merge(result.provenanceDetails) { a, _ in a }  // probe_source, probe_edits
            try record(context.event(
                result.decision.auditEvent, outcome: result.decision.rawValue, reasons: result.reasons.map(\.rawValue),
                probeSHA256: result.probes.compactMap(\.sha256), candidates: try layout.resultFiles.candidateCount(of: result),
                details: details))
        }
        try checkpoint?(.finalAuditWritten, id)
        try ledger.markFinished(id, decision: result.decision.rawValue, now: clock())
        try checkpoint?(.ledgerFinished, id)
        publishStatus(context, state: .finished, result: result)
        try moveOn(claim, outcome: result.decision, reason: reason ?? result.messages.first)
        logger.info("job finished", ["job": id, "decision": result.decision.rawValue,
                                     "reasons": result.reasons.map(\.rawValue).joined(separator: ",")])
    }

    /// Moves a finished job out of `active/`: `done/`, or `failed/` with a reason file beside it.
    func moveOn(_ claim: ClaimedJob, outcome: JobOutcome, reason: String?) throws {
        let directory = outcome == .failed ? layout.failed : layout.done
        if outcome == .failed {
            let text = (reason ?? "failed") + "\n"
            let name = filedName(claim, in: directory)
            try DurableFile.write(Array(text.utf8), to: directory + "/" + name + ".reason", via: layout.tmp)
        }
        try file(claim, into: directory)
        if claim.kind == .job {
            discardDropFolder(job: claim.id)
            try? DurableFile.remove(layout.heldCopy(for: claim.id))
        }
    }

    /// Renames a claimed file from `active/` into `directory` under ``filedName(_:in:)``, never
    /// over another file.
    func file(_ claim: ClaimedJob, into directory: String) throws {
        // Another account's directory stays where it was answered (ClaimedJob.leftInPlace).
        guard !claim.leftInPlace else { return }
        try DurableFile.renameNoReplace(claim.path, to: directory + "/" + filedName(claim, in: directory))
    }

    /// SHA-256 of a claimed job file's bytes, read again through its locked descriptor; `nil` when it
    /// has none (a non-regular entry, a file the daemon cannot open) or cannot be read.
    func jobFileSHA256(_ claim: ClaimedJob) -> String? {
        guard let fd = claim.descriptor, lseek(fd.rawValue, 0, SEEK_SET) == 0,
              let bytes = try? fd.readAll(limit: JobRequest.maximumFileBytes)
        else { return nil }
        return SHA256.hex(bytes)
    }

    /// The result file of a job, if one was written.
    func existingResult(_ id: String) throws -> JobResult? {
        let path = layout.resultFile(id)
        guard FileStatus.exists(path) else { return nil }
        return try JobResult.decode(try DurableFile.read(path))
    }

    /// Appends an audit record at the processor's clock.
    func record(_ event: AuditEvent) throws {
        try audit.append(event, now: clock())
    }

    /// Whether the audit log holds a final record for `job` (only asked when resuming a job whose
    /// result file exists: a crash may have come between the record and the ledger).
    func hasFinalAuditRecord(_ job: String) throws -> Bool {
        let finals = Set(JobOutcome.allCases.map(\.auditEvent))
        // Only days since the job was first seen can hold its records.
        let since = (try ledger.entry(job)).map { String($0.received.prefix(10)) }
        return try AuditReader(directory: layout.audit).records(from: since).contains {
            $0.event.job == job && finals.contains($0.event.event)
        }
    }

    // MARK: - Approval requests

    /// Records a refused approval request and files it in `done/`.
    func refuseApproval(_ claim: ClaimedJob, _ reasons: [String], _ message: String, actor: String, job: String?) throws {
        try record(AuditEvent(event: "job.approval-refused", actor: actor, job: job, outcome: "denied",
                              reasons: reasons, details: ["message": message, "request": claim.name]))
        try file(claim, into: layout.done)
        logger.warning("approval request refused", ["request": claim.name, "reason": message])
    }

    func processApproval(_ claim: ClaimedJob) throws {
        let now = clock()
        guard let (request, owner) = try readRequest(
            claim, maximumBytes: ApprovalRequest.maximumFileBytes, parse: ApprovalRequest.parse,
            refuse: { reasons, message, actor in try refuseApproval(claim, reasons, message, actor: actor, job: nil) }
        ) else { return }
        // The request must come from the supervisor's own account before anything else is looked at.
        let supervisor = try registry.requester(request.supervisor)
        guard let supervisor, supervisor.uid == owner else {
            return try refuseApproval(claim, [ReasonCode.supervisorNotAuthorized.rawValue],
                                      "the request file is not owned by the supervisor's account",
                                      actor: "uid:\(owner)", job: request.job)
        }
        let heldPath = layout.jobFile(request.job, in: layout.held)
        let entry = try ledger.entry(request.job)
        guard FileStatus.exists(heldPath) else {
            if let entry, entry.approver == request.supervisor, entry.state != .held {
                // Applied before a crash; only the request file was left.
                try file(claim, into: layout.done)
                return
            }
            return try refuseApproval(claim, [], "job \(request.job) is not held", actor: request.supervisor, job: request.job)
        }
        // Judged on the private copy taken at hold time, never on the requester's file; anything
        // that cannot be read or identified refuses the approval (fail closed).
        let copy: [UInt8]
        switch try heldCopy(request.job) {
        case .success(let bytes): copy = bytes
        case .failure(let why):
            return try refuseApproval(claim, [why.code.rawValue], why.message, actor: request.supervisor, job: request.job)
        }
        guard let heldRequest = try? JobRequest.parse(copy).get(), let jobUser = try registry.user(heldRequest.requester),
              let jobOwner = try ledger.file(request.job)?.owner
        else {
            return try refuseApproval(claim, [ReasonCode.inputMalformed.rawValue],
                                      "the held job's requester or owner cannot be established", actor: request.supervisor,
                                      job: request.job)
        }
        let supervisorAgency = try registry.policyAgency(supervisor.agency)
        var reasons = gate.approvalReasons(supervisor: supervisor, agency: supervisorAgency,
                                           jobRequester: heldRequest.requester, jobAgency: jobUser.agency,
                                           fileOwnerUID: owner, now: now)
        // One person, two roles: the uid decides, not the user id.
        if supervisor.uid == jobOwner || supervisor.uid == jobUser.uid, !reasons.contains(.supervisorSelfApproval) {
            reasons.append(.supervisorSelfApproval)
        }
        guard reasons.isEmpty else {
            return try refuseApproval(claim, reasons.map(\.rawValue), "the supervisor may not decide this job",
                              actor: request.supervisor, job: request.job)
        }
        let approved = request.decision == .approve
        // A retry after the rename below failed (a file queued under the job's name, say) records nothing twice.
        let recorded = entry?.state == .queued && entry?.approver == request.supervisor
            && entry?.approval == (approved ? "approved" : "rejected")
        if !recorded {
            try ledger.recordApproval(request.job, approved: approved, by: request.supervisor, note: request.note, now: now)
            try record(AuditEvent(
            event: approved ? "job.approved" : "job.rejected", actor: request.supervisor, agency: supervisor.agency,
            job: request.job, purpose: heldRequest.purpose, caseNumber: heldRequest.caseNumber,
            outcome: approved ? "approved" : "rejected",
                details: approvalDetails(copy: copy, note: request.note)))
        }
        try DurableFile.renameNoReplace(heldPath, to: layout.jobFile(request.job, in: layout.incoming))
        try file(claim, into: layout.done)
        logger.info("held job \(approved ? "approved" : "rejected")", ["job": request.job, "supervisor": request.supervisor])
    }
}

extension JobProcessor {
    /// The details of a `job.approved` or `job.rejected` record: the hash of the copy decided on, and the note.
    func approvalDetails(copy: [UInt8], note: String?) -> [String: String] {
        var details = ["job_sha256": SHA256.hex(copy)]
        if let note { details["note"] = note }
        return details
    }
}

/// Thrown by a test's checkpoint to stop processing as a crash would.
public struct SimulatedCrash: Error, Equatable {
    public var at: JobProcessor.HandOff
    public init(at: JobProcessor.HandOff) { self.at = at }
}

extension Result<JobRequest, JobParseFailure> {
    /// The requester the job file names (not authenticated).
    var claimedRequester: String? {
        switch self {
        case .success(let job): job.requester
        case .failure(let failure): failure.requester
        }
    }
}

extension JobDenial {
    mutating func add(_ code: ReasonCode, _ message: String) {
        if !reasons.contains(code) { reasons.append(code) }
        messages.append("\(code.rawValue): \(message)")
    }
}
