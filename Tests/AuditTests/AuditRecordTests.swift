@testable import Audit
import Foundation
import Testing

@Suite("AuditRecord decoding")
struct AuditRecordTests {
    static let record = AuditRecord(
        event: AuditEvent(
            event: "job.denied", actor: "a\"b\\c\n\u{0}\u{1f}\u{7f}é😀/", agency: nil, job: "j", purpose: "p",
            caseNumber: nil, outcome: "denied", reasons: ["x", ""], probeSHA256: [], candidates: -3,
            details: ["k": "v", "": "empty", "é": "\t"]
        ),
        seq: 42, time: "2026-06-15T09:00:00.000Z", host: "h", pid: 7, prev: AuditRecord.genesis
    )

    static var line: String { String(decoding: record.canonicalLine, as: UTF8.self) }

    @Test("the fast path and the general JSON path agree")
    func pathsAgree() throws {
        let bytes = Array(Self.record.canonicalLine)
        #expect(try AuditRecord.decode(line: bytes[...]) == Self.record)
        #expect(try AuditRecord.decodeAnyJSON(line: bytes[...]) == Self.record)
        var fast = CanonicalRecordParser(bytes[...])
        #expect(fast.parse() == Self.record)
    }

    @Test("equal JSON in another form is not canonical", arguments: [
        (#""job":"j""#, #""job":"\u006a""#),
        ("é", #"\u00e9"#),
        (#"/""#, #"\/""#),
        (#""k":"v""#, #""k":"v","k":"v""#),
        (#""candidates":-3"#, #""candidates":-3.0"#),
        (#","agency":null"#, #", "agency":null"#),
        (#"\u001f"#, #"\u001F"#),
    ])
    func notCanonical(original: String, replacement: String) throws {
        let edited = Self.line.replacingOccurrences(of: original, with: replacement)
        #expect(edited != Self.line)
        #expect {
            try AuditRecord.decode(line: Array(edited.utf8)[...])
        } throws: { ($0 as? AuditRecord.DecodingProblem) == .notCanonical }
    }

    @Test("broken lines are malformed", arguments: [
        "", "{", "null", "[]", #"{"seq":1}"#, String(repeating: "{\"a\":", count: 1000), "\u{0}",
    ])
    func malformed(line: String) {
        #expect {
            try AuditRecord.decode(line: Array(line.utf8)[...])
        } throws: { error in
            if case .malformed = error as? AuditRecord.DecodingProblem { return true }
            return false
        }
    }

    @Test("invalid UTF-8 inside a string is rejected")
    func invalidUTF8() {
        var bytes = Array(Self.line.utf8)
        let at = bytes.firstIndex(of: UInt8(ascii: "j"))!
        bytes[at] = 0xff
        #expect(throws: AuditRecord.DecodingProblem.self) { try AuditRecord.decode(line: bytes[...]) }
    }
}
