/// Reads a line written in the canonical form (see ``AuditRecord``) directly, member by member in
/// the fixed order, without a general JSON parser.
///
/// This is the fast path of ``AuditRecord/decode(line:)``: it returns `nil` at the first byte
/// that does not fit the canonical layout, and the caller then falls back to a general JSON parse
/// to say whether the line is malformed or merely not canonical. Strings are unescaped
/// permissively; the caller re-encodes the record and compares bytes, which rejects anything the
/// writer would not have produced (other escapes, invalid UTF-8, leading zeros, …).
struct CanonicalRecordParser {
    private let bytes: ArraySlice<UInt8>
    private var i: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.i = bytes.startIndex
    }

    /// The record, or `nil` if the line is not laid out canonically.
    mutating func parse() -> AuditRecord? {
        guard literal("{\"seq\":"), let seq = integer(),
              literal(",\"time\":"), let time = string(),
              literal(",\"event\":"), let event = string(),
              literal(",\"actor\":"), let actor = string(),
              literal(",\"agency\":"), let agency = optionalString(),
              literal(",\"job\":"), let job = optionalString(),
              literal(",\"purpose\":"), let purpose = optionalString(),
              literal(",\"case_number\":"), let caseNumber = optionalString(),
              literal(",\"outcome\":"), let outcome = optionalString(),
              literal(",\"reasons\":"), let reasons = stringArray(),
              literal(",\"probe_sha256\":"), let probes = stringArray(),
              literal(",\"candidates\":"), let candidates = optionalInteger(),
              literal(",\"details\":"), let details = stringMap(),
              literal(",\"host\":"), let host = string(),
              literal(",\"pid\":"), let pid = integer(),
              literal(",\"prev\":"), let prev = string(),
              literal(",\"hash\":"), let hash = string(),
              literal("}"), i == bytes.endIndex
        else { return nil }
        let e = AuditEvent(
            event: event, actor: actor, agency: agency, job: job, purpose: purpose, caseNumber: caseNumber,
            outcome: outcome, reasons: reasons, probeSHA256: probes, candidates: candidates, details: details
        )
        return AuditRecord(event: e, seq: seq, time: time, host: host, pid: pid, prev: prev, hash: hash)
    }

    private mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard bytes.endIndex - i >= count else { return false }
        let start = text.utf8Start
        for k in 0..<count where bytes[i + k] != start[k] { return false }
        i += count
        return true
    }

    private mutating func integer() -> Int? {
        let start = i
        if i < bytes.endIndex, bytes[i] == UInt8(ascii: "-") { i += 1 }
        while i < bytes.endIndex, (0x30...0x39).contains(bytes[i]), i - start < 20 { i += 1 }
        guard i > start else { return nil }
        return Int(String(decoding: bytes[start..<i], as: UTF8.self))
    }

    private mutating func optionalInteger() -> Int?? {
        if literal("null") { return .some(nil) }
        return integer().map { .some($0) }
    }

    private mutating func string() -> String? {
        guard i < bytes.endIndex, bytes[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        var out: [UInt8] = []
        while i < bytes.endIndex {
            let b = bytes[i]
            i += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard i < bytes.endIndex else { return nil }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5c)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "u"):
                    // The writer escapes only U+0000–U+001F and U+007F this way.
                    guard bytes.endIndex - i >= 4, bytes[i] == 0x30, bytes[i + 1] == 0x30,
                          let high = hexValue(bytes[i + 2]), let low = hexValue(bytes[i + 3])
                    else { return nil }
                    out.append(high << 4 | low)
                    i += 4
                default: return nil
                }
            default:
                out.append(b)
            }
        }
        return nil
    }

    private mutating func optionalString() -> String?? {
        if literal("null") { return .some(nil) }
        return string().map { .some($0) }
    }

    private mutating func stringArray() -> [String]? {
        guard literal("[") else { return nil }
        var out: [String] = []
        if literal("]") { return out }
        repeat {
            guard let s = string() else { return nil }
            out.append(s)
        } while literal(",")
        return literal("]") ? out : nil
    }

    private mutating func stringMap() -> [String: String]? {
        guard literal("{") else { return nil }
        var out: [String: String] = [:]
        if literal("}") { return out }
        repeat {
            guard let k = string(), literal(":"), let v = string(), out.updateValue(v, forKey: k) == nil else { return nil }
        } while literal(",")
        return literal("}") ? out : nil
    }

    private func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x61...0x66: b - 0x61 + 10
        default: nil
        }
    }
}
