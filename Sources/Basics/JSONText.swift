/// Small helpers that write JSON text with a fixed key order (the order SPEC.md shows), which
/// `JSONEncoder` does not promise: the command line's JSON lines and the benchmarks' reports.
public enum JSONText {
    /// A JSON string literal with the required escapes.
    public static func string(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(c.value, radix: 16).count) + String(c.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A number: integers without a fraction, others with the shortest round-tripping digits.
    public static func number(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    /// A `Float` number with the shortest round-tripping digits.
    public static func number(_ v: Float) -> String {
        guard v.isFinite else { return "null" }
        return "\(v)"
    }

    /// `{"k": v, ...}` from already-encoded values, in the given order.
    public static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { string($0.0) + ": " + $0.1 }.joined(separator: ", ") + "}"
    }

    /// `[a, b, ...]` from already-encoded values, in the given order.
    public static func array(_ items: [String]) -> String {
        "[" + items.joined(separator: ", ") + "]"
    }
}
