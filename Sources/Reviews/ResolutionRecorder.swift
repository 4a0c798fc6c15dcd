import Audit
import Foundation
import Policy
import Results
import Store

/// Checks and records a supervisor's resolution of a disputed lead (`frs resolve`), directly or
/// from the drop box.
///
/// Recorded only when the supervisor is registered for the acting OS account, active, a
/// supervisor, of the requester's agency (`review.other-agency` otherwise), neither the job's
/// requester nor one of the lead's examiners by OS account (`review.conflict-of-interest`), and
/// the lead is disputed (`review.not-disputed`). Audited as `lead.resolved`, followed by
/// `lead.released` or `lead.rejected`; a refusal as `resolution.refused`.
public struct ResolutionRecorder {
    public let results: ResultFiles
    let database: Database
    let registry: Registry
    let log: LeadLog
    let leads: Leads
    let audit: AuditLog
    let clock: @Sendable () -> Date
    /// The spool's policy, which supervisors are checked against.
    let gate: PolicyGate

    /// - Parameter policy: the spool's policy (`peer_review`; training validity and agency
    ///   termination, which supervisors are checked against like requesters).
    /// - Throws: `DatabaseError` when the tables cannot be created.
    public init(results: ResultFiles, database: Database, audit: AuditLog, policy: PolicyConfig,
                clock: @escaping @Sendable () -> Date = { Date() }) throws {
        let peerReview = policy.peerReview
        gate = PolicyGate(config: policy)
        self.results = results
        self.database = database
        registry = Registry(database: database)
        log = try LeadLog(database: database)
        leads = try Leads(results: results, database: database, peerReview: peerReview)
        self.audit = audit
        self.clock = clock
    }

    /// Checks and records `resolution`.
    /// - Parameters:
    ///   - ownerUID: the OS account it comes from.
    ///   - request: the drop-box file name, when it came through the drop box.
    /// - Throws: database and audit log errors (the request may then be applied again).
    public func apply(_ resolution: ResolutionRequest, ownerUID: UInt32, request: String?) throws -> AppliedRequest {
        // Only the very request recorded before (same name, owner and content) is taken as recorded.
        let key = request.map { RequestKey(resolution, name: $0, owner: ownerUID) }
        if let request, let key, try log.hasRequest(key) {
            if try !audit.holds(.leadResolved, request: request) {
                let lead = try leads.lead(job: resolution.job, face: resolution.face, candidate: resolution.candidate)
                try recordAudit(resolution, lead: lead, agency: try registry.user(resolution.supervisor)?.agency,
                                result: (try? results.result(resolution.job)) ?? nil, request: request)
            }
            return .alreadyRecorded
        }
        do {
            try resolution.checkFields()
        } catch {
            return try refuse(resolution, LeadRules.Refusal(.inputMalformed, error.message, agency: nil),
                              ownerUID: ownerUID, request: request)
        }
        let rules = LeadRules(registry: registry, results: results, gate: gate, now: clock())
        let checked: LeadRules.Checked
        switch try rules.check(actor: resolution.supervisor, ownerUID: ownerUID, job: resolution.job, face: resolution.face,
                               candidate: resolution.candidate, mayAct: { _, role, _ in
            role == .supervisor ? nil : (.supervisorNotAuthorized, "only a supervisor of the agency resolves a disputed lead")
        }) {
        case .failure(let refusal): return try refuse(resolution, refusal, ownerUID: ownerUID, request: request)
        case .success(let passed): checked = passed
        }
        let change: Result<LeadState, LeadRules.Refusal> = try database.transaction {
            let lead = try leads.lead(job: resolution.job, face: resolution.face, candidate: resolution.candidate)
            guard lead.status == .disputed else {
                return .failure(LeadRules.Refusal(.reviewNotDisputed, "the lead is \(lead.status.rawValue), not disputed",
                                                  agency: checked.actor.agency))
            }
            if checked.requester?.uid == ownerUID || lead.reviews.contains(where: { $0.examinerUID == ownerUID }) {
                return .failure(LeadRules.Refusal(
                    .reviewConflictOfInterest, "\(resolution.supervisor) is the job's requester or one of the lead's examiners",
                    agency: checked.actor.agency))
            }
            try log.record(resolution, supervisorUID: ownerUID, request: request, key: key?.stored, now: clock())
            return .success(try leads.lead(job: resolution.job, face: resolution.face, candidate: resolution.candidate))
        }
        switch change {
        case .failure(let refusal):
            return try refuse(resolution, refusal, ownerUID: ownerUID, request: request)
        case .success(let lead):
            try recordAudit(resolution, lead: lead, agency: checked.actor.agency, result: checked.result, request: request)
            return .recorded
        }
    }

    func refuse(_ resolution: ResolutionRequest, _ refusal: LeadRules.Refusal, ownerUID: UInt32, request: String?) throws -> AppliedRequest {
        var details = ["message": refusal.message, "candidate": resolution.candidate, "face": "\(resolution.face)",
                       "disposition": resolution.disposition.rawValue]
        details["request"] = request
        try audit.append(AuditEvent(.resolutionRefused, actor: refusal.agency == nil ? "uid:\(ownerUID)" : resolution.supervisor,
            agency: refusal.agency, job: resolution.job, outcome: "denied", reasons: refusal.reasons.map(\.rawValue),
            details: details), now: clock())
        return .refused(reasons: refusal.reasons, message: refusal.message)
    }

    /// `lead.resolved`, then `lead.released` or `lead.rejected`.
    func recordAudit(_ resolution: ResolutionRequest, lead: LeadState, agency: String?, result: JobResult?, request: String?) throws {
        var details = ["face": "\(resolution.face)", "candidate": resolution.candidate,
                       "disposition": resolution.disposition.rawValue, "note": resolution.note,
                       "examiners": lead.inForce.map(\.examiner).joined(separator: ","),
                       "dispositions": lead.inForce.map(\.disposition.rawValue).joined(separator: ",")]
        details["request"] = request
        for event in [AuditEventName.leadResolved, .lead(lead.status.rawValue)] {
            try audit.append(AuditEvent(
                event, actor: resolution.supervisor, agency: agency, job: resolution.job, purpose: result?.purpose,
                caseNumber: result?.caseNumber, outcome: lead.status.rawValue, details: details), now: clock())
        }
    }
}
