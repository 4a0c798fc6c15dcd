@testable import Spool
import Foundation
import Policy
import SpoolTestSupport
import SystemCalls
import Testing

/// `frs submit` writes the job file with the encoder whose parser the daemon runs: whatever it
/// writes reads back as the request it was given, with the probes it handed over.
@Suite("frs submit's job file")
struct JobSubmissionTests {
    @Test("every field submitted parses back to an equal request")
    func roundTrip() throws {
        let spool = try TestSpool()
        let images = spool.root + "-images"
        try Directory.create(images, mode: 0o755)
        for name in ["cam 1.jpg", "cam2.jpg", ".hidden.jpg"] {
            try DurableFile.write(Array("probe bytes".utf8), to: images + "/" + name, via: images)
        }
        let submission = JobSubmission(layout: spool.layout)
        func written(_ id: String) throws -> [UInt8] { try DurableFile.read(spool.layout.jobFile(id, in: spool.layout.incoming)) }

        let request = JobRequest(
            requester: "jdoe", purpose: "active-investigation", caseNumber: "24-012345", offense: "armed robbery",
            justification: "Suspect photographed by the store camera during the robbery\non 2024-09-01",
            probes: ["ignored/x.jpg"], probeDir: "ignored", maxCandidates: 12, threshold: 0.55, probeSource: .surveillanceStill,
            probeEdits: [ProbeEdit(by: "Det. Ray", edit: "cropped"), ProbeEdit(by: "Lab", edit: "brightened")])
        let id = try submission.submit(request, images: [images + "/cam 1.jpg", images + "/cam2.jpg"], now: spool.now)
        var expected = request
        expected.probes = ["\(id)/cam_1.jpg", "\(id)/cam2.jpg"]
        expected.probeDir = nil
        #expect(try JobRequest.parse(try written(id)).get() == expected)
        #expect(try written(id) == (try expected.jobFileBytes()))

        // A bulk job with the fewest fields, and a source the daemon refuses (submit leaves that to it).
        let minimal = JobRequest(requester: "jdoe", purpose: "tips-and-leads", justification: "Anonymous tip with a photo")
        let bulk = try submission.submit(minimal, images: [], probeDirectory: images, now: spool.now)
        var expectedBulk = minimal
        expectedBulk.probeDir = bulk
        #expect(try JobRequest.parse(try written(bulk)).get() == expectedBulk)

        var refused = minimal
        refused.probeSource = .sketch
        let sketch = try submission.submit(refused, images: [images + "/cam2.jpg"], now: spool.now)
        guard case .failure(let failure) = JobRequest.parse(try written(sketch)) else {
            Issue.record("a sketch's job file parsed")
            return
        }
        #expect(failure.reasons == [.inputProbeSourceRefused])
    }
}
