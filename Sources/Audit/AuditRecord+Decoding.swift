import Foundation
import Policy

extension AuditRecord {
    /// Why a line is not a record.
    public enum DecodingProblem: Error, Sendable, Equatable {
        /// Not JSON, or not an object with the record's fields of the right types.
        case malformed(String)
        /// A valid record whose text is not its canonical form (so some byte was changed).
        case notCanonical
    }

    /// Deepest bracket nesting a record line may have (the object, then `reasons` or `details`).
    static let maximumDepth = 2

    /// Reads one line (without its newline) as a record and checks it is in canonical form.
    ///
    /// - Parameter line: the line's bytes.
    /// - Returns: the record; its hash is not checked here (see ``isHashValid``).
    /// - Throws: ``DecodingProblem``.
    public static func decode(line: ArraySlice<UInt8>) throws(DecodingProblem) -> AuditRecord {
        // Fast path: the canonical layout read directly, confirmed by re-encoding.
        var fast = CanonicalRecordParser(line)
        if let record = fast.parse(), record.canonicalLine.elementsEqual(line) { return record }
        // Slow path, to tell a malformed line from a valid but edited one.
        return try decodeAnyJSON(line: line)
    }

    /// Reads a line with a general JSON parser; throws ``DecodingProblem/notCanonical`` if it is a
    /// record but not in canonical form.
    static func decodeAnyJSON(line: ArraySlice<UInt8>) throws(DecodingProblem) -> AuditRecord {
        guard nestingDepth(line) <= maximumDepth else { throw .malformed("nested too deeply") }
        // The one reader of untrusted JSON (Policy.JSONParser: strict, bounded), not a second one.
        var parser = JSONParser()
        parser.maximumStringBytes = AuditLog.maximumLineBytes
        parser.allowsEscapedNUL = true  // a record keeps what it was given, escaped
        guard let value = try? parser.parse(Array(line)) else { throw .malformed("not valid JSON") }
        guard case .object(let members) = value else { throw .malformed("not a JSON object") }
        var dict: [String: JSONValue] = [:]
        for (key, member) in members where dict.updateValue(member, forKey: key) != nil {
            throw .malformed("\(key) given twice")
        }
        func string(_ key: String) throws(DecodingProblem) -> String {
            guard case .string(let v)? = dict[key] else { throw .malformed("\(key) missing or not a string") }
            return v
        }
        func optionalString(_ key: String) throws(DecodingProblem) -> String? {
            switch dict[key] {
            case nil: throw .malformed("\(key) missing")
            case .null?: return nil
            case .string(let s)?: return s
            default: throw .malformed("\(key) not a string")
            }
        }
        func integer(_ key: String) throws(DecodingProblem) -> Int {
            // An integral number in any form (`-3.0`) is a number of the record, written otherwise: not canonical.
            guard case .number(let text)? = dict[key],
                  let v = Int(text) ?? Double(text).flatMap({ $0.rounded() == $0 ? Int(exactly: $0) : nil })
            else { throw .malformed("\(key) missing or not an integer") }
            return v
        }
        func strings(_ key: String) throws(DecodingProblem) -> [String] {
            guard case .array(let items)? = dict[key] else { throw .malformed("\(key) missing or not an array") }
            var out: [String] = []
            for item in items {
                guard case .string(let s) = item else { throw .malformed("\(key) has a non-string element") }
                out.append(s)
            }
            return out
        }
        guard case .object(let detailMembers)? = dict["details"] else { throw .malformed("details missing or not an object") }
        var details: [String: String] = [:]
        for (k, v) in detailMembers {
            guard case .string(let s) = v else { throw .malformed("details.\(k) not a string") }
            details[k] = s
        }
        let candidates: Int?
        if case .null? = dict["candidates"] { candidates = nil } else { candidates = try integer("candidates") }
        let event = AuditEvent(
            event: try string("event"), actor: try string("actor"), agency: try optionalString("agency"),
            job: try optionalString("job"), purpose: try optionalString("purpose"),
            caseNumber: try optionalString("case_number"), outcome: try optionalString("outcome"),
            reasons: try strings("reasons"), probeSHA256: try strings("probe_sha256"), candidates: candidates,
            details: details
        )
        let record = AuditRecord(
            event: event, seq: try integer("seq"), time: try string("time"), host: try string("host"),
            pid: try integer("pid"), prev: try string("prev"), hash: try string("hash")
        )
        guard record.canonicalLine.elementsEqual(line) else { throw .notCanonical }
        return record
    }

    /// The deepest bracket nesting in `bytes`, outside strings; stops counting past the limit.
    ///
    /// A cheap guard run before handing untrusted text to `JSONSerialization`, which recurses.
    static func nestingDepth(_ bytes: ArraySlice<UInt8>) -> Int {
        var depth = 0, deepest = 0
        var inString = false, escaped = false
        for b in bytes {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                deepest = max(deepest, depth)
                if deepest > 64 { return deepest }
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
        return deepest
    }
}
