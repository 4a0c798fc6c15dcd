@testable import Commands
import Basics
import Foundation
import Glibc
import Policy
import Results
import Reviews
import Spool
import Store
import SystemCalls
import TestSupport
import Testing

@Suite("frs resolve, frs outcome, frs status --format json, frs submit --probe-source")
struct LeadCommandTests {
    let tests = SpoolCommandTests()

    @Test func parsesResolveOutcomeStatusAndSubmitAsValues() throws {
        let resolve = try #require(try tests.parse([
            "resolve", "job-1", "--face", "2", "--candidate", "S-1", "--supervisor", "sroe",
            "--disposition", "possible-match", "--note", "the scar decides",
        ]) as? ResolveCommand)
        #expect(resolve.request == ResolutionRequest(job: "job-1", supervisor: "sroe", face: 2, candidate: "S-1",
                                                     disposition: .possibleMatch, note: "the scar decides"))
        let base = ["resolve", "job-1", "--face", "1", "--candidate", "S", "--supervisor", "s"]
        #expect(throws: UsageError.self) { try tests.parse(base + ["--disposition", "no-match"]) }  // no note
        #expect(throws: UsageError.self) { try tests.parse(base + ["--disposition", "match", "--note", "x"]) }
        #expect(throws: UsageError.self) { try tests.parse(base + ["--disposition", "no-match", "--note", "  "]) }

        let outcome = try #require(try tests.parse([
            "outcome", "job-1", "--face", "1", "--candidate", "S-1", "--action", "arrested",
            "--corroboration", "fingerprints on the till",
        ]) as? OutcomeCommand)
        #expect(outcome.request == OutcomeRequest(job: "job-1", recordedBy: "", face: 1, candidate: "S-1", action: .arrested,
                                                  corroboration: "fingerprints on the till"))
        let by = try #require(try tests.parse(["outcome", "j", "--face", "1", "--candidate", "S", "--action", "none",
                                               "--by", "sroe"]) as? OutcomeCommand)
        #expect(by.request.recordedBy == "sroe" && by.request.corroboration == nil)
        #expect(throws: UsageError.self) { try tests.parse(["outcome", "j", "--face", "1", "--candidate", "S", "--action", "shot"]) }
        #expect(throws: UsageError.self) { try tests.parse(["outcome", "j", "--face", "1", "--candidate", "S", "--action", "charged"]) }

        #expect(try #require(try tests.parse(["status", "job-1", "--format", "json"]) as? StatusCommand).json)
        #expect(try #require(try tests.parse(["status", "job-1"]) as? StatusCommand).json == false)
        #expect(throws: UsageError.self) { try tests.parse(["status", "job-1", "--format", "xml"]) }

        let submit = try #require(try tests.parse([
            "submit", "--requester", "jdoe", "--purpose", "active-investigation", "--justification", "long enough text",
            "--probe-source", "surveillance-still", "--probe-edit", "Det. Ray: cropped", "--probe-edit", "Lab:brightened",
            "a.jpg",
        ]) as? SubmitCommand)
        #expect(submit.request.probeSource == .surveillanceStill)
        #expect(submit.request.probeEdits == [ProbeEdit(by: "Det. Ray", edit: "cropped"), ProbeEdit(by: "Lab", edit: "brightened")])
        #expect(submit.images == ["a.jpg"])
        #expect(throws: UsageError.self) {
            try tests.parse(["submit", "--requester", "j", "--purpose", "p", "--justification", "y", "--probe-edit", "no colon", "a"])
        }
        #expect(throws: UsageError.self) {
            try tests.parse(["submit", "--requester", "j", "--purpose", "p", "--justification", "y", "--probe-source", "drawing", "a"])
        }
        // A refused source is left to the daemon, which denies and audits it.
        #expect(try #require(try tests.parse(["submit", "--requester", "j", "--purpose", "p", "--justification", "y",
                                              "--probe-source", "sketch", "a"]) as? SubmitCommand).request.probeSource == .sketch)
    }

    func run(_ uid: UInt32?, _ arguments: [String], in dir: String) throws -> Program.Run {
        guard let uid else { return try tests.frs(arguments, in: dir) }
        return try tests.frs(["setpriv", "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", FRSBinary.path]
                             + arguments, in: dir, direct: true)
    }

    /// A completed job of jdoe (uid 1000) with examiners eexam (1003) and fexam (this account),
    /// supervisor sroe (1001).
    func spool(_ dir: String) throws -> (SpoolLayout, String, String) {
        #expect(chmod(dir, 0o755) == 0)
        #expect(try tests.frs(["init"], in: dir).status == 0)
        #expect(try tests.frs(["agency", "add", "SCPD", "--name", "PD"], in: dir).status == 0)
        for (id, role, owner) in [("jdoe", "analyst", "1000"), ("eexam", "examiner", "1003"), ("sroe", "supervisor", "1001"),
                                  ("fexam", "examiner", "\(getuid())")] {
            #expect(try tests.frs(["user", "add", id, "--name", id, "--agency", "SCPD", "--role", role, "--uid", owner,
                                   "--vetted", "2025-01-01", "--trained", "2026-01-01"], in: dir).status == 0)
        }
        let (layout, id, result) = try SpoolCommandTests.submitJDoesJob(
            in: dir, extra: ["--probe-source", "surveillance-still", "--probe-edit", "Det. Ray: cropped to the face"],
            run: { try run(1000, $0, in: dir) }, drain: drain)
        #expect(result.probeSource == .surveillanceStill)
        #expect(result.probeEdits == [ProbeEdit(by: "Det. Ray", edit: "cropped to the face")])
        return (layout, id, try #require(result.probes.first?.faces.first?.candidates.first?.subject))
    }

    func drain(_ layout: SpoolLayout) throws {
        let daemon = SpoolDaemon(layout: layout, searcher: StubSearcher(), configuration: .init(workers: 1, once: true),
                                 logger: Logger(level: .error, sink: MemorySink()))
        _ = try daemon.run()
    }

    struct Status: Decodable {
        struct Lead: Decodable {
            struct Disposition: Decodable {
                var examiner: String
                var disposition: String?
                var time: String
                var note: String?
                var withheld: Bool?
            }
            struct Outcome: Decodable {
                var action: String
                var by: String
                var corroboration: String?
            }
            var face: Int
            var candidate: String
            var state: String
            var dispositions: [Disposition]
            var resolution: Disposition?
            var outcomes: [Outcome]
        }
        var job: String
        var decision: String?
        var leads: [Lead]?
    }

    /// `frs status JOB --format json`: the job's status board record.
    func status(_ id: String, uid: UInt32? = nil, in dir: String) throws -> (leads: [Status.Lead], decision: String?) {
        let run = try run(uid, ["status", id, "--format", "json"], in: dir)
        #expect(run.status == 0, "\(run.error)")
        let records = try JSONDecoder().decode([Status].self, from: Data(run.output.utf8))
        #expect(records.map(\.job) == [id])
        return (records.first?.leads ?? [], records.first?.decision)
    }

    @Test(.enabled(if: Privileges.canSwitchUser && FRSBinary.isBuilt, "needs root: runs frs as other accounts"))
    func aDisputedLeadIsResolvedAndActedOnThroughTheBinary() throws {
        let dir = try tests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (layout, id, subject) = try spool(dir)
        let lead = ["--face", "1", "--candidate", subject]

        // eexam through the drop box, then fexam (this account) directly.
        let queued = try run(1003, ["review", id, "--examiner", "eexam", "--disposition", "possible-match",
                                    "--note", "same scar"] + lead, in: dir)
        #expect(queued.status == 0 && queued.output.contains("the daemon's answer will appear in `frs status`"), "\(queued.error)")
        try drain(layout)
        var json = try status(id, in: dir)
        var first = try #require(json.leads.first { $0.candidate == subject })
        #expect(first.state == "pending")
        // This account (fexam) reviews: the first disposition is withheld from it.
        #expect(first.dispositions.map(\.examiner) == ["eexam"])
        #expect(first.dispositions.first?.disposition == nil && first.dispositions.first?.withheld == true)
        #expect(first.dispositions.first?.note == nil)
        let sheet = String(decoding: try DurableFile.read(layout.sheetFile(id)), as: UTF8.self)
        #expect(sheet.contains("pending: 1 review") && !sheet.contains("same scar"))
        #expect(sheet.contains("Edited probe.") && sheet.contains("Det. Ray: cropped to the face"))

        let second = try tests.frs(["review", id, "--examiner", "fexam", "--disposition", "no-match",
                                    "--note", "ears differ"] + lead, in: dir)
        #expect(second.status == 0, "\(second.error)")
        json = try status(id, in: dir)
        first = try #require(json.leads.first { $0.candidate == subject })
        #expect(first.state == "disputed")
        #expect(first.dispositions.map(\.disposition) == ["possible-match", "no-match"])
        #expect(first.dispositions.map(\.note) == ["same scar", "ears differ"])
        #expect(json.leads.count == 1)  // only leads something was recorded on
        #expect(json.decision == "completed")
        let text = try tests.frs(["status", id], in: dir).output
        #expect(text.contains("lead: face 1 candidate \(subject): disputed"), "\(text)")
        #expect(text.contains("review: face 1 candidate \(subject): possible-match by eexam"))
        // The sheet was rendered again by the direct review: both dispositions now.
        let disputed = String(decoding: try DurableFile.read(layout.sheetFile(id)), as: UTF8.self)
        #expect(disputed.contains("same scar") && disputed.contains("ears differ"))

        // The supervisor resolves through the drop box.
        let resolve = try run(1001, ["resolve", id, "--supervisor", "sroe", "--disposition", "possible-match",
                                     "--note", "the scar decides"] + lead, in: dir)
        #expect(resolve.status == 0, "\(resolve.error)")
        try drain(layout)
        first = try #require(try status(id, in: dir).leads.first { $0.candidate == subject })
        #expect(first.state == "released")
        #expect(first.resolution?.examiner == "sroe" && first.resolution?.disposition == "possible-match")

        // An arrest without corroboration is refused (this account registered as a supervisor too, as a
        // registry from before the one-account-one-person rule may hold).
        try registerDirectly(UserRecord(id: "chief", name: "chief", agency: "SCPD", role: "supervisor", uid: getuid(),
                                        vetted: "2025-01-01", trained: "2026-01-01"), spool: dir + "/spool")
        let bare = try tests.frs(["outcome", id, "--by", "chief", "--action", "arrested"] + lead, in: dir)
        #expect(bare.status == 2 && bare.error.contains("needs --corroboration"), "\(bare.error)")
        let arrest = try tests.frs(["outcome", id, "--by", "chief", "--action", "arrested", "--corroboration", "he looks alike"] + lead,
                                   in: dir)
        #expect(arrest.status == 1)
        #expect(arrest.error.contains("outcome.corroboration-required"), "\(arrest.error)")
        let corroborated = try tests.frs(["outcome", id, "--by", "chief", "--action", "arrested", "--corroboration",
                                          "Fingerprints on the till; picked from a photo array by the clerk"] + lead, in: dir)
        #expect(corroborated.status == 0, "\(corroborated.error)")
        first = try #require(try status(id, in: dir).leads.first { $0.candidate == subject })
        #expect(first.outcomes.map(\.action) == ["arrested"] && first.outcomes.first?.by == "chief")
        #expect(try tests.frs(["audit", "verify"], in: dir).status == 0)

        // The disclosure packet: not for an examiner's account; complete for an administrator's.
        #expect(try run(1003, ["disclose", id, "--out", "/tmp"], in: dir).status == 1)
        let disclose = try tests.frs(["disclose", id, "--out", dir + "/packet"], in: dir)
        #expect(disclose.status == 0, "\(disclose.error)")
        let packet = try JSONDecoder().decode(Packet.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/packet/\(id)-disclosure.json")))
        #expect(packet.request?.justification == "Suspect seen on the store camera")
        #expect(packet.request?.probe_source == "surveillance-still")
        #expect(packet.requester?.uid == 1000)
        #expect(packet.result.threshold == 0.6 && packet.result.probe_edits?.first?.by == "Det. Ray")
        let disclosed = try #require(packet.leads.first { $0.candidate == subject })
        #expect(disclosed.reviews.map(\.disposition) == ["possible-match", "no-match"])
        #expect(disclosed.resolution?.by == "sroe" && disclosed.outcomes.map(\.action) == ["arrested"])
        let events = packet.audit.records.map(\.event)
        #expect(events.first == "job.received" && events.last == "job.disclosed")
        #expect(events.contains("lead.disputed") && events.contains("lead.resolved") && events.contains("outcome.refused"))
        #expect(packet.audit.chain_intact && packet.audit.head?.seq == packet.audit.records.last?.seq)
        #expect(packet.audit.records.allSatisfy { $0.line.hasSuffix("\"hash\":\"\($0.hash)\"}") && $0.line.contains("\"prev\":\"\($0.prev)\"") })
        let html = String(decoding: try DurableFile.read(dir + "/packet/\(id)-disclosure.html"), as: UTF8.self)
        #expect(html.contains("Edited probe.") && html.contains("the scar decides") && html.contains("job.disclosed"))
        #expect(!html.contains("<script"))
    }

    /// The parts of a disclosure packet the test reads.
    struct Packet: Decodable {
        struct Request: Decodable { var justification: String; var probe_source: String? }
        struct Person: Decodable { var uid: UInt32 }
        struct Result: Decodable {
            struct Edit: Decodable { var by: String }
            var threshold: Double?
            var probe_edits: [Edit]?
        }
        struct Lead: Decodable {
            struct Entry: Decodable { var by: String; var disposition: String }
            struct Outcome: Decodable { var action: String }
            var candidate: String
            var reviews: [Entry]
            var resolution: Entry?
            var outcomes: [Outcome]
        }
        struct Audit: Decodable {
            struct Record: Decodable { var seq: Int; var event: String; var prev: String; var hash: String; var line: String }
            struct Head: Decodable { var seq: Int }
            var records: [Record]
            var head: Head?
            var chain_intact: Bool
        }
        var request: Request?
        var requester: Person?
        var result: Result
        var leads: [Lead]
        var audit: Audit
    }
}
