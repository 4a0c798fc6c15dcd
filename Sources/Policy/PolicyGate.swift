import Basics
import Foundation

/// Decides whether a parsed request may run: the rules of MOU sections III–IX.
///
/// Pure: it reads nothing but its arguments, so the spool looks the requester and agency up, and
/// checks probe files on disk, itself. Every failing rule is reported, not just the first; a
/// denial beats a hold. After a supervisor approves a held request, the spool evaluates it again
/// (the requester may have been suspended meanwhile) and runs it if the answer is a hold or allow.
public struct PolicyGate: Sendable {
    /// The policy in force.
    public var config: PolicyConfig

    public init(config: PolicyConfig = .default) {
        self.config = config
    }

    /// Evaluates one request.
    ///
    /// Rules, in the order their reasons are listed:
    /// 1. requester registered; active (not suspended or revoked); vetted (a vetting date not in
    ///    the future); trained, the training no more than ``PolicyConfig/trainingValidityDays``
    ///    UTC calendar days before `now`; role allows searching; `fileOwnerUID` is the requester's uid;
    /// 2. agency registered, the requester's own, and not terminated (``Agency/isTerminated(at:)``);
    /// 3. purpose one of the five, with its case number and offense (visible text), a violent
    ///    crime for `witness-or-victim` (``PolicyConfig/isViolentCrime(_:)``), and a justification
    ///    of the minimum number of visible characters (``PolicyText/visibleLength(_:)``);
    /// 4. `max_candidates`, `threshold` and the number of listed probes within the policy.
    ///
    /// If nothing fails and the justification or offense mentions a watch term
    /// (``PolicyConfig/watchTermsMatched(in:)``, on normalized text), the result is a hold.
    ///
    /// - Parameters:
    ///   - job: the parsed job file.
    ///   - requester: the registry's entry for `job.requester`, or `nil` if none.
    ///   - agency: the registry's entry for the requester's agency, or `nil` if none.
    ///   - fileOwnerUID: the uid owning the job file (from `fstat` on the opened file).
    ///   - now: the time of the decision.
    /// - Returns: allow, deny with every failing reason, or hold with the watch terms matched.
    public func evaluate(
        _ job: JobRequest, requester: Requester?, agency: Agency?, fileOwnerUID: UInt32, now: Date
    ) -> Decision {
        var reasons: [ReasonCode] = []
        reasons += requesterReasons(requester, fileOwnerUID: fileOwnerUID, now: now)
        reasons += agencyReasons(agency, requester: requester, now: now)
        reasons += purposeReasons(job)
        reasons += inputReasons(job)
        var seen = Set<ReasonCode>()
        reasons = reasons.filter { seen.insert($0).inserted }
        if !reasons.isEmpty { return .deny(reasons) }
        let terms = watchTerms(in: job)
        return terms.isEmpty ? .allow : .hold(terms)
    }

    /// The requester rules (MOU III.B, V.3).
    public func requesterReasons(_ requester: Requester?, fileOwnerUID: UInt32, now: Date) -> [ReasonCode] {
        guard let requester else { return [.requesterUnknown] }
        var reasons: [ReasonCode] = []
        switch requester.status {
        case .active: break
        case .suspended: reasons.append(.requesterSuspended)
        case .revoked: reasons.append(.requesterRevoked)
        }
        let today = UTCDay.number(of: now)
        if let vetted = requester.vetted, UTCDay.number(of: vetted) <= today {} else {
            reasons.append(.requesterNotVetted)
        }
        if let trained = requester.trained, UTCDay.number(of: trained) <= today {
            if today - UTCDay.number(of: trained) > config.trainingValidityDays {
                reasons.append(.requesterTrainingExpired)
            }
        } else {
            reasons.append(.requesterNotTrained)
        }
        if !requester.role.canSearch { reasons.append(.requesterRole) }
        if requester.uid != fileOwnerUID { reasons.append(.requesterIdentityMismatch) }
        return reasons
    }

    /// The agency rules (MOU IX.B).
    public func agencyReasons(_ agency: Agency?, requester: Requester?, now: Date) -> [ReasonCode] {
        guard let agency else { return [.agencyUnknown] }
        if let requester, requester.agency != agency.code { return [.agencyUnknown] }
        return agency.isTerminated(at: now) ? [.agencyTerminated] : []
    }

    /// The purpose rules (MOU IV, V.1).
    public func purposeReasons(_ job: JobRequest) -> [ReasonCode] {
        var reasons: [ReasonCode] = []
        if let purpose = job.authorizedPurpose {
            // A value of invisible characters only (zero-width spaces) is missing.
            if purpose.requiresCaseNumber, PolicyText.visibleLength(job.caseNumber ?? "") == 0 {
                reasons.append(.purposeMissingCaseNumber)
            }
            if purpose.requiresOffense, PolicyText.visibleLength(job.offense ?? "") == 0 {
                reasons.append(.purposeMissingOffense)
            }
            if purpose.requiresViolentCrime, let offense = job.offense, !config.isViolentCrime(offense) {
                reasons.append(.purposeNotViolentCrime)
            }
        } else {
            reasons.append(.purposeUnauthorized)
        }
        if PolicyText.visibleLength(job.justification) < config.minimumJustificationLength {
            reasons.append(.purposeJustificationTooShort)
        }
        return reasons
    }

    /// The limits on the request's size and options.
    public func inputReasons(_ job: JobRequest) -> [ReasonCode] {
        var reasons: [ReasonCode] = []
        if let n = job.maxCandidates, !config.maxCandidatesRange.contains(n) {
            reasons.append(.inputInvalidMaxCandidates)
        }
        if let t = job.threshold, !(t > 0 && t <= config.maximumThreshold) {
            reasons.append(.inputInvalidThreshold)
        }
        if job.probes.count > config.maxProbesPerJob { reasons.append(.inputTooManyProbes) }
        if job.probes.isEmpty, job.probeDir == nil { reasons.append(.inputProbeMissing) }
        return reasons
    }

    /// The watch terms the request's justification and offense mention.
    public func watchTerms(in job: JobRequest) -> [String] {
        var terms = config.watchTermsMatched(in: job.justification)
        for term in config.watchTermsMatched(in: job.offense ?? "") where !terms.contains(term) {
            terms.append(term)
        }
        return terms
    }

    /// Who may approve or reject a held request.
    ///
    /// - Parameters:
    ///   - supervisor: the registry entry of the person approving, or `nil` if unknown.
    ///   - agency: that person's agency entry.
    ///   - jobRequester: the held job's requester id.
    ///   - jobAgency: the held job's requester's agency code.
    ///   - fileOwnerUID: the uid owning the approval request file.
    ///   - jobUIDs: the accounts behind the held job (its requester's registered uid, its file's
    ///     owner): one person with two user ids is still deciding their own request.
    ///   - now: the time of the approval.
    /// - Returns: the failing reasons; empty when the approval stands.
    public func approvalReasons(
        supervisor: Requester?, agency: Agency?, jobRequester: String, jobAgency: String?, fileOwnerUID: UInt32,
        jobUIDs: [UInt32] = [], now: Date
    ) -> [ReasonCode] {
        guard let supervisor else { return [.supervisorNotAuthorized] }
        var reasons: [ReasonCode] = []
        let personal = requesterReasons(supervisor, fileOwnerUID: fileOwnerUID, now: now)
        if !supervisor.role.canApprove || personal.contains(where: { $0 != .requesterRole }) {
            reasons.append(.supervisorNotAuthorized)
        }
        if let jobAgency, jobAgency != supervisor.agency, !reasons.contains(.supervisorNotAuthorized) {
            reasons.append(.supervisorNotAuthorized)
        }
        if !agencyReasons(agency, requester: supervisor, now: now).isEmpty, !reasons.contains(.supervisorNotAuthorized) {
            reasons.append(.supervisorNotAuthorized)
        }
        if supervisor.id == jobRequester || jobUIDs.contains(supervisor.uid) { reasons.append(.supervisorSelfApproval) }
        return reasons
    }

    /// Whether a probe path, taken relative to the evidence store, stays inside it.
    ///
    /// Pure string check: not empty, not absolute, no NUL or other control character, no
    /// backslash, no `..` component, and not the store itself (`.`). Symbolic links are the
    /// spool's to resolve.
    public static func isSafeRelativeProbePath(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/"), path.utf8.count <= 1024 else { return false }
        guard !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f || $0 == "\\" }) else {
            return false
        }
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        // It must name something below the store, not the store itself ("." or "./.").
        guard components.contains(where: { $0 != "." }) else { return false }
        return !components.contains("..")
    }
}
