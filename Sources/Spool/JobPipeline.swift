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

/// The job room: takes one claimed job file from `active/` through policy, search, result and
/// final audit record into `done/` or `failed/` (or into `held/`).
///
/// **Exactly once.** The hand-off order for a job is: result file durable in the outbox → final
/// audit record appended → ledger marked finished → job file renamed out of `active/`. A job met
/// again after a crash is resumed from the first step not yet done: a finished ledger entry only
/// moves the file on; an existing result file is never rewritten, and its final audit record is
/// written only if the audit log does not hold one for the job. So each job ends with exactly one
/// result file and one final record (`job.completed`, `job.denied` or `job.failed`).
///
/// The job is read and established once, at claim time (``JobRecord``), and that record is
/// carried to ``finish(_:_:result:resultWritten:reason:)``.
final class JobPipeline: SpoolRoom {
    let services: SpoolServices
    let searcher: any ProbeSearcher
    /// Attempts before a job that keeps failing is quarantined in `failed/`.
    let maxAttempts: Int
    /// Called after each hand-off step; a test throws from it to simulate a crash at that point.
    let checkpoint: (@Sendable (JobProcessor.HandOff, String) throws -> Void)?
    /// Probe images of a bulk job searched at once.
    let bulkWorkers = ProcessInfo.processInfo.activeProcessorCount
    /// Probes of a bulk job per batch (records are appended after each batch).
    let bulkBatchSize: Int

    init(services: SpoolServices, searcher: any ProbeSearcher, maxAttempts: Int,
         checkpoint: (@Sendable (JobProcessor.HandOff, String) throws -> Void)?, bulkBatchSize: Int?) {
        self.services = services
        self.searcher = searcher
        self.maxAttempts = maxAttempts
        self.checkpoint = checkpoint
        self.bulkBatchSize = max(1, bulkBatchSize ?? max(8, 4 * ProcessInfo.processInfo.activeProcessorCount))
    }

    /// What one reading of a claimed job gave: the record, the request as parsed, the file's
    /// identity and a supervisor's decision on it.
    struct ReadJob {
        var record: JobRecord
        var parsed: Result<JobRequest, JobParseFailure>
        var identity: JobFileIdentity
        var bytes: [UInt8]?
        var supervisor: SupervisorDecision?
        /// The registry's entry for the requester the file names (looked up once), if registered.
        var user: UserRecord?
    }

    func process(_ dropped: ClaimedJob) throws {
        // The id this file answers under, and a refusal that decides it (JobPipeline+Identity.swift).
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
        let exhausted = attempt > maxAttempts
        // Every attempt failed: quarantine with a failed result, reading the job only if it can be.
        let read = exhausted ? ((try? readJob(claim, refusal: refusal)) ?? unreadable(claim)) : try readJob(claim, refusal: refusal)
        // A result file that cannot be read (never torn: it is renamed into place) fails the
        // attempt, until the attempts are used up.
        if let existing = exhausted ? ((try? existingResult(id)) ?? nil) : try existingResult(id) {
            logger.warning("resuming a job whose result was written", ["job": id])
            try finish(claim, read.record, result: existing, resultWritten: true, reason: nil)
            return
        }
        let claimedDetails = ["attempt": "\(attempt)", "recovered": "\(claim.recovered)"]
        if exhausted {
            try record(read.record.event(.jobClaimed, outcome: "claimed", details: claimedDetails))
            let message = (try ledger.entry(id))?.lastError ?? "the job failed \(maxAttempts) times"
            let result = ResultBuilder.failed(job: id, requester: read.record.requester, purpose: read.record.purpose,
                                              caseNumber: read.record.caseNumber, message: message, now: now)
            try finish(claim, read.record, result: result, resultWritten: false, reason: message)
            return
        }

        var job = read.record
        job.claim = ClaimMark(device: claim.status.device, inode: claim.status.inode)
        let requester = read.user?.requester
        let agency = try requester.flatMap { try registry.policyAgency($0.agency) }
        if job.authenticated, refusal == nil, let agency = job.agency {
            try ledger.setAgency(id, agency)  // the job's evidence folder is its agency's
        }
        if job.authenticated { try registry.recordActivity(uid: job.ownerUID, now: now) }  // AccountHousekeeping
        if firstSeen {
            try record(job.event(.jobReceived, outcome: "received"))
        }
        try record(job.event(.jobClaimed, outcome: "claimed", details: claimedDetails))

        views.publish(job, state: .running)
        var verdict = JobEvaluation.evaluate(parsed: read.parsed, identity: read.identity, requester: requester,
                                             agency: agency, supervisor: read.supervisor, gate: gate, now: now)
        if let refusal {
            verdict = .deny(JobDenial(reasons: [refusal.code], messages: [refusal.message], requester: job.requester,
                                      purpose: job.purpose, caseNumber: job.caseNumber))
        }
        // The images dropped beside the job are taken in (limits checked first) before it runs or
        // is held (JobPipeline+DropFolder.swift); a flooded drop folder denies the job.
        switch verdict {
        case .run(let request), .hold(let request, _):
            do {
                try takeInOnce(job: id, owner: job.ownerUID, request: request)
            } catch let refused as JobRefusal {
                verdict = .deny(JobDenial(reasons: [refused.code], messages: [refused.message], requester: request.requester,
                                          purpose: request.purpose, caseNumber: request.caseNumber, offense: request.offense))
            }
        case .deny: break
        }
        var result: JobResult
        switch verdict {
        case .deny(let denial):
            result = ResultBuilder.denied(job: id, denial, now: now)
        case .hold(let request, let terms):
            try hold(claim, job, request: request, terms: terms, bytes: read.bytes ?? [], now: now)
            return
        case .run(let request):
            result = try run(request, job: job, now: now)
        }
        if read.supervisor != nil { result.approval = try approval(id, parsed: read.parsed) }
        try finish(claim, job, result: result, resultWritten: false, reason: nil)
    }

    /// A supervisor's decision on a held job, for its result: from the ledger, with the watch terms
    /// the request (the private copy decided on) matches.
    func approval(_ id: String, parsed: Result<JobRequest, JobParseFailure>) throws -> SupervisorApproval? {
        guard let entry = try ledger.entry(id), let decision = entry.approval else { return nil }
        let terms = (try? parsed.get()).map { gate.watchTerms(in: $0) } ?? []
        return SupervisorApproval(decision: decision, approver: entry.approver ?? "?", note: entry.approvalNote, watchTerms: terms)
    }

    /// Reads a claimed job once: the file through its locked descriptor, or, when a supervisor
    /// decided on it, the private copy taken at hold time (that copy is the job, whatever the file in
    /// the queue says now); then establishes its record.
    func readJob(_ claim: ClaimedJob, refusal: JobRefusal?) throws -> ReadJob {
        let (identity, readBytes) = try readJobFile(claim)
        var bytes = readBytes
        var unread = claim.openError.map {
            [JobParseFailure.Issue(code: .inputMalformed, field: "", message: "the job file cannot be opened: \($0)")]
        } ?? []
        let supervisor = try ledger.entry(claim.id).flatMap { $0.approval }.flatMap(SupervisorDecision.init(rawValue:))
        if supervisor != nil, refusal == nil {
            switch try heldCopy(claim.id) {  // JobPipeline+Hold.swift
            case .success(let copy): bytes = copy
            case .failure(let why):
                bytes = nil
                unread = [JobParseFailure.Issue(code: why.code, field: "", message: why.message)]
            }
        }
        let parsed: Result<JobRequest, JobParseFailure> = bytes.map { JobRequest.parse($0) }
            ?? .failure(JobParseFailure(issues: unread))
        let user = try parsed.fields.requester.flatMap { try registry.user($0) }
        let record = try JobRecord.establish(job: claim.id, bytes: bytes, parsed: parsed, identity: identity, user: user,
                                             registry: registry)
        return ReadJob(record: record, parsed: parsed, identity: identity, bytes: bytes, supervisor: supervisor, user: user)
    }

    /// The reading of a job that cannot be read at all (its attempts used up): its owner only.
    func unreadable(_ claim: ClaimedJob) -> ReadJob {
        let identity = JobFileIdentity(ownerUID: claim.status.owner)
        return ReadJob(record: JobRecord(job: claim.id, ownerUID: identity.ownerUID, authenticated: false),
                       parsed: .failure(JobParseFailure(issues: [])), identity: identity)
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
        let result: Result<[UInt8], SystemCallError> = Result { () throws(SystemCallError) in
            try fd.readAll(from: 0, limit: JobRequest.maximumFileBytes)
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
    func run(_ request: JobRequest, job: JobRecord, now: Date) throws -> JobResult {
        let id = job.job
        let agency = job.agency
        // The calibrated threshold for the policy's target (OperatingThreshold.swift); the searcher
        // applies the policy's candidate list and the result records where the threshold came from.
        let operating = OperatingThreshold.choose(policy: gate.config, requested: request.threshold,
                                                  calibration: self.searcher.calibration)
        let threshold = operating.threshold, searcher = operating.searcher(self.searcher)
        let maxCandidates = request.maxCandidates ?? gate.config.defaultMaxCandidates
        var denial = JobDenial(reasons: [], requester: request.requester, purpose: request.purpose,
                               caseNumber: request.caseNumber, offense: request.offense)

        var resolved: [(probe: String, path: String)] = []
        for probe in request.probes {
            do {
                let path = try evidence.resolve(probe)
                try checkAccess(probe, canonicalPath: path, job: id, agency: agency)
                resolved.append((probe, path))
            } catch let error as ProbeRejection {
                denial.add(error.code, error.description)
            }
        }
        var bulk: [BulkRunner.Probe] = []
        if let folder = request.probeDir {
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
        // The job's processor time, against the policy's max_job_cpu_seconds (each probe's own budget
        // is max_probe_cpu_seconds, enforced by the searcher).
        let cpu = JobCPUAccount()
        let cpuLimit = gate.config.maxJobCPUSeconds
        for (probe, path) in resolved {
            guard cpu.spent <= cpuLimit else {
                denial.add(.inputJobCPUBudget, "the job's probes took \(Int(cpu.spent)) s of processor time; the policy allows "
                           + "\(Int(cpuLimit)) s (max_job_cpu_seconds): split the job, or ask for a larger budget")
                break
            }
            do {
                let bytes = try evidence.read(canonicalPath: path, probe: probe)
                let faces = try cpu.run {
                    try searcher.search(imageBytes: bytes, maxCandidates: maxCandidates, threshold: threshold)
                }
                records.append(ProbeRecord(image: probe, sha256: SHA256.hex(bytes), faces: faces))
            } catch let error as ProbeRejection {
                denial.add(error.code, error.description)
            } catch let error as ProbeImageError {
                denial.add(error.reason, "\(probe): \(error)")
            }
        }
        if !denial.reasons.isEmpty { return ResultBuilder.denied(job: id, denial, now: now) }

        if request.probeDir != nil {
            // A bulk job: explicit probes and the folder's, one record a line beside the summary (BulkRunner.swift).
            var runner = BulkRunner(layout: layout, evidence: evidence, searcher: searcher, logger: logger, clock: clock,
                                    workers: bulkWorkers, batchSize: bulkBatchSize)
            (runner.cpu, runner.cpuLimit) = (cpu, cpuLimit)
            // The requester reads the progress on the board (frs status JOB).
            runner.onProgress = { [views] figures in views.publish(job, state: .running, progress: figures) }
            let count = try runner.run(id: id, explicit: records, probes: bulk, maxCandidates: maxCandidates,
                                       threshold: threshold)
            return ResultBuilder.completed(job: id, request: request, probes: [], probeCount: count, searcher: searcher,
                                           threshold: threshold, maxCandidates: maxCandidates, now: now)
        }
        return ResultBuilder.completed(job: id, request: request, probes: records, probeCount: nil, searcher: searcher,
                                       threshold: threshold, maxCandidates: maxCandidates, now: now)
    }
}

extension JobDenial {
    mutating func add(_ code: ReasonCode, _ message: String) {
        if !reasons.contains(code) { reasons.append(code) }
        messages.append("\(code.rawValue): \(message)")
    }
}
