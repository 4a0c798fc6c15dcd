import Audit
import Foundation
import Policy
import Results
import Store

/// Checks and records an examiner's review: the same rules whether the daemon applies a request
/// from the drop box or `frs review` records it directly.
///
/// A review is recorded only when the examiner is registered for the acting OS account, active,
/// vetted, trained within the policy's validity, of an agency whose access is not terminated,
/// in a role that may review (``Policy/Role/canReview``) and of the requester's agency, and when
/// the job completed with that face and that candidate in its result. With peer review (the
/// policy's `peer_review`, the default) also: the examiner is not the job's requester (by OS
/// account); the lead is still pending (a released, rejected or disputed lead is not changed by a
/// further examiner); and the examiner is not the person who made the lead's other review under
/// another user id. An examiner may revise their own review while the lead is pending.
///
/// Every outcome is audited: `review.recorded` (with `details["disposition"]` and
/// `details["candidate"]`, which the audit report counts) or `review.refused` with the reasons;
/// and when a review settles the lead, `lead.released`, `lead.disputed` or `lead.rejected`.
public struct ReviewRecorder {
    /// What became of a review.
    public typealias Outcome = AppliedRequest

    public let results: ResultFiles
    let database: Database
    let registry: Registry
    let log: ReviewLog
    let leads: Leads
    let audit: AuditLog
    let clock: @Sendable () -> Date
    /// Whether two examiners are needed (the policy's `peer_review`).
    public let peerReview: Bool
    /// The policy examiners are checked against (vetted, trained, agency not terminated).
    let gate: PolicyGate

    /// - Parameters:
    ///   - results: the outbox's results directory (the reviewed jobs' results).
    ///   - database: a connection to the spool's database.
    ///   - audit: the spool's audit log.
    ///   - policy: the spool's policy (`peer_review`; training validity and agency termination,
    ///     which examiners are checked against like requesters).
    ///   - clock: the time source.
    /// - Throws: `DatabaseError` when the review tables cannot be created.
    public init(results: ResultFiles, database: Database, audit: AuditLog, policy: PolicyConfig,
                clock: @escaping @Sendable () -> Date = { Date() }) throws {
        let peerReview = policy.peerReview
        self.gate = PolicyGate(config: policy)
        self.results = results
        self.database = database
        registry = Registry(database: database)
        log = try ReviewLog(database: database)
        leads = try Leads(results: results, database: database, peerReview: peerReview)
        self.audit = audit
        self.peerReview = peerReview
        self.clock = clock
    }

    /// Checks and records `review`.
    /// - Parameters:
    ///   - review: what the examiner asks to record.
    ///   - ownerUID: the OS account it comes from (the request file's owner, or the invoking account).
    ///   - request: the drop-box file name, when it came through the drop box.
    /// - Returns: the outcome: `alreadyRecorded` only for the very request recorded before (same
    ///   name, owner and content, ``RequestKey``); another file under a recorded name is judged anew.
    /// - Throws: database and audit log errors (the request may then be applied again).
    public func apply(_ review: ReviewRequest, ownerUID: UInt32, request: String?) throws -> Outcome {
        let key = request.map { RequestKey(review, name: $0, owner: ownerUID) }
        if let request, let key, try log.hasRequest(key) {
            try repairAudit(review, request: request)
            return .alreadyRecorded
        }
        do {
            try review.checkFields()
        } catch {
            return try refuse(review, LeadRules.Refusal(.inputMalformed, error.message, agency: nil),
                              ownerUID: ownerUID, request: request)
        }
        let rules = LeadRules(registry: registry, results: results, gate: gate, now: clock())
        let checked: LeadRules.Checked
        switch try rules.check(actor: review.examiner, ownerUID: ownerUID, job: review.job, face: review.face,
                               candidate: review.candidate, mayAct: { _, role, _ in
            guard let role, role.canReview else {
                return (.requesterRole, "\(LeadRules.article(role?.rawValue ?? "unknown role")) may not record dispositions")
            }
            return nil
        }) {
        case .failure(let refusal): return try refuse(review, refusal, ownerUID: ownerUID, request: request)
        case .success(let passed): checked = passed
        }
        if peerReview, let requester = checked.requester, requester.uid == ownerUID {
            return try refuse(review, LeadRules.Refusal(
                .reviewSelfReview, "\(review.examiner) is the job's requester (\(requester.id)) by OS account; "
                    + "candidates are reviewed by another examiner", agency: checked.actor.agency),
                ownerUID: ownerUID, request: request)
        }
        let change: Result<(before: LeadState, after: LeadState), LeadRules.Refusal> = try database.transaction {
            let before = try leads.lead(job: review.job, face: review.face, candidate: review.candidate)
            if peerReview {
                guard before.status.isOpen else {
                    return .failure(LeadRules.Refusal(
                        .reviewLeadSettled, "the lead is \(before.status.rawValue); "
                            + (before.status == .disputed ? "a supervisor resolves it (frs resolve)" : "a further review cannot change it"),
                        agency: checked.actor.agency))
                }
                if let earlier = before.reviews.first(where: { $0.examinerUID == ownerUID && $0.examiner != review.examiner }) {
                    return .failure(LeadRules.Refusal(
                        .reviewSameExaminer, "the lead's review by \(earlier.examiner) came from the same OS account; "
                            + "the second review must be another person's", agency: checked.actor.agency))
                }
            }
            try log.record(review, examinerUID: ownerUID, request: request, key: key?.stored, now: clock())
            return .success((before, try leads.lead(job: review.job, face: review.face, candidate: review.candidate)))
        }
        switch change {
        case .failure(let refusal):
            return try refuse(review, refusal, ownerUID: ownerUID, request: request)
        case .success(let (before, after)):
            try recordAudit(review, agency: checked.actor.agency, result: checked.result, request: request)
            if after.status != before.status, after.status != .pending {
                try auditLead(after, actor: review.examiner, agency: checked.actor.agency, result: checked.result, request: request)
            }
            return .recorded
        }
    }

    func refuse(_ review: ReviewRequest, _ refusal: LeadRules.Refusal, ownerUID: UInt32, request: String?) throws -> Outcome {
        var details = ["message": refusal.message, "candidate": review.candidate, "face": "\(review.face)",
                       "disposition": review.disposition.rawValue]
        details["request"] = request
        try audit.append(AuditEvent(.reviewRefused, actor: refusal.agency == nil ? "uid:\(ownerUID)" : review.examiner,
            agency: refusal.agency, job: review.job, outcome: "denied", reasons: refusal.reasons.map(\.rawValue),
            details: details), now: clock())
        return .refused(reasons: refusal.reasons, message: refusal.message)
    }

    func recordAudit(_ review: ReviewRequest, agency: String?, result: JobResult?, request: String?) throws {
        var details = ["disposition": review.disposition.rawValue, "candidate": review.candidate, "face": "\(review.face)"]
        details["note"] = review.note
        details["request"] = request
        try audit.append(AuditEvent(.reviewRecorded, actor: review.examiner, agency: agency, job: review.job,
            purpose: result?.purpose, caseNumber: result?.caseNumber, outcome: "recorded", details: details), now: clock())
    }

    /// `lead.released`, `lead.disputed` or `lead.rejected`: the lead settled.
    func auditLead(_ lead: LeadState, actor: String, agency: String?, result: JobResult?, request: String?) throws {
        var details = ["face": "\(lead.face)", "candidate": lead.candidate,
                       "examiners": lead.inForce.map(\.examiner).joined(separator: ","),
                       "dispositions": lead.inForce.map(\.disposition.rawValue).joined(separator: ",")]
        details["request"] = request
        try audit.append(AuditEvent(
            .lead(lead.status.rawValue), actor: actor, agency: agency, job: result?.job,
            purpose: result?.purpose, caseNumber: result?.caseNumber, outcome: lead.status.rawValue, details: details),
            now: clock())
    }

    /// After a crash between the database and the audit log: writes the records a recorded
    /// drop-box request is missing.
    func repairAudit(_ review: ReviewRequest, request: String) throws {
        let examiner = try registry.user(review.examiner)
        let result = (try? results.result(review.job)) ?? nil
        if try !audit.holds(.reviewRecorded, request: request) {
            try recordAudit(review, agency: examiner?.agency, result: result, request: request)
        }
        let lead = try leads.lead(job: review.job, face: review.face, candidate: review.candidate)
        if lead.status != .pending, lead.resolution == nil, lead.inForce.contains(where: { $0.request == request }),
           try !audit.holds(.lead(lead.status.rawValue), request: request) {
            try auditLead(lead, actor: review.examiner, agency: examiner?.agency, result: result, request: request)
        }
    }
}
