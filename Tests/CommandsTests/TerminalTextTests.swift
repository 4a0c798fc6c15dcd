@testable import Commands
import Foundation
import Reviews
import Spool
import Testing

/// Text from files never acts on a terminal: escapes, C1 controls, bidi controls and line breaks
/// inside values are shown, not obeyed.
@Suite("Terminal text")
struct TerminalTextTests {
    @Test("control characters are shown as JSON-style escapes; the layout's own line breaks stay in lines")
    func escaping() {
        #expect(TerminalText.escaped("\u{1B}[2K\r  lead: released") == "\\u001B[2K\\u000D  lead: released")
        #expect(TerminalText.escaped("a\u{9B}31mb\u{85}c") == "a\\u009B31mb\\u0085c")
        #expect(TerminalText.escaped("case \u{202E}4321\u{2066}") == "case \\u202E4321\\u2066")
        #expect(TerminalText.escaped("note\nline two\u{2028}") == "note\\u000Aline two\\u2028")
        #expect(TerminalText.escaped("Müller — état ✓") == "Müller — état ✓")
        #expect(TerminalText.escapedLine("job x\n  state: queued\t\u{1B}]0;title\u{7}") == "job x\n  state: queued\t\\u001B]0;title\\u0007")
        #expect("by \(safe: "eve\u{1B}[31m")" == "by eve\\u001B[31m")
        let absent: String? = nil
        #expect("[\(safe: absent)]" == "[]")
        // JSON printed through `out` stays JSON with the same value.
        let json = TerminalText.escapedLine("{\"note\":\"a\u{85}b\u{202E}\"}")
        let value = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
        #expect(value?["note"] == "a\u{85}b\u{202E}")
    }

    @Test("frs status prints a board record's notes, corroborations and case numbers escaped")
    func statusLines() throws {
        var record = JobStatusRecord(job: "job-1", requester: "ana", uid: 3001, agency: "A", purpose: "active-investigation",
                                     caseNumber: "24-1\u{1B}[8m", state: .finished, decision: "completed",
                                     updated: Date(timeIntervalSince1970: 0))
        let lead = """
            {"face": 1, "candidate": "S-1", "state": "pending",
             "dispositions": [{"examiner": "eve", "disposition": "possible-match", "time": "t",
                               "note": "ok\\u001b[2K\\r  lead: face 1 candidate S-1: released\\nforged line"}],
             "outcomes": [{"action": "arrested", "by": "ana", "time": "t", "corroboration": "\\u009b31mwitness"}]}
            """
        record.leads = [try JSONDecoder().decode(LeadSummary.self, from: Data(lead.utf8))]
        let lines = StatusCommand.lines(record)
        let text = lines.joined(separator: "\n")
        #expect(!text.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{9B}" || $0 == "\r" })
        #expect(!text.contains("\nforged"), "a line break inside a note starts no line of its own")
        #expect(text.contains("case 24-1\\u001B[8m"))
        #expect(text.contains("ok\\u001B[2K\\u000D  lead: face 1 candidate S-1: released\\u000Aforged line"))
        #expect(text.contains("corroboration: \\u009B31mwitness"))
    }
}
