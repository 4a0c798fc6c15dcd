import Foundation

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
        guard nestingDepth(line) <= maximumDepth else { throw .malformed("nested too deeply") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line), options: [])
        } catch {
            throw .malformed("not valid JSON")
        }
        guard let dict = object as? [String: Any] else { throw .malformed("not a JSON object") }
        func string(_ key: String) throws(DecodingProblem) -> String {
            guard let v = dict[key] as? String else { throw .malformed("\(key) missing or not a string") }
            return v
        }
        func optionalString(_ key: String) throws(DecodingProblem) -> String? {
            guard let v = dict[key] else { throw .malformed("\(key) missing") }
            if v is NSNull { return nil }
            guard let s = v as? String else { throw .malformed("\(key) not a string") }
            return s
        }
        func integer(_ key: String) throws(DecodingProblem) -> Int {
            guard let v = dict[key] as? Int else { throw .malformed("\(key) missing or not an integer") }
            return v
        }
        func strings(_ key: String) throws(DecodingProblem) -> [String] {
            guard let v = dict[key] as? [Any] else { throw .malformed("\(key) missing or not an array") }
            var out: [String] = []
            for item in v {
                guard let s = item as? String else { throw .malformed("\(key) has a non-string element") }
                out.append(s)
            }
            return out
        }
        guard let detailsAny = dict["details"] as? [String: Any] else { throw .malformed("details missing or not an object") }
        var details: [String: String] = [:]
        for (k, v) in detailsAny {
            guard let s = v as? String else { throw .malformed("details.\(k) not a string") }
            details[k] = s
        }
        let candidates: Int?
        if dict["candidates"] is NSNull { candidates = nil } else { candidates = try integer("candidates") }
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
