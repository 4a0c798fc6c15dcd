import Foundation
import Policy

/// The spool's decision on one claimed job file, before any probe is touched: run it, deny it,
/// or hold it for a supervisor. Pure (no I/O), so every path is testable without a spool.
public enum JobVerdict: Sendable, Equatable {
    /// Run the search for this request.
    case run(JobRequest)
    /// Deny the request.
    case deny(JobDenial)
    /// Hold the request in `held/` until a supervisor decides; the watch terms matched.
    case hold(JobRequest, terms: [String])
}

/// A denial: every reason, with detail, and what could be read of the request (for the result
/// and the audit record; not authenticated).
public struct JobDenial: Sendable, Equatable {
    public var reasons: [ReasonCode]
    public var messages: [String]
    public var requester: String?
    public var purpose: String?
    public var caseNumber: String?
    public var offense: String?

    public init(reasons: [ReasonCode], messages: [String] = [], requester: String? = nil, purpose: String? = nil,
                caseNumber: String? = nil, offense: String? = nil) {
        self.reasons = reasons
        self.messages = messages
        self.requester = requester
        self.purpose = purpose
        self.caseNumber = caseNumber
        self.offense = offense
    }
}

/// What the daemon learned about the job file itself, from `fstat` on the opened descriptor.
public struct JobFileIdentity: Sendable, Equatable {
    /// The file's owner.
    public var ownerUID: UInt32
    /// Why the file cannot speak for anyone (a symlink, a hard link, not a regular file); `nil`
    /// when it is a plain file with one link.
    public var problem: String?

    public init(ownerUID: UInt32, problem: String? = nil) {
        self.ownerUID = ownerUID
        self.problem = problem
    }
}

/// A supervisor's recorded decision on a held job.
public enum SupervisorDecision: String, Sendable, Equatable {
    case approved
    case rejected
}

/// Decides a claimed job from its parsed contents, its file's identity, the registry's entries
/// and any supervisor decision.
public enum JobEvaluation {
    /// Evaluates a job.
    ///
    /// - Parameters:
    ///   - parsed: the job file parsed by ``Policy/JobRequest/parse(_:)``.
    ///   - identity: the file's owner and any problem with the file itself.
    ///   - requester: the registry's entry for the request's requester, or `nil`.
    ///   - agency: the registry's entry for the requester's agency, or `nil`.
    ///   - supervisor: a supervisor's decision, when the job was held and decided.
    ///   - gate: the policy.
    ///   - now: the time of the decision.
    /// - Returns: run, deny (every reason) or hold.
    public static func evaluate(
        parsed: Result<JobRequest, JobParseFailure>, identity: JobFileIdentity, requester: Requester?,
        agency: Agency?, supervisor: SupervisorDecision?, gate: PolicyGate, now: Date
    ) -> JobVerdict {
        let job: JobRequest
        switch parsed {
        case .failure(let failure):
            var reasons = failure.reasons
            var messages = failure.messages
            if let problem = identity.problem {
                reasons.insert(.requesterIdentityMismatch, at: 0)
                messages.insert(problem, at: 0)
            }
            return .deny(JobDenial(reasons: reasons, messages: messages, requester: failure.requester,
                                   purpose: failure.purpose, caseNumber: failure.caseNumber))
        case .success(let request):
            job = request
        }
        var decision = gate.evaluate(job, requester: requester, agency: agency, fileOwnerUID: identity.ownerUID, now: now)
        var messages: [String] = []
        if let problem = identity.problem {
            var reasons = decision.reasons.filter { $0 != .policyHeldForReview }
            if !reasons.contains(.requesterIdentityMismatch) { reasons.insert(.requesterIdentityMismatch, at: 0) }
            decision = .deny(reasons)
            messages.append(problem)
        }
        if supervisor == .rejected {
            var reasons = decision.reasons.filter { $0 != .policyHeldForReview }
            reasons.append(.supervisorRejected)
            decision = .deny(reasons)
        }
        switch decision {
        case .allow:
            return .run(job)
        case .hold(let terms):
            return supervisor == .approved ? .run(job) : .hold(job, terms: terms)
        case .deny(let reasons):
            return .deny(JobDenial(reasons: reasons, messages: messages + reasons.map { describe($0, job: job) },
                                   requester: job.requester, purpose: job.purpose, caseNumber: job.caseNumber,
                                   offense: job.offense))
        }
    }

    /// A sentence for a reason, for the result's `messages`.
    static func describe(_ reason: ReasonCode, job: JobRequest) -> String {
        switch reason {
        case .requesterUnknown: "\(reason.rawValue): no authorized individual \"\(job.requester)\" is registered"
        case .purposeUnauthorized:
            "\(reason.rawValue): \"\(job.purpose)\" is not one of the \(Purpose.allCases.count) authorized purposes "
                + "(\(Purpose.allCases.map(\.rawValue).joined(separator: ", ")))"
        default: reason.rawValue
        }
    }
}
