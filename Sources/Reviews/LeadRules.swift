import Audit
import Foundation
import Policy
import Results
import Store

/// What became of a request about a lead (a review, a resolution, an outcome).
public enum AppliedRequest: Sendable, Equatable {
    /// Recorded and audited.
    case recorded
    /// The same drop-box request was recorded before (after a crash); nothing new.
    case alreadyRecorded
    /// Refused (and audited) for these reason codes, explained in `message`.
    case refused(reasons: [ReasonCode], message: String)
}

/// The checks every request about a lead shares: the person is registered for the acting OS
/// account and active, may act (a role check given by the caller), is of the requester's agency,
/// and the job completed with that face and that candidate in its result.
struct LeadRules {
    let registry: Registry
    let results: ResultFiles
    /// The policy an acting person is checked against like a requester (vetted, trained within the
    /// validity, agency not terminated): the spool's, always (no default to fall back on).
    let gate: PolicyGate
    /// When the check happens.
    var now = Date()

    /// A request that passed the checks.
    struct Checked {
        /// The person acting.
        var actor: UserRecord
        /// The job's result.
        var result: JobResult
        /// The job's requester, when registered.
        var requester: UserRecord?
    }

    /// Why a request is refused.
    struct Refusal: Error {
        var reasons: [ReasonCode]
        var message: String
        /// The actor's agency, when the actor is authenticated.
        var agency: String?

        init(_ reason: ReasonCode, _ message: String, agency: String? = nil) {
            reasons = [reason]
            self.message = message
            self.agency = agency
        }
    }

    /// Checks a request.
    /// - Parameters:
    ///   - id: the acting person's user id.
    ///   - ownerUID: the OS account the request comes from.
    ///   - mayAct: `nil` when the person may make this request on this job, else the reason and message.
    /// - Throws: `DatabaseError`.
    func check(actor id: String, ownerUID: UInt32, job: String, face: Int, candidate: String,
               mayAct: (UserRecord, Role?, JobResult) -> (ReasonCode, String)?) throws -> Result<Checked, Refusal> {
        guard let actor = try registry.user(id) else {
            return .failure(Refusal(.requesterUnknown, "\(id) is not registered"))
        }
        guard actor.uid == ownerUID else {
            return .failure(Refusal(.requesterIdentityMismatch, "the request does not come from \(id)'s own account"))
        }
        guard let result = try? results.result(job), result.decision == .completed else {
            return .failure(Refusal(.reviewUnknownJob, "job \(job) has no completed result", agency: actor.agency))
        }
        if let (reason, message) = mayAct(actor, Role(rawValue: actor.role), result) {
            return .failure(Refusal(reason, message, agency: actor.agency))
        }
        switch RequesterStatus(rawValue: actor.status) {
        case .active: break
        case .suspended: return .failure(Refusal(.requesterSuspended, "\(id) is suspended", agency: actor.agency))
        case .revoked, nil: return .failure(Refusal(.requesterRevoked, "\(id) is revoked", agency: actor.agency))
        }
        // Vetted, trained, agency not terminated: checked as a requester is (the role aside).
        let personal = gate.requesterReasons(try registry.requester(id), fileOwnerUID: ownerUID, now: now)
            .filter { $0 != .requesterRole }
        let agencyReasons = gate.agencyReasons(try registry.policyAgency(actor.agency), requester: nil, now: now)
        if let first = (personal + agencyReasons).first {
            var refusal = Refusal(first, "\(id) may not act now (\((personal + agencyReasons).map(\.rawValue).joined(separator: ", ")))",
                                  agency: actor.agency)
            refusal.reasons = personal + agencyReasons
            return .failure(refusal)
        }
        let requester = try result.requester.flatMap { try registry.user($0) }
        guard requester?.agency == actor.agency else {
            return .failure(Refusal(.reviewOtherAgency, "job \(job) belongs to another agency", agency: actor.agency))
        }
        let faces = ResultFaces(try results.probes(of: result))
        guard let numbered = faces.face(face) else {
            return .failure(Refusal(.reviewUnknownFace, "job \(job) has no face \(face) (it has \(faces.faces.count))",
                                    agency: actor.agency))
        }
        guard numbered.face.candidates.contains(where: { $0.subject == candidate }) else {
            return .failure(Refusal(.reviewUnknownCandidate, "\(candidate) is not a candidate of face \(face) of job \(job)",
                                    agency: actor.agency))
        }
        return .success(Checked(actor: actor, result: result, requester: requester))
    }

    /// "a"/"an" and a role name, for messages.
    static func article(_ role: String) -> String {
        (role.first.map { "aeiou".contains($0) } == true ? "an " : "a ") + role
    }
}

extension AuditLog {
    /// Whether the log holds a record of `event` made for the drop-box request `request`
    /// (asked only when a request is applied again after a crash).
    func holds(_ event: AuditEventName, request: String) throws -> Bool {
        try AuditReader(directory: directory).records().contains {
            $0.event.event == event.rawValue && $0.event.details["request"] == request
        }
    }
}
