import Audit
import Foundation
import Policy
import Results
import Store

/// Checks and records what was done with a lead (`frs outcome`), directly or from the drop box.
///
/// Recorded only when the person is registered for the acting OS account, active, and either the
/// job's requester or a supervisor of its agency (`outcome.not-authorized`); an arrest or a charge
/// needs a corroboration narrative of at least the policy's minimum justification length
/// (`outcome.corroboration-required`, counted in visible characters). Only a released lead takes an
/// outcome: on a pending, disputed or rejected lead any outcome is refused
/// (`outcome.lead-not-released`), so that reports never list an action on a candidate the
/// examiners did not release. The lead's state is kept in the audit record (`outcome.recorded`,
/// `details["lead_state"]`). A refusal is `outcome.refused`.
public struct OutcomeRecorder {
    public let results: ResultFiles
    let registry: Registry
    let log: LeadLog
    let leads: Leads
    let audit: AuditLog
    let minimumCorroborationLength: Int
    let clock: @Sendable () -> Date
    /// The spool's policy, which the person recording is checked against.
    let gate: PolicyGate

    /// - Parameter policy: the spool's policy (peer review, the minimum narrative length, and the
    ///   training validity and agency termination the person recording is checked against).
    /// - Throws: `DatabaseError` when the tables cannot be created.
    public init(results: ResultFiles, database: Database, audit: AuditLog, policy: PolicyConfig,
                clock: @escaping @Sendable () -> Date = { Date() }) throws {
        gate = PolicyGate(config: policy)
        self.results = results
        registry = Registry(database: database)
        log = try LeadLog(database: database)
        leads = try Leads(results: results, database: database, peerReview: policy.peerReview)
        self.audit = audit
        minimumCorroborationLength = policy.minimumJustificationLength
        self.clock = clock
    }

    /// Checks and records `outcome`.
    /// - Parameters:
    ///   - ownerUID: the OS account it comes from.
    ///   - request: the drop-box file name, when it came through the drop box.
    /// - Throws: database and audit log errors (the request may then be applied again).
    public func apply(_ given: OutcomeRequest, ownerUID: UInt32, request: String?) throws -> AppliedRequest {
        var outcome = given
        // Only the very request recorded before (same name, owner and content) is taken as recorded.
        let key = request.map { RequestKey(given, name: $0, owner: ownerUID) }
        if outcome.recordedBy.isEmpty {
            // Who the account is: the job's requester if it is theirs, else a supervisor registered for it.
            let users = try registry.users(uid: ownerUID)
            let requester = ((try? results.result(outcome.job)) ?? nil)?.requester
            outcome.recordedBy = (users.first { $0.id == requester } ?? users.first { $0.role == Role.supervisor.rawValue }
                                  ?? users.first)?.id ?? "uid:\(ownerUID)"
        }
        if let request, let key, try log.hasRequest(key) {
            if try !audit.holds(.outcomeRecorded, request: request) {
                try recordAudit(outcome, agency: try registry.user(outcome.recordedBy)?.agency,
                                result: (try? results.result(outcome.job)) ?? nil, request: request)
            }
            return .alreadyRecorded
        }
        do {
            try given.checkFields()
        } catch {
            return try refuse(outcome, LeadRules.Refusal(.inputMalformed, error.message, agency: nil),
                              ownerUID: ownerUID, request: request)
        }
        let rules = LeadRules(registry: registry, results: results, gate: gate, now: clock())
        let checked: LeadRules.Checked
        switch try rules.check(actor: outcome.recordedBy, ownerUID: ownerUID, job: outcome.job, face: outcome.face,
                               candidate: outcome.candidate, mayAct: { actor, role, result in
            actor.id == result.requester || role == .supervisor
                ? nil : (.outcomeNotAuthorized, "only the job's requester or a supervisor of the agency records an outcome")
        }) {
        case .failure(let refusal): return try refuse(outcome, refusal, ownerUID: ownerUID, request: request)
        case .success(let passed): checked = passed
        }
        let lead = try leads.lead(job: outcome.job, face: outcome.face, candidate: outcome.candidate)
        guard lead.status == .released else {
            return try refuse(outcome, LeadRules.Refusal(
                .outcomeLeadNotReleased, Self.notReleasedMessage(lead.status), agency: checked.actor.agency),
                ownerUID: ownerUID, request: request)
        }
        // Visible characters only: thirty U+2060, U+00AD or U+FEFF are no corroboration.
        if outcome.action.needsCorroboration,
           PolicyText.visibleLength(outcome.corroboration ?? "") < minimumCorroborationLength {
            return try refuse(outcome, LeadRules.Refusal(
                .outcomeCorroborationRequired,
                "\(outcome.action.rawValue) needs --corroboration: the evidence independent of face recognition "
                    + "(at least \(minimumCorroborationLength) visible characters); a candidate is a lead, not an identification",
                agency: checked.actor.agency), ownerUID: ownerUID, request: request)
        }
        try log.record(outcome, recorderUID: ownerUID, request: request, key: key?.stored, now: clock())
        try recordAudit(outcome, agency: checked.actor.agency, result: checked.result, request: request)
        return .recorded
    }

    /// Why no outcome is recorded on a lead in `status` (not released), in a sentence.
    public static func notReleasedMessage(_ status: LeadState.Status) -> String {
        let why = switch status {
        case .pending: "it is pending: two examiners have not both released it"
        case .disputed: "it is disputed: a supervisor resolves it first (frs resolve)"
        case .rejected: "it was rejected: the candidate is not a lead"
        case .released: "it is released"
        }
        return "no outcome is recorded on this lead: \(why); a candidate is acted on only once it is a released lead"
    }

    func refuse(_ outcome: OutcomeRequest, _ refusal: LeadRules.Refusal, ownerUID: UInt32, request: String?) throws -> AppliedRequest {
        var details = ["message": refusal.message, "candidate": outcome.candidate, "face": "\(outcome.face)",
                       "action": outcome.action.rawValue]
        details["request"] = request
        try audit.append(AuditEvent(.outcomeRefused, actor: refusal.agency == nil ? "uid:\(ownerUID)" : outcome.recordedBy,
            agency: refusal.agency, job: outcome.job, outcome: "denied", reasons: refusal.reasons.map(\.rawValue),
            details: details), now: clock())
        return .refused(reasons: refusal.reasons, message: refusal.message)
    }

    func recordAudit(_ outcome: OutcomeRequest, agency: String?, result: JobResult?, request: String?) throws {
        let lead = try leads.lead(job: outcome.job, face: outcome.face, candidate: outcome.candidate)
        var details = ["face": "\(outcome.face)", "candidate": outcome.candidate, "action": outcome.action.rawValue,
                       "lead_state": lead.status.rawValue]
        details["corroboration"] = outcome.corroboration
        details["request"] = request
        try audit.append(AuditEvent(.outcomeRecorded, actor: outcome.recordedBy, agency: agency, job: outcome.job,
            purpose: result?.purpose, caseNumber: result?.caseNumber, outcome: outcome.action.rawValue, details: details),
            now: clock())
    }
}
