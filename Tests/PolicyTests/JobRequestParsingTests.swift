@testable import Policy
import Foundation
import Testing

@Suite("JobRequest.parse")
struct JobRequestParsingTests {
    @Test("the SPEC example parses")
    func specExample() throws {
        let text = """
            { "version": 1, "requester": "jdoe", "purpose": "active-investigation",
              "case_number": "24-012345", "offense": "armed robbery",
              "justification": "Suspect photographed by the store camera during the robbery on 2024-09-01",
              "probes": ["24-012345/cam1.jpg"], "max_candidates": 10 }
            """
        let job = try #require(JobRequest.parse(Array(text.utf8)).job)
        #expect(job == Fixtures.job)
        #expect(job.authorizedPurpose == .activeInvestigation)
    }

    @Test("optional fields: probe_dir, threshold, nulls, trimming")
    func optionalFields() throws {
        let job = try #require(JobRequest.parse(Fixtures.jobBytes([
            "probes": nil, "probe_dir": "bulk/2026", "threshold": 0.5, "offense": NSNull(),
            "case_number": "  24-1  ", "max_candidates": NSNull(),
        ])).job)
        #expect(job.probes == [])
        #expect(job.probeDir == "bulk/2026")
        #expect(job.threshold == 0.5)
        #expect(job.offense == nil)
        #expect(job.caseNumber == "24-1")
        #expect(job.maxCandidates == nil)
        // Blank strings count as absent, so the gate reports the missing requirement.
        let blank = try #require(JobRequest.parse(Fixtures.jobBytes(["case_number": "   ", "purpose": nil])).job)
        #expect(blank.caseNumber == nil)
        #expect(blank.purpose == "")
    }

    struct HostileCase: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: @Sendable () -> [UInt8]
        var expected: [ReasonCode]
        var field: String? = nil
        var testDescription: String { name }
    }

    static let hostile: [HostileCase] = [
        .init(name: "empty", bytes: { [] }, expected: [.inputMalformed]),
        .init(name: "whitespace only", bytes: { Array(" \n\t ".utf8) }, expected: [.inputMalformed]),
        .init(name: "truncated", bytes: { Array(Fixtures.jobBytes([:]).dropLast(7)) }, expected: [.inputMalformed]),
        .init(name: "not JSON", bytes: { Array("requester=jdoe&purpose=x".utf8) }, expected: [.inputMalformed]),
        .init(name: "two documents", bytes: { Fixtures.jobBytes([:]) + Array("{}".utf8) }, expected: [.inputMalformed]),
        .init(name: "top-level array", bytes: { Array("[1, 2]".utf8) }, expected: [.inputMalformed]),
        .init(name: "top-level string", bytes: { Array("\"job\"".utf8) }, expected: [.inputMalformed]),
        .init(name: "top-level null", bytes: { Array("null".utf8) }, expected: [.inputMalformed]),
        .init(name: "trailing comma", bytes: { Array("{\"version\":1,}".utf8) }, expected: [.inputMalformed]),
        .init(name: "comment", bytes: { Array("{/* x */\"version\":1}".utf8) }, expected: [.inputMalformed]),
        .init(name: "NaN", bytes: { Array("{\"version\":NaN}".utf8) }, expected: [.inputMalformed]),
        .init(name: "version as string", bytes: { Fixtures.jobBytes(["version": "1"]) }, expected: [.inputMalformed], field: "version"),
        .init(name: "version 2", bytes: { Fixtures.jobBytes(["version": 2]) }, expected: [.inputMalformed], field: "version"),
        .init(name: "version missing", bytes: { Fixtures.jobBytes(["version": nil]) }, expected: [.inputMalformed], field: "version"),
        .init(name: "requester as number", bytes: { Fixtures.jobBytes(["requester": 42]) }, expected: [.inputMalformed], field: "requester"),
        .init(name: "requester missing", bytes: { Fixtures.jobBytes(["requester": nil]) }, expected: [.inputMalformed], field: "requester"),
        .init(name: "requester empty", bytes: { Fixtures.jobBytes(["requester": ""]) }, expected: [.inputMalformed], field: "requester"),
        .init(name: "requester with newline", bytes: { Fixtures.jobBytes(["requester": "jdoe\nforged"]) }, expected: [.inputMalformed], field: "requester"),
        .init(name: "purpose as array", bytes: { Fixtures.jobBytes(["purpose": ["active-investigation"]]) }, expected: [.inputMalformed], field: "purpose"),
        .init(name: "justification as object", bytes: { Fixtures.jobBytes(["justification": ["a": "b"]]) }, expected: [.inputMalformed], field: "justification"),
        .init(name: "probes as string", bytes: { Fixtures.jobBytes(["probes": "a.jpg"]) }, expected: [.inputMalformed], field: "probes"),
        .init(name: "probe as number", bytes: { Fixtures.jobBytes(["probes": ["a.jpg", 7]]) }, expected: [.inputMalformed], field: "probes[1]"),
        .init(name: "empty probe path", bytes: { Fixtures.jobBytes(["probes": [""]]) }, expected: [.inputMalformed], field: "probes[0]"),
        .init(name: "no probes at all", bytes: { Fixtures.jobBytes(["probes": nil]) }, expected: [.inputProbeMissing], field: "probes"),
        .init(name: "empty probes list", bytes: { Fixtures.jobBytes(["probes": [String]()]) }, expected: [.inputProbeMissing], field: "probes"),
        .init(name: "probes over the hard cap", bytes: { Fixtures.jobBytes(["probes": Array(repeating: "a.jpg", count: 100_001)]) }, expected: [.inputTooManyProbes], field: "probes"),
        .init(name: "max_candidates -5", bytes: { Fixtures.jobBytes(["max_candidates": -5]) }, expected: [.inputInvalidMaxCandidates], field: "max_candidates"),
        .init(name: "max_candidates 0", bytes: { Fixtures.jobBytes(["max_candidates": 0]) }, expected: [.inputInvalidMaxCandidates], field: "max_candidates"),
        .init(name: "max_candidates 2^63", bytes: { Array(#"{"version":1,"requester":"jdoe","probes":["a.jpg"],"max_candidates":9223372036854775808}"#.utf8) }, expected: [.inputInvalidMaxCandidates], field: "max_candidates"),
        .init(name: "max_candidates 1e400", bytes: { Array(#"{"version":1,"requester":"jdoe","probes":["a.jpg"],"max_candidates":1e400}"#.utf8) }, expected: [.inputInvalidMaxCandidates], field: "max_candidates"),
        .init(name: "max_candidates 10.5", bytes: { Array(#"{"version":1,"requester":"jdoe","probes":["a.jpg"],"max_candidates":10.5}"#.utf8) }, expected: [.inputInvalidMaxCandidates], field: "max_candidates"),
        .init(name: "max_candidates as string", bytes: { Fixtures.jobBytes(["max_candidates": "10"]) }, expected: [.inputInvalidMaxCandidates], field: "max_candidates"),
        .init(name: "max_candidates true", bytes: { Array(#"{"version":1,"requester":"jdoe","probes":["a.jpg"],"max_candidates":true}"#.utf8) }, expected: [.inputInvalidMaxCandidates], field: "max_candidates"),
        .init(name: "threshold 1e400", bytes: { Array(#"{"version":1,"requester":"jdoe","probes":["a.jpg"],"threshold":1e400}"#.utf8) }, expected: [.inputInvalidThreshold], field: "threshold"),
        .init(name: "threshold -0.5", bytes: { Fixtures.jobBytes(["threshold": -0.5]) }, expected: [.inputInvalidThreshold], field: "threshold"),
        .init(name: "version 2^63", bytes: { Array(#"{"version":9223372036854775808,"requester":"jdoe","probes":["a.jpg"]}"#.utf8) }, expected: [.inputMalformed], field: "version"),
        .init(name: "a 100-digit number", bytes: { Array(("{\"version\":1" + String(repeating: "9", count: 100) + "}").utf8) }, expected: [.inputMalformed]),
        .init(name: "raw NUL inside a string", bytes: { Array("{\"version\":1,\"requester\":\"jd\u{0}oe\",\"probes\":[\"a.jpg\"]}".utf8) }, expected: [.inputMalformed]),
        .init(name: "escaped NUL in a probe path", bytes: { Array(#"{"version":1,"requester":"jdoe","probes":["a.jpg\u0000.png"]}"#.utf8) }, expected: [.inputMalformed]),
        .init(name: "NUL outside strings", bytes: { Array("{\"version\":1}\u{0}".utf8) }, expected: [.inputMalformed]),
        .init(name: "invalid UTF-8 byte 0xFF", bytes: { Array(#"{"version":1,"requester":""#.utf8) + [0xff] + Array(#"","probes":["a.jpg"]}"#.utf8) }, expected: [.inputMalformed]),
        .init(name: "overlong UTF-8 encoding of '/'", bytes: { Array(#"{"version":1,"requester":"jdoe","probes":["..""#.utf8) + [0xc0, 0xaf] + Array(#"x"]}"#.utf8) }, expected: [.inputMalformed]),
        .init(name: "UTF-8 encoded surrogate", bytes: { Array(#"{"version":1,"requester":""#.utf8) + [0xed, 0xa0, 0x80] + Array(#"","probes":["a.jpg"]}"#.utf8) }, expected: [.inputMalformed]),
        .init(name: "truncated UTF-8 sequence", bytes: { Array(#"{"version":1,"requester":""#.utf8) + [0xe2, 0x82] }, expected: [.inputMalformed]),
        .init(name: "unpaired surrogate escape", bytes: { Array(#"{"version":1,"requester":"\ud800","probes":["a.jpg"]}"#.utf8) }, expected: [.inputMalformed]),
        .init(name: "a 5 MB string", bytes: { Fixtures.jobBytes(["justification": String(repeating: "A", count: 5_000_000)]) }, expected: [.inputMalformed]),
        .init(name: "an over-long justification", bytes: { Fixtures.jobBytes(["justification": String(repeating: "A", count: 4001)]) }, expected: [.inputMalformed], field: "justification"),
        .init(name: "an over-long case number", bytes: { Fixtures.jobBytes(["case_number": String(repeating: "9", count: 65)]) }, expected: [.inputMalformed], field: "case_number"),
        .init(name: "100,000 nested arrays", bytes: { Array(String(repeating: "[", count: 100_000).utf8) + Array(String(repeating: "]", count: 100_000).utf8) }, expected: [.inputMalformed]),
        .init(name: "100,000 nested objects in a field", bytes: {
            Array(#"{"version":1,"x":"#.utf8) + Array(String(repeating: #"{"a":"#, count: 100_000).utf8) + Array("1".utf8) + Array(String(repeating: "}", count: 100_001).utf8)
        }, expected: [.inputMalformed]),
        .init(name: "100,000 unclosed brackets", bytes: { Array(String(repeating: "[", count: 100_000).utf8) }, expected: [.inputMalformed]),
        .init(name: "a file over 16 MiB", bytes: { [UInt8](repeating: 0x20, count: (16 << 20) + 1) }, expected: [.inputMalformed]),
        .init(name: "a duplicated key", bytes: { Array(#"{"version":1,"requester":"jdoe","requester":"boss","probes":["a.jpg"]}"#.utf8) }, expected: [.inputMalformed], field: "requester"),
        .init(name: "an unknown field", bytes: { Fixtures.jobBytes(["priority": "high"]) }, expected: [.inputUnknownField], field: "priority"),
        .init(name: "an unknown field with a benign object", bytes: { Fixtures.jobBytes(["metadata": ["source": "records"]]) }, expected: [.inputUnknownField], field: "metadata"),
    ]

    @Test("hostile and malformed input is refused with the right code", arguments: hostile)
    func hostileInput(_ c: HostileCase) throws {
        let result = JobRequest.parse(c.bytes())
        let failure = try #require(result.failure, "\(c.name) was accepted")
        #expect(failure.reasons == c.expected, "\(failure.messages)")
        if let field = c.field {
            #expect(failure.issues.contains { $0.field == field }, "\(failure.messages)")
        }
        #expect(!failure.messages.isEmpty)
    }

    struct ProhibitedCase: Sendable, CustomTestStringConvertible {
        var name: String
        var changes: @Sendable () -> [String: Any?]
        var expected: [ReasonCode]
        var testDescription: String { name }
    }

    static let prohibited: [ProhibitedCase] = [
        .init(name: "race", changes: { ["race": "black"] }, expected: [.useProtectedClassFilter]),
        .init(name: "ethnicity", changes: { ["ethnicity": "hispanic"] }, expected: [.useProtectedClassFilter]),
        .init(name: "religion", changes: { ["religion": "muslim"] }, expected: [.useProtectedClassFilter]),
        .init(name: "gender", changes: { ["gender": "female"] }, expected: [.useProtectedClassFilter]),
        .init(name: "sex", changes: { ["sex": "M"] }, expected: [.useProtectedClassFilter]),
        .init(name: "age range", changes: { ["age": ["min": 18, "max": 30]] }, expected: [.useProtectedClassFilter]),
        .init(name: "min_age", changes: { ["min_age": 40] }, expected: [.useProtectedClassFilter]),
        .init(name: "disability", changes: { ["disability": true] }, expected: [.useProtectedClassFilter]),
        .init(name: "citizenship", changes: { ["citizenship": "none"] }, expected: [.useProtectedClassFilter]),
        .init(name: "national_origin", changes: { ["national_origin": "MX"] }, expected: [.useProtectedClassFilter]),
        .init(name: "nationalOrigin (camelCase)", changes: { ["nationalOrigin": "MX"] }, expected: [.useProtectedClassFilter]),
        .init(name: "sexual_orientation", changes: { ["sexual_orientation": "x"] }, expected: [.useProtectedClassFilter]),
        .init(name: "political_views", changes: { ["political_views": "x"] }, expected: [.useProtectedClassFilter]),
        .init(name: "Skin-Tone", changes: { ["Skin-Tone": "dark"] }, expected: [.useProtectedClassFilter]),
        .init(name: "filter object naming race", changes: { ["filter": ["race": "white"]] }, expected: [.useProtectedClassFilter]),
        .init(name: "filter with field/value", changes: { ["filters": [["field": "ethnicity", "op": "=", "value": "x"]]] }, expected: [.useProtectedClassFilter]),
        .init(name: "select expression", changes: { ["select": "age > 40 AND gender = 'F'"] }, expected: [.useProtectedClassFilter]),
        .init(name: "where clause on religion", changes: { ["where": ["religious_affiliation": "x"]] }, expected: [.useProtectedClassFilter]),
        .init(name: "stream", changes: { ["stream": "cam-12"] }, expected: [.useLiveSurveillance]),
        .init(name: "camera_feed", changes: { ["camera_feed": "lobby"] }, expected: [.useLiveSurveillance]),
        .init(name: "rtsp url field", changes: { ["source": "rtsp://10.0.0.5/live"] }, expected: [.useLiveSurveillance]),
        .init(name: "rtsp url as a probe", changes: { ["probes": ["rtsp://10.0.0.5/stream1"]] }, expected: [.useLiveSurveillance]),
        .init(name: "rtsp url as probe_dir", changes: { ["probe_dir": "RTSP://cam/1"] }, expected: [.useLiveSurveillance]),
        .init(name: "watch_list", changes: { ["watch_list": ["S-1", "S-2"]] }, expected: [.useLiveSurveillance]),
        .init(name: "watchlist", changes: { ["watchlist": true] }, expected: [.useLiveSurveillance]),
        .init(name: "continuous", changes: { ["continuous": true] }, expected: [.useLiveSurveillance]),
        .init(name: "live", changes: { ["live": true] }, expected: [.useLiveSurveillance]),
        .init(name: "monitor", changes: { ["monitor": "entrance"] }, expected: [.useLiveSurveillance]),
        .init(name: "mode: realtime", changes: { ["mode": "realtime"] }, expected: [.useLiveSurveillance]),
        .init(name: "both at once, plus an unknown field", changes: {
            ["race": "x", "stream": "y", "colour": "blue"]
        }, expected: [.inputUnknownField, .useProtectedClassFilter, .useLiveSurveillance]),
        .init(name: "a live monitor filtered by age", changes: { ["monitor": ["age": 30]] }, expected: [.useProtectedClassFilter, .useLiveSurveillance]),
    ]

    @Test("prohibited uses are denied as use.*, not as malformed", arguments: prohibited)
    func prohibitedUses(_ c: ProhibitedCase) throws {
        let failure = try #require(JobRequest.parse(Fixtures.jobBytes(c.changes())).failure)
        // Fixtures.bytes sorts keys, so the issues come in key order.
        #expect(failure.reasons == c.expected, "\(failure.messages)")
        #expect(!failure.reasons.contains(.inputMalformed))
        #expect(failure.requester == "jdoe")
        #expect(failure.caseNumber == "24-012345")
    }

    @Test("words that merely contain a protected term are not flagged")
    func noFalsePositives() throws {
        for key in ["page", "stage", "message", "average", "voyage", "prefix", "priority"] {
            let failure = try #require(JobRequest.parse(Fixtures.jobBytes([key: "x"])).failure)
            #expect(failure.reasons == [.inputUnknownField], "\(key): \(failure.messages)")
        }
        // Known fields are not searched: a description in the justification is not a filter.
        let job = JobRequest.parse(Fixtures.jobBytes([
            "justification": "Witness describes a male suspect of about 30 years age with a live camera recording",
        ])).job
        #expect(job != nil)
    }

    @Test("the failure names every field and keeps identity for the audit record")
    func failureDetails() throws {
        let failure = try #require(JobRequest.parse(Fixtures.jobBytes([
            "max_candidates": "ten", "race": "x", "probes": [1],
        ])).failure)
        #expect(Set(failure.issues.map(\.field)) == ["max_candidates", "race", "probes[0]"])
        #expect(failure.purpose == "active-investigation")
        #expect(failure.description.contains("max_candidates"))
        #expect(failure.description.contains("use.protected-class-filter"))
    }

    @Test("one-line fields refuse C0, C1, ESC and bidirectional controls; a justification keeps its line breaks")
    func controlCharactersInFields() throws {
        for bad in ["\u{1B}[2K", "\u{9B}31m", "\u{85}", "\u{202E}4321", "\u{2066}x\u{2069}", "\u{200F}", "a\tb", "\u{2028}"] {
            for field in ["case_number", "offense", "requester", "purpose"] {
                let failure = try #require(JobRequest.parse(Fixtures.jobBytes([field: "24-1" + bad])).failure,
                                           "\(field) with \(bad.unicodeScalars.map { $0.value })")
                #expect(failure.issues.contains { $0.field == field && $0.code == .inputMalformed && $0.message.contains("U+") })
            }
            #expect(JobRequest.parse(Fixtures.jobBytes(["probes": ["case/a\(bad).jpg"]])).failure != nil)
        }
        for bad in ["\u{1B}[2K", "\u{9B}31m", "\u{85}", "\u{202E}"] {
            #expect(JobRequest.parse(Fixtures.jobBytes(["justification": String(repeating: "a", count: 40) + bad])).failure != nil)
        }
        let narrative = "Suspect seen by two witnesses\nat the corner store\tat 10 pm, \u{200F}שלום\u{200E}"
        let job = try #require(JobRequest.parse(Fixtures.jobBytes(["justification": narrative])).job)
        #expect(job.justification == narrative)
    }

    @Test("control characters in keys are escaped in messages")
    func escapedKeys() throws {
        let bytes = Array(#"{"version":1,"requester":"jdoe","probes":["a.jpg"],"x\u001b[31m":1}"#.utf8)
        let failure = try #require(JobRequest.parse(bytes).failure)
        #expect(failure.reasons == [.inputUnknownField])
        #expect(!failure.description.unicodeScalars.contains { $0.value == 0x1b })
    }
}

/// The job file's schema is written and read in one module: every field survives a round trip.
@Suite("Job file round trip")
struct JobFileRoundTripTests {
    @Test func everyFieldWrittenIsReadBack() throws {
        let job = JobRequest(
            requester: "jdoe", purpose: "active-investigation", caseNumber: "24-012345", offense: "armed robbery",
            justification: "Suspect photographed by the store camera during the robbery on 2024-09-01",
            probes: ["24-012345/cam1.jpg", "24-012345/cam2.jpg"], probeDir: "SCPD/backlog", maxCandidates: 12,
            threshold: 0.55, probeSource: .surveillanceStill,
            probeEdits: [ProbeEdit(by: "jdoe", edit: "cropped to the face")])
        #expect(try JobRequest.parse(try job.jobFileBytes()).get() == job)
        let minimal = JobRequest(requester: "jdoe", purpose: "tips-and-leads", caseNumber: "24-1",
                                 justification: "Anonymous tip with a photo of the suspect at the scene", probes: ["a/b.jpg"])
        let text = String(decoding: try minimal.jobFileBytes(), as: UTF8.self)
        #expect(!text.contains("probe_edits") && !text.contains("threshold") && !text.contains("offense"))
        #expect(try JobRequest.parse(try minimal.jobFileBytes()).get() == minimal)
    }

    @Test("the job file's keys are the fields' names; the table has a row per property")
    func keysAreTheFieldNames() throws {
        let full = JobRequest(
            requester: "jdoe", purpose: "active-investigation", caseNumber: "24-1", offense: "armed robbery",
            justification: "A justification", probes: ["a/b.jpg"], probeDir: "SCPD/backlog", maxCandidates: 12,
            threshold: 0.55, probeSource: .photo, probeEdits: [ProbeEdit(by: "jdoe", edit: "cropped")])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(try full.jobFileBytes())) as? [String: Any])
        #expect(Set(object.keys) == JobRequest.knownFields)
        #expect(JobRequest.knownFields == Set(JobRequest.fields.map(\.name)))
        #expect(JobRequest.fields.filter(\.isRequired).map(\.name) == ["version", "requester"])
        // One row per stored property, each row its own property.
        #expect(JobRequest.fields.count == Mirror(reflecting: full).children.count)
        #expect(Set(JobRequest.fields.map(\.kind.keyPath)).count == JobRequest.fields.count)
        #expect(JobRequest.fieldName(\.probeDir) == "probe_dir" && JobRequest.fieldName(\.caseNumber) == "case_number")
    }
}
