@testable import Spool
import Foundation
import Hashing
import Reviews
import SpoolTestSupport
import Testing

/// The packet's `request` is read by people and tools away from the server: its keys and the way
/// each value is written are pinned here, byte for byte.
@Suite("Disclosure packet: the request")
struct DisclosurePacketTests {
    /// The packet of a finished job, with `jobFile` as the job file read.
    static func packetRequest(_ jobFile: String) throws -> String {
        let spool = try TestSpool()
        try spool.drop("job-1", TestSpool.jobJSON(probes: ["SCPD/case/missing.jpg"]))
        try spool.drain()
        let packet = try DisclosurePacket(job: "job-1", results: spool.layout.resultFiles,
                                          database: try SpoolDatabase.open(spool.layout), auditDirectory: spool.layout.audit,
                                          jobFile: Array(jobFile.utf8), peerReview: true, now: spool.now)
        let json = String(decoding: try packet.encoded(), as: UTF8.self)
        guard let start = json.range(of: "\n  \"request\" : {"), let end = json.range(of: "\n  },\n  \"requester\"") else {
            return json
        }
        return String(json[start.lowerBound..<end.upperBound])
    }

    @Test("every field: the job's fields but version, and the job file's SHA-256")
    func everyField() throws {
        let jobFile = #"""
            {"version": 1, "requester": "jdoe", "purpose": "active-investigation", "case_number": " 24-1 ",
             "offense": "armed robbery", "justification": "Suspect photographed by the store camera during the robbery",
             "probes": ["SCPD/case/a.jpg", "SCPD/case/b.jpg"], "probe_dir": "SCPD/backlog", "max_candidates": 12,
             "threshold": 0.55, "probe_source": "surveillance-still",
             "probe_edits": [{"by": "Det. Ray", "edit": "cropped"}, {"by": "Lab", "edit": "brightened"}]}
            """#
        #expect(try Self.packetRequest(jobFile) == """

              "request" : {
                "case_number" : "24-1",
                "job_file_sha256" : "\(SHA256.hex(Array(jobFile.utf8)))",
                "justification" : "Suspect photographed by the store camera during the robbery",
                "max_candidates" : 12,
                "offense" : "armed robbery",
                "probe_dir" : "SCPD/backlog",
                "probe_edits" : [
                  {
                    "by" : "Det. Ray",
                    "edit" : "cropped"
                  },
                  {
                    "by" : "Lab",
                    "edit" : "brightened"
                  }
                ],
                "probe_source" : "surveillance-still",
                "probes" : [
                  "SCPD/case/a.jpg",
                  "SCPD/case/b.jpg"
                ],
                "purpose" : "active-investigation",
                "requester" : "jdoe",
                "threshold" : 0.55
              },
              "requester"
            """)
    }

    @Test("the fewest fields: absent ones left out, but probes and probe_edits always written")
    func fewestFields() throws {
        let jobFile = #"{"version": 1, "requester": "jdoe", "probe_dir": "SCPD/backlog", "case_number": "  "}"#
        #expect(try Self.packetRequest(jobFile) == """

              "request" : {
                "job_file_sha256" : "\(SHA256.hex(Array(jobFile.utf8)))",
                "justification" : "",
                "probe_dir" : "SCPD/backlog",
                "probe_edits" : [

                ],
                "probes" : [

                ],
                "purpose" : "",
                "requester" : "jdoe"
              },
              "requester"
            """)
    }

    @Test("a job file that does not parse has no request")
    func unparsedJobFile() throws {
        #expect(try !Self.packetRequest(#"{"version": 1}"#).contains("\"request\""))
    }
}
