import Foundation

/// One face's candidate as a lead: every disposition recorded on it, a supervisor's resolution,
/// outcomes, and the state that follows from them.
///
/// With peer review (the policy's `peer_review`, on by default) a candidate becomes a released
/// lead only when two examiners — two people, told apart by their OS accounts — record
/// `possible-match`; until then it is pending. Two different dispositions make it disputed, for
/// a supervisor of the agency to resolve; two that agree on `no-match` (or `inconclusive`)
/// reject it. Without peer review the latest disposition decides.
public struct LeadState: Sendable, Equatable {
    /// Where a lead stands.
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Not yet reviewed by two examiners (or, without peer review, not reviewed).
        case pending
        /// Examiners agree (or a supervisor resolved) that the candidate is a possible match: an
        /// investigative lead to corroborate, never an identification.
        case released
        /// Two examiners disagree; a supervisor resolves it.
        case disputed
        /// Examiners agree (or a supervisor resolved) that it is not a lead.
        case rejected

        /// Whether further reviews may still change the lead.
        public var isOpen: Bool { self == .pending }
    }

    /// The face's number on the sheet.
    public var face: Int
    /// The candidate's gallery subject id.
    public var candidate: String
    /// The candidate's rank in the face's list, when the result is known.
    public var rank: Int?
    public var status: Status
    /// Every review recorded on the lead, oldest first.
    public var reviews: [ReviewLog.Entry]
    /// The reviews in force: the latest of each examiner counted (at most two with peer review).
    public var inForce: [ReviewLog.Entry]
    /// The supervisor's resolution of a dispute.
    public var resolution: LeadLog.Resolution?
    /// Outcomes recorded, oldest first; the last is the one in force.
    public var outcomes: [LeadLog.Outcome]

    /// Works out a lead's state.
    /// - Parameters:
    ///   - reviews: the lead's reviews, oldest first.
    ///   - resolution: a supervisor's resolution, if any (the first recorded counts).
    ///   - outcomes: the lead's outcomes, oldest first.
    ///   - peerReview: whether two examiners are needed.
    public init(face: Int, candidate: String, rank: Int? = nil, reviews: [ReviewLog.Entry],
                resolution: LeadLog.Resolution? = nil, outcomes: [LeadLog.Outcome] = [], peerReview: Bool) {
        self.face = face
        self.candidate = candidate
        self.rank = rank
        self.reviews = reviews
        self.resolution = resolution
        self.outcomes = outcomes
        if peerReview {
            // The latest review of each of the first two people to review the lead.
            var people: [String] = []
            var latest: [String: ReviewLog.Entry] = [:]
            for review in reviews {
                let person = Self.person(review)
                if latest[person] == nil {
                    guard people.count < 2 else { continue }
                    people.append(person)
                }
                latest[person] = review
            }
            inForce = people.compactMap { latest[$0] }
        } else {
            inForce = reviews.last.map { [$0] } ?? []
        }
        if let resolution {
            status = resolution.disposition == .possibleMatch ? .released : .rejected
        } else if inForce.count < (peerReview ? 2 : 1) {
            status = .pending
        } else if Set(inForce.map(\.disposition)).count > 1 {
            status = .disputed
        } else {
            status = inForce[0].disposition == .possibleMatch ? .released : .rejected
        }
    }

    /// Who made a review: the OS account, or the user id for reviews recorded without one.
    static func person(_ review: ReviewLog.Entry) -> String {
        review.examinerUID.map { "uid:\($0)" } ?? "id:\(review.examiner)"
    }

    /// Whether the reviews in force can be shown to everyone: once the lead is released,
    /// disputed, rejected or resolved. Before that a second examiner must not see the first's
    /// answer (only that a review exists).
    public var dispositionsVisible: Bool { status != .pending }

    /// The outcome in force (the latest).
    public var outcome: LeadLog.Outcome? { outcomes.last }
}
