import Audit
import Foundation
import Hashing
import Policy
import Reviews
import SystemCalls

/// The request room: requests about things that exist, dropped by people from their own accounts
/// — a supervisor's approval or rejection of a held job (`.approval`), an examiner's review
/// (`.review`), a supervisor's resolution of a disputed lead (`.resolution`), an outcome
/// (`.outcome`).
///
/// Each is authenticated by its file's owner uid, on the file in hand (a plain file with one link,
/// read through its locked descriptor), applied or refused, audited, filed in `done/`, and
/// **answered**: its author finds the answer — accepted, or refused with reason codes and a
/// sentence — in `frs status` (``RequestAnswers``).
final class RequestDesk: SpoolRoom {
    let services: SpoolServices

    init(services: SpoolServices) {
        self.services = services
    }

    /// Processes one claimed request.
    func process(_ claim: ClaimedJob) throws {
        // The per-account limit, as for jobs: a flood of requests is refused at once, cheaply.
        let limit = gate.config.maxQueuedPerAccount
        if !claim.recovered, claim.queuedAhead >= limit {
            return try refuse(claim, event: claim.kind.refusedEvent, reasons: [ReasonCode.inputQueueLimit.rawValue],
                              message: "uid \(claim.status.owner) had \(claim.queuedAhead) requests waiting ahead of this one; "
                                  + "the limit is \(limit)", actor: "uid:\(claim.status.owner)", owner: claim.status.owner, job: nil)
        }
        switch claim.kind {
        case .job: preconditionFailure("a job file is the pipeline's")
        case .approval: try processApproval(claim)
        case .review:
            try processLeadRequest(claim, refusedEvent: claim.kind.refusedEvent, parse: ReviewRequest.parse) { request, owner in
                try ReviewRecorder(results: layout.resultFiles, database: database, audit: audit, policy: gate.config,
                                   clock: clock)
                    .apply(request, ownerUID: owner, request: claim.name)
            }
        case .resolution:
            try processLeadRequest(claim, refusedEvent: claim.kind.refusedEvent, parse: ResolutionRequest.parse) { request, owner in
                try ResolutionRecorder(results: layout.resultFiles, database: database, audit: audit, policy: gate.config,
                                       clock: clock)
                    .apply(request, ownerUID: owner, request: claim.name)
            }
        case .outcome:
            try processLeadRequest(claim, refusedEvent: claim.kind.refusedEvent, parse: OutcomeRequest.parse) { request, owner in
                try OutcomeRecorder(results: layout.resultFiles, database: database, audit: audit, policy: gate.config,
                                    clock: clock)
                    .apply(request, ownerUID: owner, request: claim.name)
            }
        case .admin: try processAdmin(claim)
        case .booking, .removal: try processFeed(claim)
        }
    }

    // MARK: - Answers

    /// Answers a request's author. An answer that cannot be written is logged, not thrown: the
    /// request was applied (or refused) and audited, and must not be applied again.
    func answer(_ claim: ClaimedJob, job: String?, owner: UInt32, state: RequestAnswer.State, reasons: [String] = [],
                message: String, output: [String]? = nil) {
        let answer = RequestAnswer(request: claim.name, kind: claim.kind.suffix, job: job, uid: owner, state: state,
                                   reasons: reasons, message: message, answered: clock(), output: output)
        do {
            if try !layout.answers.write(answer) {
                logger.warning("this filesystem has no ACLs: answers are readable by whoever knows their names",
                               ["uid": "\(owner)"])
            }
        } catch {
            logger.error("request answered in the audit log only: its answer file cannot be written",
                         ["request": claim.name, "error": "\(error)"])
        }
    }

    /// Refuses a request: audited as `event`, filed in `done/`, answered.
    func refuse(_ claim: ClaimedJob, event: AuditEventName, reasons: [String], message: String, actor: String, owner: UInt32,
                job: String?) throws {
        var details = ["message": message, "request": claim.name]
        if actor.hasPrefix("uid:") == false { details["uid"] = "\(owner)" }
        try record(AuditEvent(event, actor: actor, job: job, outcome: "denied", reasons: reasons, details: details))
        try file(claim, into: layout.done)
        answer(claim, job: job, owner: owner, state: .refused, reasons: reasons, message: message)
        logger.warning("\(claim.kind.suffix) request refused", ["request": claim.name, "reason": message])
    }

    // MARK: - Reading a request

    /// The prelude every drop-box request shares: the claimed file must be a plain file with one
    /// link, read through its locked descriptor and parsed with a size limit; anything else is
    /// refused (audited as `refusedEvent`, answered to the file's owner).
    /// - Returns: the request and the uid it speaks for (the file's owner), or `nil` when refused.
    func readRequest<Request: DropBoxRequest>(
        _ claim: ClaimedJob, refusedEvent: AuditEventName, parse: ([UInt8]) throws -> Request
    ) throws -> (Request, UInt32)? {
        let mismatch = [ReasonCode.requesterIdentityMismatch.rawValue]
        let owner = claim.status.owner
        guard let fd = claim.descriptor, claim.status.isRegularFile else {
            try refuse(claim, event: refusedEvent, reasons: mismatch,
                       message: claim.openError.map { "the request cannot be opened: \($0)" } ?? "the request is not a regular file",
                       actor: "uid:\(owner)", owner: owner, job: nil)
            return nil
        }
        let status = try fd.status()
        guard status.linkCount == 1 else {
            try refuse(claim, event: refusedEvent, reasons: mismatch, message: "the request has \(status.linkCount) links",
                       actor: "uid:\(status.owner)", owner: status.owner, job: nil)
            return nil
        }
        do {
            let request = try parse(try fd.readAll(from: 0, limit: Request.maximumFileBytes))
            try registry.recordActivity(uid: status.owner, now: clock())  // AccountHousekeeping
            return (request, status.owner)
        } catch {
            try refuse(claim, event: refusedEvent, reasons: [ReasonCode.inputMalformed.rawValue],
                       message: "not a \(Request.kind) request: \(error)", actor: "uid:\(status.owner)",
                       owner: status.owner, job: nil)
            return nil
        }
    }

    // MARK: - Requests about a lead

    /// Reads a request about a lead, applies it as its owner uid, files it in `done/`, answers it,
    /// and renders the job's sheet and status board record again when something was recorded.
    func processLeadRequest<Request: DropBoxRequest>(
        _ claim: ClaimedJob, refusedEvent: AuditEventName, parse: ([UInt8]) throws -> Request,
        apply: (Request, UInt32) throws -> AppliedRequest
    ) throws {
        guard let (request, owner) = try readRequest(claim, refusedEvent: refusedEvent, parse: parse) else { return }
        let outcome = try apply(request, owner)  // audits its own refusals
        try file(claim, into: layout.done)
        switch outcome {
        case .recorded, .alreadyRecorded:
            logger.info("\(Request.kind) recorded", ["job": request.job, "request": claim.name])
            // The sheet and board first: an author who reads "accepted" then finds the lead as it now stands.
            views.leadChangedLogged(job: request.job)
            answer(claim, job: request.job, owner: owner, state: .accepted, message: "\(Request.kind) recorded on job \(request.job)")
        case .refused(let reasons, let message):
            logger.warning("\(Request.kind) refused", ["request": claim.name, "reasons": reasons.map(\.rawValue).joined(separator: ","), "reason": message])
            answer(claim, job: request.job, owner: owner, state: .refused, reasons: reasons.map(\.rawValue), message: message)
        }
    }
}

extension ClaimedJob.Kind {
    /// The file name's extension of a request of this kind (`json` for a job).
    public var suffix: String {
        switch self {
        case .job: "json"
        case .approval: ApprovalRequest.kind
        case .review: ReviewRequest.kind
        case .resolution: ResolutionRequest.kind
        case .outcome: OutcomeRequest.kind
        case .admin: AdminRequest.kind
        case .booking: "an2"
        case .removal: RemovalRequest.kind
        }
    }

    /// Every file name extension of this kind (a booking transaction has four).
    public var suffixes: [String] { self == .booking ? ["an2", "eft", "ebts", "nist"] : [suffix] }

    /// The audit event of a refused request of this kind.
    var refusedEvent: AuditEventName {
        switch self {
        case .job: .jobDenied
        case .approval: .jobApprovalRefused
        case .review: .reviewRefused
        case .resolution: .resolutionRefused
        case .outcome: .outcomeRefused
        case .admin: .adminRequestRefused
        case .booking, .removal: .galleryFeedRefused
        }
    }
}
