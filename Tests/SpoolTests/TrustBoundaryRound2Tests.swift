@testable import Spool
import Audit
import Basics
import Foundation
import Glibc
import Policy
import Results
import Reviews
import Store
import SystemCalls
import SpoolTestSupport
import TestSupport
import Testing

/// Issue #22, the daemon's side: every dropped file answered once whatever ids others hold, bounded
/// outputs, limits on drop-box requests, recovery that no file can hold up.
@Suite("Trust boundary, round 2: ids, bounds, floods, recovery")
struct TrustBoundaryRound2Tests {
    static let hostileUID: UInt32 = 1500

    @Test("a file whose predictable duplicate ids are all taken is still answered, once")
    func exhaustedDuplicateIDs() throws {
        let spool = try TestSpool()
        // The attacker's file, kept in tmp/: its inode is what the duplicate ids are made of.
        let temporary = try DurableFile.writeTemporary(Array(TestSpool.jobJSON(probes: ["SCPD/a.jpg"]).utf8),
                                                       in: spool.layout.tmp, name: "0000", mode: 0o644)
        let inode = try FileStatus.of(temporary).inode
        // Every id it could answer under is bound ahead of time to other files.
        let ledger = JobLedger(database: try SpoolDatabase.open(spool.layout))
        let taken = ["0000"] + (0..<4).map { JobID.duplicate(of: "0000", inode: inode, attempt: $0) }
            + (4..<16).map { JobID.duplicate(of: "0000", inode: inode, attempt: $0) }
        for (i, id) in taken.enumerated() {
            #expect(try ledger.bind(id, inode: 900_000 + UInt64(i), owner: Self.hostileUID, name: id + ".json", now: spool.now))
        }
        try DurableFile.rename(temporary, to: spool.layout.jobFile("0000", in: spool.layout.incoming))
        let summary = try spool.drain()
        #expect(summary.processed == 1 && summary.failedAttempts == 0)
        let answered = try ledger.ids(boundTo: inode, owner: getuid(), name: "0000.json")
        #expect(answered.count == 1)
        let id = try #require(answered.first)
        #expect(id.hasPrefix("0000.dup-\(inode)-") && !taken.contains(id))
        #expect(try spool.result(id).reasons == [.inputDuplicateJobID])
        #expect(try spool.finalRecords(for: id).count == 1)
        #expect(try spool.entries(spool.layout.active).isEmpty)
    }

    @Test("a job file of thousands of unknown keys is answered in kilobytes")
    func boundedResults() throws {
        let spool = try TestSpool()
        let keys = (0..<5_000).map { "\"k\($0)\": 1" }.joined(separator: ", ")
        _ = try spool.drop("keys", TestSpool.jobJSON(probes: ["SCPD/a.jpg"], extra: ", " + keys))
        try spool.drain()
        let result = try spool.result("keys")
        #expect(result.decision == .denied && result.reasons.contains(.inputUnknownField))
        #expect(result.messages.count <= ResultBuilder.maximumMessages + 1)
        #expect(result.messages.last?.contains("more messages") == true)
        #expect(try FileStatus.of(spool.layout.resultFile("keys")).size < 200_000)
    }

    @Test("an audit record keeps bounded text whatever a refused request carried")
    func boundedAuditText() throws {
        let spool = try TestSpool()
        let review = ReviewRequest(job: "nojob", examiner: "jdoe", face: 1, candidate: String(repeating: "C", count: 65_000),
                                   disposition: .possibleMatch, note: String(repeating: "n", count: 30_000))
        // Written by hand, as a hostile account would (frs review checks its fields before dropping).
        let name = "nojob-0001.review"
        try DurableFile.deliver(Array(try JSONEncoder().encode(review)), name: name, via: spool.layout.tmp,
                                into: spool.layout.incoming)
        try TestSpool.giveTo(TestSpool.analystUID, spool.layout.incoming + "/" + name)
        try spool.drain()
        let lines = try Directory.entries(spool.layout.audit).filter { $0.hasSuffix(".jsonl") }
            .flatMap { try DurableFile.read(spool.layout.audit + "/" + $0).split(separator: 0x0a) }
        #expect(lines.allSatisfy { $0.count < 16_000 }, "\(lines.map(\.count).max() ?? 0)")
        // The answer too is bounded, and says the request was refused.
        let answer = try #require(spool.layout.answers.answer(request: name, uid: TestSpool.analystUID))
        #expect(answer.state == .refused && answer.message.count < 3_000)
        #expect(AuditVerifier.verify(directory: spool.layout.audit).isIntact)
    }

    @Test("a flood of requests from one account is limited, and other accounts' work is not behind it",

          .enabled(if: Privileges.isRoot, "needs root: gives files to other uids"))
    func requestFlood() throws {
        let spool = try TestSpool()
        let limit = 20
        try DurableFile.write(Array("{\"max_queued_per_account\": \(limit)}".utf8), to: spool.layout.policyFile,
                              via: spool.layout.state)
        for i in 0..<(limit + 10) {
            let review = ReviewRequest(job: "nojob\(i)", examiner: "x", face: 1, candidate: "S", disposition: .noMatch, note: nil)
            let name = try review.drop(via: spool.layout.tmp, into: spool.layout.incoming)
            try SystemCall.run("chown", path: spool.layout.incoming + "/" + name) {
                chown(spool.layout.incoming + "/" + name, Self.hostileUID, Self.hostileUID)
            }
        }
        let probe = try spool.addEvidence("SCPD", "a.jpg", bytes: Array("face".utf8))
        _ = try spool.drop("zzz-late", TestSpool.jobJSON(probes: [probe]))
        let gate = PolicyGate(config: try spool.layout.loadPolicy())
        let now = spool.now
        _ = try SpoolDaemon(layout: spool.layout, searcher: FakeSearcher(), gate: gate,
                            configuration: .init(workers: 1, once: true),
                            logger: Logger(level: .error, sink: MemorySink()), clock: { now }).run()
        let answers = spool.layout.answers.answers(uid: Self.hostileUID)
        #expect(answers.count == limit + 10)
        #expect(answers.filter { $0.reasons == [ReasonCode.inputQueueLimit.rawValue] }.count == 10)
        // The files past the limit were refused first (cheaply); then the other account's job, dropped
        // last, ran in the first round, before the rest of the flood.
        let records = try spool.records()
        let jobSeq = try #require(records.first { $0.event.job == "zzz-late" && $0.event.event == "job.received" }?.seq)
        let refusals = records.filter { $0.event.event == "review.refused" }
        let overLimit = refusals.filter { $0.event.reasons == [ReasonCode.inputQueueLimit.rawValue] }.map(\.seq)
        let withinLimit = refusals.filter { $0.event.reasons != [ReasonCode.inputQueueLimit.rawValue] }.map(\.seq)
        #expect(overLimit.allSatisfy { $0 < jobSeq })
        #expect(withinLimit.filter { $0 < jobSeq }.count <= 1)
        #expect(try spool.result("zzz-late").decision == .completed)
    }

    @Test("recovery takes each left-behind file in turn, starting after the last one")
    func recoveryRotates() throws {
        let spool = try TestSpool()
        for name in ["a.json", "b.json", "c.json"] {
            try DurableFile.write(Array("{}".utf8), to: spool.layout.active + "/" + name, via: spool.layout.tmp)
        }
        let claimer = JobClaimer(layout: spool.layout)
        var seen: [String] = []
        for previous in [nil, "a.json", "b.json", "c.json"] as [String?] {
            try claimer.recoverNext(after: previous) { seen.append($0.name) }
        }
        #expect(seen == ["a.json", "b.json", "c.json", "a.json"])
    }

    @Test("resolutions and outcomes are judged with the spool's policy, like jobs and reviews",

          .enabled(if: Privileges.isRoot, "needs root: gives files to other uids"))
    func onePolicyForEveryDecision() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("SCPD", "a.jpg", bytes: Array("face".utf8))
        _ = try spool.drop("job-1", TestSpool.jobJSON(probes: [probe]))
        try spool.drain()
        let subject = try #require(try spool.result("job-1").probes.first?.faces.first?.candidates.first?.subject)
        // Training is valid 30 days here: jdoe (trained 2026-01-15) and sroe (2026-02-01) are out of date.
        try DurableFile.write(Array("{\"training_validity_days\": 30}".utf8), to: spool.layout.policyFile,
                              via: spool.layout.state)
        var names: [(String, UInt32)] = []
        let outcome = OutcomeRequest(job: "job-1", recordedBy: "jdoe", face: 1, candidate: subject, action: .interviewed,
                                     corroboration: nil)
        names.append((try outcome.drop(via: spool.layout.tmp, into: spool.layout.incoming), TestSpool.analystUID))
        let resolution = ResolutionRequest(job: "job-1", supervisor: "sroe", face: 1, candidate: subject,
                                           disposition: .noMatch, note: "compared the ears and the scar")
        names.append((try resolution.drop(via: spool.layout.tmp, into: spool.layout.incoming), TestSpool.supervisorUID))
        for (name, uid) in names {
            try TestSpool.giveTo(uid, spool.layout.incoming + "/" + name)
        }
        let gate = PolicyGate(config: try spool.layout.loadPolicy())
        let now = spool.now
        _ = try SpoolDaemon(layout: spool.layout, searcher: FakeSearcher(), gate: gate, configuration: .init(workers: 1, once: true),
                            logger: Logger(level: .error, sink: MemorySink()), clock: { now }).run()
        for (name, uid) in names {
            let answer = try #require(spool.layout.answers.answer(request: name, uid: uid))
            #expect(answer.state == .refused && answer.reasons.contains(ReasonCode.requesterTrainingExpired.rawValue),
                    "\(answer)")
        }
    }
}
