import Foundation
import Policy
import Testing

@Suite("Probe provenance in the job file")
struct ProbeProvenanceTests {
    @Test("accepted sources parse; sketches, composites and lookalikes are refused", arguments: ProbeSource.allCases)
    func sources(_ source: ProbeSource) {
        let parsed = JobRequest.parse(Fixtures.jobBytes(["probe_source": source.rawValue]))
        if source.isRefused {
            #expect(parsed.reasons == [.inputProbeSourceRefused])
        } else {
            #expect((try? parsed.get())?.probeSource == source)
        }
    }

    @Test func anUnknownSourceIsMalformedAndNoSourceIsNil() throws {
        #expect(JobRequest.parse(Fixtures.jobBytes(["probe_source": "drawing"])).reasons == [.inputMalformed])
        #expect(JobRequest.parse(Fixtures.jobBytes(["probe_source": 3])).reasons == [.inputMalformed])
        let plain = try JobRequest.parse(Fixtures.jobBytes([:])).get()
        #expect(plain.probeSource == nil && plain.probeEdits.isEmpty)
        #expect(ProbeSource.accepted.map(\.rawValue) == ["surveillance-still", "photo", "social-media", "booking", "other"])
    }

    @Test func editsAreAListOfByAndEdit() throws {
        let job = try JobRequest.parse(Fixtures.jobBytes(["probe_edits": [
            ["by": " Det. Ray ", "edit": "cropped to the face"], ["by": "Lab", "edit": "brightened 20%"],
        ]])).get()
        #expect(job.probeEdits == [ProbeEdit(by: "Det. Ray", edit: "cropped to the face"), ProbeEdit(by: "Lab", edit: "brightened 20%")])
        for bad: Any in [
            "cropped", [["by": "x"]], [["by": "x", "edit": ""]], [["by": "x", "edit": "y", "when": "z"]],
            [["by": "x", "edit": "line\nbreak"]], [["by": 1, "edit": "y"]],
        ] {
            #expect(JobRequest.parse(Fixtures.jobBytes(["probe_edits": bad])).reasons == [.inputMalformed], "\(bad)")
        }
    }

    @Test func peerReviewIsOnByDefaultAndCanBeTurnedOff() throws {
        #expect(PolicyConfig.default.peerReview)
        #expect(try PolicyConfig.load(jsonBytes: Array(#"{"peer_review": false}"#.utf8)).peerReview == false)
        #expect(throws: PolicyConfigError.self) { try PolicyConfig.load(jsonBytes: Array(#"{"peer_review": "no"}"#.utf8)) }
    }
}
