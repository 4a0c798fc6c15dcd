import Foundation

/// A lead as the status board and `frs status --format json` show it: the state, every
/// disposition (examiner, time, note), the resolution and the outcomes.
///
/// The board is readable by the whole agency, the second examiner included, so a pending lead's
/// dispositions are withheld there (examiner and time only, `withheld: true`) until the lead is
/// released, disputed or rejected.
public struct LeadSummary: Codable, Sendable, Equatable {
    /// A disposition: an examiner's review or a supervisor's resolution.
    public struct Entry: Codable, Sendable, Equatable {
        public var examiner: String
        /// Absent while withheld.
        public var disposition: String?
        public var time: String
        public var note: String?
        /// Present (true) when the disposition and note are withheld.
        public var withheld: Bool?
        /// Present (true) for an examiner's earlier review that their later one replaced.
        public var superseded: Bool?
    }

    /// An outcome recorded on the lead.
    public struct Outcome: Codable, Sendable, Equatable {
        public var action: String
        public var by: String
        public var time: String
        public var corroboration: String?
    }

    public var face: Int
    public var candidate: String
    public var rank: Int?
    /// `pending`, `released`, `disputed` or `rejected`.
    public var state: String
    /// Every review recorded, oldest first.
    public var dispositions: [Entry]
    public var resolution: Entry?
    public var outcomes: [Outcome]

    /// Summarizes `lead`.
    /// - Parameter reveal: whether a review's disposition and note may be shown (default: once the
    ///   lead is no longer pending).
    public init(_ lead: LeadState, reveal: ((ReviewLog.Entry) -> Bool)? = nil) {
        face = lead.face
        candidate = lead.candidate
        rank = lead.rank
        state = lead.status.rawValue
        dispositions = lead.reviews.map { review in
            let shown = reveal?(review) ?? lead.dispositionsVisible
            return Entry(examiner: review.examiner, disposition: shown ? review.disposition.rawValue : nil,
                         time: review.recorded, note: shown ? review.note : nil, withheld: shown ? nil : true,
                         superseded: lead.inForce.contains(review) ? nil : true)
        }
        resolution = lead.resolution.map {
            Entry(examiner: $0.supervisor, disposition: $0.disposition.rawValue, time: $0.recorded, note: $0.note)
        }
        outcomes = lead.outcomes.map {
            Outcome(action: $0.action.rawValue, by: $0.recordedBy, time: $0.recorded, corroboration: $0.corroboration)
        }
    }

    /// Whether anything was recorded on the lead (a review, a resolution, an outcome).
    public static func isRecorded(_ lead: LeadState) -> Bool {
        !lead.reviews.isEmpty || lead.resolution != nil || !lead.outcomes.isEmpty
    }
}
