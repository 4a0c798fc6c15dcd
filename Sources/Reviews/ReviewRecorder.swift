import Audit
import Foundation
import Policy
import Results
import Store

/// Checks and records an examiner's review: the same rules whether the daemon applies a request
/// from the drop box or `frs review` records it directly.
///
/// A review is recorded only when the examiner is registered for the acting OS account, active,
/// vetted, trained within the policy's validity, of an agency whose access is not terminated, in a
/// role that may review (``Policy/Role/canReview``) and of the requester's agency, and not the
/// job's requester (judged by uid: one person registered under two user ids is still one person),
/// and when the job completed with that face and that candidate in its result. Every outcome is audited:
/// `review.recorded` (with `details["disposition"]` and `details["candidate"]`, which the audit
/// report counts) or `review.refused` with the reasons.
public struct ReviewRecorder {
    public let results: ResultFiles
    let registry: Registry
    let log: ReviewLog
    let audit: AuditLog
    let clock: @Sendable () -> Date
    let gate: PolicyGate

    /// - Parameters:
    ///   - results: the outbox's results directory (the reviewed jobs' results).
    ///   - database: a connection to the spool's database.
    ///   - audit: the spool's audit log.
    ///   - clock: the time source.
    ///   - gate: the policy (training validity) examiners are checked against.
    /// - Throws: `DatabaseError` when the review table cannot be created.
    public init(results: ResultFiles, database: Database, audit: AuditLog, clock: @escaping @Sendable () -> Date = { Date() },
                gate: PolicyGate = PolicyGate()) throws {
        self.gate = gate
        self.results = results
        registry = Registry(database: database)
        log = try ReviewLog(database: database)
        self.audit = audit
        self.clock = clock
    }

    /// What became of a review.
    public enum Outcome: Sendable, Equatable {
        /// Recorded and audited.
        case recorded
        /// The same drop-box request was recorded before (after a crash); nothing new.
        case alreadyRecorded
        /// Refused (and audited) for these reason codes, explained in `message`.
        case refused(reasons: [ReasonCode], message: String)
    }

    /// Checks and records `review`.
    /// - Parameters:
    ///   - review: what the examiner asks to record.
    ///   - ownerUID: the OS account it comes from (the request file's owner, or the invoking account).
    ///   - request: the drop-box file name, when it came through the drop box.
    /// - Returns: the outcome.
    /// - Throws: database and audit log errors (the request may then be applied again).
    public func apply(_ review: ReviewRequest, ownerUID: UInt32, request: String?) throws -> Outcome {
        if let request, try log.hasRequest(request) {
            if try !auditHolds(request: request) { try recordAudit(review, request: request) }
            return .alreadyRecorded
        }
        let (reasons, message, agency) = try check(review, ownerUID: ownerUID)
        guard reasons.isEmpty else {
            try audit.append(AuditEvent(
                event: "review.refused", actor: agency == nil ? "uid:\(ownerUID)" : review.examiner, agency: agency,
                job: review.job, outcome: "denied", reasons: reasons.map(\.rawValue),
                details: ["message": message, "candidate": review.candidate, "face": "\(review.face)",
                          "disposition": review.disposition.rawValue].merging(request.map { ["request": $0] } ?? [:]) { a, _ in a }),
                now: clock())
            return .refused(reasons: reasons, message: message)
        }
        try log.record(review, request: request, now: clock())
        try recordAudit(review, request: request)
        return .recorded
    }

    /// The reasons to refuse `review` (empty when it may be recorded), a message, and the
    /// examiner's agency when the examiner is registered for `ownerUID`.
    func check(_ review: ReviewRequest, ownerUID: UInt32) throws -> ([ReasonCode], String, String?) {
        guard let examiner = try registry.user(review.examiner) else {
            return ([ReasonCode.requesterUnknown], "\(review.examiner) is not registered", nil)
        }
        guard examiner.uid == ownerUID else {
            return ([ReasonCode.requesterIdentityMismatch],
                    "the review does not come from \(review.examiner)'s own account", nil)
        }
        guard let role = Role(rawValue: examiner.role), role.canReview else {
            return ([ReasonCode.requesterRole], "a\(examiner.role.first.map { "aeiou".contains($0) } == true ? "n" : "") \(examiner.role) may not record dispositions", examiner.agency)
        }
        switch RequesterStatus(rawValue: examiner.status) {
        case .active: break
        case .suspended: return ([ReasonCode.requesterSuspended], "\(review.examiner) is suspended", examiner.agency)
        case .revoked, nil: return ([ReasonCode.requesterRevoked], "\(review.examiner) is revoked", examiner.agency)
        }
        // Vetted, trained, agency not terminated: checked as a requester is (the role aside).
        let now = clock()
        let personal = gate.requesterReasons(try registry.requester(review.examiner), fileOwnerUID: ownerUID, now: now)
            .filter { $0 != .requesterRole }
        let agencyReasons = gate.agencyReasons(try registry.policyAgency(examiner.agency), requester: nil, now: now)
        if !(personal + agencyReasons).isEmpty {
            return (personal + agencyReasons, "\(review.examiner) may not review now", examiner.agency)
        }
        guard let result = try? results.result(review.job), result.decision == .completed else {
            return ([ReasonCode.reviewUnknownJob], "job \(review.job) has no completed result", examiner.agency)
        }
        let requester = try result.requester.flatMap { try registry.user($0) }
        if result.requester == review.examiner || requester?.uid == ownerUID {
            return ([ReasonCode.reviewOwnJob], "\(review.examiner) requested job \(review.job) and may not review it", examiner.agency)
        }
        let requesterAgency = requester?.agency
        guard requesterAgency == examiner.agency else {
            return ([ReasonCode.reviewOtherAgency], "job \(review.job) belongs to another agency", examiner.agency)
        }
        let faces = ResultFaces(try results.probes(of: result))
        guard let face = faces.face(review.face) else {
            return ([ReasonCode.reviewUnknownFace], "job \(review.job) has no face \(review.face) (it has \(faces.faces.count))", examiner.agency)
        }
        guard face.face.candidates.contains(where: { $0.subject == review.candidate }) else {
            return ([ReasonCode.reviewUnknownCandidate],
                    "\(review.candidate) is not a candidate of face \(review.face) of job \(review.job)", examiner.agency)
        }
        return ([], "", examiner.agency)
    }

    func recordAudit(_ review: ReviewRequest, request: String?) throws {
        let examiner = try registry.user(review.examiner)
        let result = (try? results.result(review.job)) ?? nil
        var details = ["disposition": review.disposition.rawValue, "candidate": review.candidate, "face": "\(review.face)"]
        details["note"] = review.note
        details["request"] = request
        try audit.append(AuditEvent(
            event: "review.recorded", actor: review.examiner, agency: examiner?.agency, job: review.job,
            purpose: result?.purpose, caseNumber: result?.caseNumber, outcome: "recorded", details: details), now: clock())
    }

    /// Whether the audit log holds the `review.recorded` record of a drop-box request.
    func auditHolds(request: String) throws -> Bool {
        try AuditReader(directory: audit.directory).records().contains {
            $0.event.event == "review.recorded" && $0.event.details["request"] == request
        }
    }
}
