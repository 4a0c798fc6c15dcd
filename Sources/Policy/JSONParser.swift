/// A strict, bounded JSON parser (RFC 8259) for untrusted job and policy files.
///
/// Strict: one value with optional whitespace around it; no comments, trailing commas, `NaN`,
/// leading zeros or unescaped control characters; the input must be valid UTF-8, and neither raw
/// nor escaped NUL is accepted (a NUL in a path or name is always an attack or an accident).
/// Bounded: nesting deeper than ``maximumDepth`` and strings longer than ``maximumStringBytes``
/// are refused before any work proportional to them is done, so recursion depth is limited by
/// construction and 100,000 nested brackets cost one quick failure.
public struct JSONParser {
    /// A parse error with the byte offset where it was noticed.
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// What is wrong.
        public var message: String
        /// Byte offset into the input.
        public var offset: Int
        public var description: String { "\(message) at byte \(offset)" }
    }

    /// Deepest nesting of arrays and objects accepted.
    public var maximumDepth = 32
    /// Longest string accepted, in UTF-8 bytes after unescaping.
    public var maximumStringBytes = 1 << 16
    /// Longest number literal accepted, in characters.
    public var maximumNumberLength = 64
    /// Whether an escaped NUL (`\u0000`) is accepted: never in jobs, requests or the policy; the
    /// audit log, which records what it was given, may hold one.
    public var allowsEscapedNUL = false

    public init() {}

    /// Parses a complete JSON document.
    ///
    /// - Parameter bytes: the document.
    /// - Returns: the value.
    /// - Throws: ``Failure`` naming the problem and its byte offset.
    /// - Complexity: O(n); recursion depth at most ``maximumDepth``.
    public func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(Failure) -> JSONValue in
            var cursor = Cursor(bytes: buffer, limits: self)
            cursor.skipWhitespace()
            let value = try cursor.value(depth: 0)
            cursor.skipWhitespace()
            guard cursor.position == buffer.count else { throw cursor.fail("unexpected data after the JSON value") }
            return value
        }
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        let limits: JSONParser
        var position = 0

        init(bytes: UnsafeBufferPointer<UInt8>, limits: JSONParser) {
            self.bytes = bytes
            self.limits = limits
        }

        func fail(_ message: String) -> Failure { Failure(message: message, offset: position) }

        var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while let b = peek, b == 0x20 || b == 0x0a || b == 0x0d || b == 0x09 { position += 1 }
        }

        mutating func expect(_ literal: String) throws(Failure) {
            for expected in literal.utf8 {
                guard position < bytes.count else { throw fail("truncated literal") }
                guard bytes[position] == expected else { throw fail("invalid literal") }
                position += 1
            }
        }

        mutating func value(depth: Int) throws(Failure) -> JSONValue {
            guard let b = peek else { throw fail("unexpected end of input") }
            switch b {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw fail("unexpected character")
            }
        }

        mutating func object(depth: Int) throws(Failure) -> JSONValue {
            guard depth <= limits.maximumDepth else { throw fail("nesting deeper than \(limits.maximumDepth) levels") }
            position += 1
            var members: [(key: String, value: JSONValue)] = []
            skipWhitespace()
            if peek == UInt8(ascii: "}") { position += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard peek == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                let key = try string()
                skipWhitespace()
                guard peek == UInt8(ascii: ":") else { throw fail("expected ':'") }
                position += 1
                skipWhitespace()
                let v = try value(depth: depth)
                members.append((key, v))
                skipWhitespace()
                guard let next = peek else { throw fail("unterminated object") }
                position += 1
                if next == UInt8(ascii: "}") { return .object(members) }
                guard next == UInt8(ascii: ",") else { position -= 1; throw fail("expected ',' or '}'") }
            }
        }

        mutating func array(depth: Int) throws(Failure) -> JSONValue {
            guard depth <= limits.maximumDepth else { throw fail("nesting deeper than \(limits.maximumDepth) levels") }
            position += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if peek == UInt8(ascii: "]") { position += 1; return .array(elements) }
            while true {
                skipWhitespace()
                elements.append(try value(depth: depth))
                skipWhitespace()
                guard let next = peek else { throw fail("unterminated array") }
                position += 1
                if next == UInt8(ascii: "]") { return .array(elements) }
                guard next == UInt8(ascii: ",") else { position -= 1; throw fail("expected ',' or ']'") }
            }
        }

        mutating func number() throws(Failure) -> String {
            let start = position
            func isDigit(_ b: UInt8?) -> Bool { b.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
            if peek == UInt8(ascii: "-") { position += 1 }
            guard isDigit(peek) else { throw fail("invalid number") }
            if peek == UInt8(ascii: "0") {
                position += 1
                if isDigit(peek) { throw fail("leading zero in number") }
            } else {
                while isDigit(peek) { position += 1 }
            }
            if peek == UInt8(ascii: ".") {
                position += 1
                guard isDigit(peek) else { throw fail("invalid number") }
                while isDigit(peek) { position += 1 }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                position += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { position += 1 }
                guard isDigit(peek) else { throw fail("invalid number") }
                while isDigit(peek) { position += 1 }
            }
            guard position - start <= limits.maximumNumberLength else {
                position = start
                throw fail("number literal longer than \(limits.maximumNumberLength) characters")
            }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard position + 4 <= bytes.count else { throw fail("truncated \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[position]
                let d: UInt8
                switch b {
                case 0x30...0x39: d = b - 0x30
                case 0x41...0x46: d = b - 0x41 + 10
                case 0x61...0x66: d = b - 0x61 + 10
                default: throw fail("invalid \\u escape")
                }
                v = v << 4 | UInt32(d)
                position += 1
            }
            return v
        }

        /// Parses a string, validating UTF-8 and rejecting control characters and NUL.
        mutating func string() throws(Failure) -> String {
            position += 1 // opening quote
            var out: [UInt8] = []
            while true {
                guard let b = peek else { throw fail("unterminated string") }
                if out.count > limits.maximumStringBytes {
                    throw fail("string longer than \(limits.maximumStringBytes) bytes")
                }
                switch b {
                case UInt8(ascii: "\""):
                    position += 1
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    position += 1
                    guard let e = peek else { throw fail("unterminated escape") }
                    position += 1
                    switch e {
                    case UInt8(ascii: "\""): out.append(0x22)
                    case UInt8(ascii: "\\"): out.append(0x5c)
                    case UInt8(ascii: "/"): out.append(0x2f)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0c)
                    case UInt8(ascii: "n"): out.append(0x0a)
                    case UInt8(ascii: "r"): out.append(0x0d)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800...0xDBFF).contains(scalar) {
                            guard position + 6 <= bytes.count, bytes[position] == 0x5c, bytes[position + 1] == UInt8(ascii: "u")
                            else { throw fail("unpaired surrogate escape") }
                            position += 2
                            let low = try hex4()
                            guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate escape") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00...0xDFFF).contains(scalar) {
                            throw fail("unpaired surrogate escape")
                        }
                        guard scalar != 0 || limits.allowsEscapedNUL else { throw fail("NUL character in string") }
                        guard let u = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
                        out.append(contentsOf: String(Character(u)).utf8)
                    default:
                        throw fail("invalid escape")
                    }
                case 0x00:
                    throw fail("NUL character in string")
                case 0x01..<0x20:
                    throw fail("unescaped control character in string")
                case 0x20..<0x80:
                    out.append(b)
                    position += 1
                default:
                    let length = try utf8SequenceLength()
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<(position + length)]))
                    position += length
                }
            }
        }

        /// Validates the multi-byte UTF-8 sequence at `position` (RFC 3629: no overlongs, no
        /// surrogates, nothing above U+10FFFF) and returns its length.
        func utf8SequenceLength() throws(Failure) -> Int {
            let b0 = bytes[position]
            let length: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: throw fail("invalid UTF-8")
            }
            guard position + length <= bytes.count else { throw fail("invalid UTF-8 (truncated sequence)") }
            let b1 = bytes[position + 1]
            guard b1 >= lower, b1 <= upper else { throw fail("invalid UTF-8") }
            for i in 2..<length where !(0x80...0xBF).contains(bytes[position + i]) {
                throw fail("invalid UTF-8")
            }
            return length
        }
    }
}
