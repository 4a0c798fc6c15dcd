/// A parsed JSON value, as the job parser sees it.
///
/// Numbers keep their literal text so that each field decides what it accepts (an integer that
/// fits, a finite double) instead of a generic conversion silently rounding `2^63` or `1e400`.
/// Objects keep their members in document order, duplicates included, so the parser can refuse a
/// key given twice (a classic way to smuggle a second value past one reader).
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number's literal text, e.g. `"-5"`, `"1e400"`.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in document order.
    case object([(key: String, value: JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)): a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// A short name of the value's type for messages: "string", "number", ….
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
