@testable import Spool
import Audit
import Foundation
import Policy
import Reviews
import SpoolTestSupport
import TestSupport
import Testing

/// Drop-box requests: control characters refused in one-line fields and narratives, narratives
/// counted in visible characters.
@Suite("Request text")
struct RequestTextTests {
    func json(_ object: [String: Any]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object))
    }

    static let controls = ["\u{1B}[2K", "\u{9B}31m", "\u{85}", "\u{202E}", "\u{2067}", "\n", "\t"]

    @Test("review, approval, resolution and outcome requests refuse control characters in one-line fields")
    func oneLineFields() throws {
        let review: [String: Any] = ["version": 1, "job": "job-1", "examiner": "eexam", "face": 1, "candidate": "S-1",
                                     "disposition": "no-match"]
        let approval: [String: Any] = ["version": 1, "job": "job-1", "supervisor": "sroe", "decision": "approve"]
        let resolution: [String: Any] = ["version": 1, "job": "job-1", "supervisor": "sroe", "face": 1, "candidate": "S-1",
                                         "disposition": "no-match", "note": "the ears differ"]
        let outcome: [String: Any] = ["version": 1, "job": "job-1", "recorded_by": "jdoe", "face": 1, "candidate": "S-1",
                                      "action": "interviewed"]
        #expect(throws: Never.self) { _ = try ReviewRequest.parse(try json(review)) }
        #expect(throws: Never.self) { _ = try ApprovalRequest.parse(try json(approval)) }
        #expect(throws: Never.self) { _ = try ResolutionRequest.parse(try json(resolution)) }
        #expect(throws: Never.self) { _ = try OutcomeRequest.parse(try json(outcome)) }
        for bad in Self.controls {
            for key in ["examiner", "candidate", "job"] {
                var r = review
                r[key] = "x" + bad
                #expect(throws: RequestFieldError.self) { _ = try ReviewRequest.parse(try json(r)) }
            }
            var a = approval
            a["supervisor"] = "sroe" + bad
            #expect(throws: RequestFieldError.self) { _ = try ApprovalRequest.parse(try json(a)) }
            var s = resolution
            s["candidate"] = bad + "S-1"
            #expect(throws: RequestFieldError.self) { _ = try ResolutionRequest.parse(try json(s)) }
            var o = outcome
            o["recorded_by"] = "jdoe" + bad
            #expect(throws: RequestFieldError.self) { _ = try OutcomeRequest.parse(try json(o)) }
        }
        var long = review
        long["candidate"] = String(repeating: "S", count: 65_000)
        #expect(throws: RequestFieldError.self) { _ = try ReviewRequest.parse(try json(long)) }
    }

    @Test("narratives keep line breaks and direction marks but refuse terminal controls; a note must be visible")
    func narratives() throws {
        var review: [String: Any] = ["version": 1, "job": "job-1", "examiner": "eexam", "face": 1, "candidate": "S-1",
                                     "disposition": "no-match", "note": "line one\nline two \u{200F}שלום"]
        #expect(try ReviewRequest.parse(try json(review)).note == "line one\nline two \u{200F}שלום")
        for bad in ["\u{1B}[2K", "\u{9B}31m", "\u{85}", "\u{7F}", "\u{202E}"] {
            review["note"] = "ok" + bad
            do {
                _ = try ReviewRequest.parse(try json(review))
                Issue.record("a note with \(bad.unicodeScalars.map(\.value)) was accepted")
            } catch let error as RequestFieldError {
                #expect(error.message.hasPrefix("note contains the control character U+"), "\(error.message)")
            }
        }
        let invisible = String(repeating: "\u{2060}\u{AD}\u{FEFF}", count: 10)
        let resolution: [String: Any] = ["version": 1, "job": "job-1", "supervisor": "sroe", "face": 1, "candidate": "S-1",
                                         "disposition": "no-match", "note": invisible]
        #expect(throws: RequestFieldError.self) { _ = try ResolutionRequest.parse(try json(resolution)) }
    }

    @Test("thirty invisible characters are no corroboration for an arrest")
    func invisibleCorroboration() throws {
        let (spool, result) = try ReviewTests.spoolWithCompletedJob()
        let subject = result.probes[0].faces[0].candidates[0].subject
        let now = spool.now
        let recorder = try OutcomeRecorder(results: spool.layout.resultFiles, database: try SpoolDatabase.open(spool.layout),
                                           audit: try AuditLog(directory: spool.layout.audit), policy: .default, clock: { now })
        try ReviewTests.releaseLead(spool, candidate: subject)  // an outcome needs a released lead
        for invisible in ["\u{2060}", "\u{AD}", "\u{FEFF}", "\u{200B}"] {
            let outcome = OutcomeRequest(job: "job-1", recordedBy: "jdoe", face: 1, candidate: subject, action: .arrested,
                                         corroboration: String(repeating: invisible, count: 30))
            guard case .refused(let reasons, _) = try recorder.apply(outcome, ownerUID: TestSpool.analystUID, request: nil)
            else { Issue.record("30 × U+\(String(invisible.unicodeScalars.first!.value, radix: 16)) corroborated an arrest"); continue }
            #expect(reasons == [.outcomeCorroborationRequired])
        }
        let escape = OutcomeRequest(job: "job-1", recordedBy: "jdoe", face: 1, candidate: subject, action: .arrested,
                                    corroboration: "Witness identified him in a lineup \u{1B}[2K")
        guard case .refused(let reasons, _) = try recorder.apply(escape, ownerUID: TestSpool.analystUID, request: nil)
        else { Issue.record("a corroboration with an escape sequence was recorded directly"); return }
        #expect(reasons == [.inputMalformed])
        let fine = OutcomeRequest(job: "job-1", recordedBy: "jdoe", face: 1, candidate: subject, action: .arrested,
                                  corroboration: "Fingerprints on the register matched; a witness picked him from a lineup")
        #expect(try recorder.apply(fine, ownerUID: TestSpool.analystUID, request: nil) == .recorded)
    }

    @Test("frs review and the others refuse such a field before dropping anything; a rejection says why")
    func refusedBeforeDropping() throws {
        let spool = try TestSpool()
        let review = ReviewRequest(job: "job-1", examiner: "eexam", face: 1, candidate: "S-1", disposition: .noMatch,
                                   note: "ok\u{1B}[2K\r  lead: released")
        #expect(throws: RequestFieldError.self) { _ = try review.drop(via: spool.layout.tmp, into: spool.layout.incoming) }
        #expect(try spool.entries(spool.layout.incoming).isEmpty)
        #expect(try spool.entries(spool.layout.tmp).isEmpty)
        #expect(throws: RequestFieldError.self) {
            try ApprovalRequest(job: "job-1", supervisor: "sroe", decision: .reject, note: String(repeating: "\u{2060}", count: 30))
                .checkFields()
        }
        #expect(throws: RequestFieldError.self) {
            try ApprovalRequest(job: "job-1", supervisor: "sroe", decision: .reject, note: nil).checkFields()
        }
        #expect(throws: Never.self) { try ApprovalRequest(job: "job-1", supervisor: "sroe", decision: .approve, note: nil).checkFields() }
    }
}
