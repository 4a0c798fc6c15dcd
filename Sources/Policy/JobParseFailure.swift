/// Why a job file could not be accepted as a job: every problem found, each naming its field.
///
/// When the file is valid JSON and only asks for something prohibited (a protected-class filter,
/// a live stream), the issues carry `use.*` codes rather than `input.malformed`, so the denial
/// says what was asked. The best-effort identity fields let the spool audit who sent it.
public struct JobParseFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// One problem with one field.
    public struct Issue: Sendable, Equatable, CustomStringConvertible {
        /// The reason code.
        public var code: ReasonCode
        /// The field concerned (a top-level key, or `""` for the whole file).
        public var field: String
        /// What is wrong and how to fix it.
        public var message: String

        public init(code: ReasonCode, field: String, message: String) {
            self.code = code
            self.field = field
            self.message = message
        }

        public var description: String { field.isEmpty ? "\(code.rawValue): \(message)" : "\(code.rawValue): \(field): \(message)" }
    }

    /// Every problem found, in document order.
    public var issues: [Issue]
    /// The `requester` string, if the file had a readable one (for the audit record only; not authenticated).
    public var requester: String?
    /// The `purpose` string, if readable.
    public var purpose: String?
    /// The `case_number` string, if readable.
    public var caseNumber: String?

    public init(issues: [Issue], requester: String? = nil, purpose: String? = nil, caseNumber: String? = nil) {
        self.issues = issues
        self.requester = requester
        self.purpose = purpose
        self.caseNumber = caseNumber
    }

    /// The distinct reason codes, in order of first appearance.
    public var reasons: [ReasonCode] {
        var seen = Set<ReasonCode>()
        return issues.map(\.code).filter { seen.insert($0).inserted }
    }

    /// The messages, one per issue, each prefixed by its code and field.
    public var messages: [String] { issues.map(\.description) }

    public var description: String { messages.joined(separator: "; ") }
}
