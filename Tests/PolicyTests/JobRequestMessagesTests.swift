@testable import Policy
import Foundation
import Testing

/// What a job file is told, word for word: the messages name the fields, and outside tools and
/// people read them.
@Suite("Job file messages")
struct JobRequestMessagesTests {
    func messages(_ text: String) -> [String] {
        JobRequest.parse(Array(text.utf8)).failure?.messages ?? []
    }

    @Test("an unknown field lists the known ones; missing fields say what to give")
    func unknownAndMissing() {
        #expect(messages(#"{"widget": 1}"#) == [
            "input.unknown-field: widget: unknown field; known fields are case_number, justification, max_candidates, "
                + "offense, probe_dir, probe_edits, probe_source, probes, purpose, requester, threshold, version",
            "input.malformed: version: missing; use \"version\": 1",
            "input.malformed: requester: missing; name the registered requester id",
            "input.probe-missing: probes: no probe images: give probes or probe_dir",
        ])
    }

    @Test("each kind of field says what is wrong with it")
    func wrongValues() {
        let text = #"""
            {"version": 2, "requester": "", "purpose": 3, "case_number": "\u0007", "offense": true,
             "justification": [], "probes": [1, "", "rtsp://cam/1"], "probe_dir": "", "max_candidates": 0,
             "threshold": 3, "probe_source": "drawing", "probe_edits": [{"by": "x"}]}
            """#
        #expect(messages(text) == [
            "input.malformed: version: unsupported version 2; this is version 1",
            "input.malformed: requester: must not be empty",
            "input.malformed: purpose: must be a string, not the number 3",
            "input.malformed: case_number: contains the control character U+0007; a one-line field holds no control "
                + "characters, tabs, line breaks or direction marks",
            "input.malformed: offense: must be a string, not true",
            "input.malformed: justification: must be a string, not a value of type array",
            "input.malformed: probes[0]: must be a path string, not the number 1",
            "input.malformed: probes[1]: must not be empty",
            "use.live-surveillance: probes[2]: a live stream is not a probe image; this is a batch investigative tool",
            "input.malformed: probe_dir: must not be empty",
            "input.invalid-max-candidates: max_candidates: must be a whole number from 2 to 50, not the number 0",
            "input.invalid-threshold: threshold: must be a distance above 0 (default 0.6), not the number 3",
            "input.malformed: probe_source: \"drawing\" is not a probe source; use one of surveillance-still, photo, "
                + "social-media, booking, other",
            "input.malformed: probe_edits[0]: must be an object with exactly the strings \"by\" and \"edit\"",
        ])
        #expect(messages(#"{"version": 1, "requester": "jdoe", "probes": ["a.jpg"], "probe_source": "sketch", "#
                         + #""probe_edits": 4, "offense": "\#(String(repeating: "x", count: 201))"}"#) == [
            "input.probe-source-refused: probe_source: a sketch is not a photo of the person sought; face recognition may not search it",
            "input.malformed: probe_edits: must be a list of at most 100 {\"by\", \"edit\"} objects",
            "input.malformed: offense: longer than 200 characters",
        ])
    }

    @Test("a failure keeps the identity fields it could read, blank ones as read")
    func failureIdentity() throws {
        let failure = try #require(JobRequest.parse(Array(#"{"requester": " jdoe ", "purpose": " ", "case_number": " "}"#.utf8)).failure)
        #expect(failure.requester == "jdoe" && failure.purpose == "" && failure.caseNumber == "")
        let unread = try #require(JobRequest.parse(Array(#"{"requester": 1, "purpose": null}"#.utf8)).failure)
        #expect(unread.requester == nil && unread.purpose == nil && unread.caseNumber == nil)
    }
}
