/// The policy gate's answer for one request.
public enum Decision: Sendable, Equatable {
    /// Every rule holds: run the search.
    case allow
    /// At least one rule fails: every failing reason, in rule order, without duplicates.
    case deny([ReasonCode])
    /// No rule fails, but the request mentions watch terms (the ones matched): hold it for a
    /// supervisor's approval. A denial always beats a hold.
    case hold([String])

    /// The reasons to record: the denial's codes, `policy.held-for-review` for a hold, none for allow.
    public var reasons: [ReasonCode] {
        switch self {
        case .allow: []
        case .deny(let codes): codes
        case .hold: [.policyHeldForReview]
        }
    }

    /// Whether the request may run now.
    public var isAllowed: Bool { self == .allow }
}
