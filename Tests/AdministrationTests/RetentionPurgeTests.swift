@testable import Spool
import Administration
import Audit
import Foundation
import Glibc
import Hashing
import SystemCalls
import SpoolTestSupport
import TestSupport
import Testing

@Suite("Retention purge")
struct RetentionPurgeTests {
    /// Two completed jobs, `old` and `new`; the old one's result is dated `oldDays` before the
    /// tests' clock (as if it had finished then), the new one's `newDays` before.
    static func spool(oldDays: Double, newDays: Double) throws -> TestSpool {
        let spool = try TestSpool()
        let first = try spool.addOwnEvidence("old", "cam1.jpg", bytes: Array("probe old".utf8))
        let second = try spool.addOwnEvidence("new", "cam1.jpg", bytes: Array("probe new".utf8))
        try spool.drop("old", TestSpool.jobJSON(probes: [first]))
        try spool.drop("new", TestSpool.jobJSON(probes: [second]))
        try spool.drain()
        for (job, days) in [("old", oldDays), ("new", newDays)] {
            var result = try spool.result(job)
            try #require(result.decision == .completed)
            result.created = spool.now.addingTimeInterval(-days * 86_400).formatted(.iso8601)
            try DurableFile.write(try result.encoded(), to: spool.layout.resultFile(job), via: spool.layout.tmp, mode: 0o640)
        }
        return spool
    }

    static func auditBytes(_ spool: TestSpool) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for name in try Directory.entries(spool.layout.audit) where name.hasSuffix(".jsonl") {
            files[name] = try DurableFile.read(spool.layout.audit + "/" + name)
        }
        return files
    }

    @Test func removesOnlyWhatIsPastRetentionNeverTheAuditLogAndIsAudited() throws {
        let spool = try Self.spool(oldDays: 40, newDays: 10)
        let layout = spool.layout
        #expect(FileStatus.exists(layout.sheetFile("old")) && FileStatus.exists(layout.evidence(for: "old")))
        let auditBefore = try Self.auditBytes(spool)
        let now = spool.now
        let report = try SpoolAdministration(layout: layout, uid: 0, clock: { now }).purge(olderThanDays: 30)
        #expect(report.jobs == ["old"])
        for path in [layout.resultFile("old"), layout.sheetFile("old"), layout.evidence(for: "old"),
                     layout.jobFile("old", in: layout.done)] {
            #expect(!FileStatus.exists(path), "\(path)")
        }
        #expect(report.files == 5)  // result, sheet, job file, one evidence image and its folder's marker
        for path in [layout.resultFile("new"), layout.sheetFile("new"), layout.evidence(for: "new") + "/cam1.jpg",
                     layout.jobFile("new", in: layout.done)] {
            #expect(FileStatus.exists(path), "\(path)")
        }
        // The audit log: every earlier byte still there, one purge.done record added, chain intact.
        let auditAfter = try Self.auditBytes(spool)
        for (name, bytes) in auditBefore {
            #expect(auditAfter[name].map { Array($0.prefix(bytes.count)) } == bytes)
        }
        let purges = try spool.records().filter { $0.event.event == "purge.done" }
        #expect(purges.count == 1)
        #expect(purges.first?.event.details["jobs"] == "old")
        #expect(purges.first?.event.details["files_removed"] == "5")
        #expect(purges.first?.event.details["older_than_days"] == "30")
        #expect(AuditVerifier.verify(directory: layout.audit).isIntact)
        // Nothing more to remove the second time.
        #expect(try SpoolAdministration(layout: layout, uid: 0, clock: { now }).purge(olderThanDays: 30).jobs.isEmpty)
    }

    @Test func theDefaultIsThePolicyFilesRetention() throws {
        let spool = try Self.spool(oldDays: 120, newDays: 90)
        try DurableFile.write(Array("{\"retention_days\": 100}\n".utf8), to: spool.layout.policyFile, via: spool.layout.tmp)
        let now = spool.now
        let report = try SpoolAdministration(layout: spool.layout, uid: 0, clock: { now }).purge(olderThanDays: nil)
        #expect(report.jobs == ["old"])
        #expect(try spool.records().last?.event.details["older_than_days"] == "100")
    }

    @Test func onlyAdministratorsMayPurgeAndARefusalIsAudited() throws {
        let spool = try Self.spool(oldDays: 400, newDays: 400)
        let now = spool.now
        #expect(throws: AdministrationError.notAdmin(TestSpool.analystUID)) {
            try SpoolAdministration(layout: spool.layout, uid: TestSpool.analystUID, clock: { now }).purge(olderThanDays: 1)
        }
        #expect(FileStatus.exists(spool.layout.resultFile("old")))
        let refused = try spool.records().filter { $0.event.event == "admin.refused" }
        #expect(refused.last?.event.details["change"] == "purge")
        #expect(try spool.records().filter { $0.event.event == "purge.done" }.isEmpty)
    }

    /// Answers to drop-box requests are kept as long as results, then purged with them: each
    /// account's folder stays (with its owner and access entry), the answers given before the
    /// cutoff go, the newer ones and anything that is not an answer stay.
    @Test func answersToRequestsPastRetentionArePurgedAndCounted() throws {
        let spool = try Self.spool(oldDays: 10, newDays: 10)
        let answers = spool.layout.answers
        let uid = TestSpool.analystUID
        for (request, days) in [("job-aaaa.review", 40.0), ("job-bbbb.approval", 31.0), ("job-cccc.review", 5.0)] {
            try answers.write(RequestAnswer(request: request, kind: "review", job: "job", uid: uid, state: .refused,
                                            reasons: ["review.not-authorized"], message: "refused",
                                            answered: spool.now.addingTimeInterval(-days * 86_400)))
        }
        let stray = answers.directory(uid: uid) + "/notes.txt"
        try DurableFile.write(Array("not an answer".utf8), to: stray, via: spool.layout.tmp)
        let now = spool.now
        let report = try SpoolAdministration(layout: spool.layout, uid: 0, clock: { now }).purge(olderThanDays: 30)
        #expect(report.jobs.isEmpty)
        #expect(report.answers == 2)
        #expect(report.files == 2)
        #expect(answers.answers(uid: uid).map(\.request) == ["job-cccc.review"])
        #expect(FileStatus.exists(stray))
        #expect(try spool.records().last?.event.details["answers_removed"] == "2")
    }

    @Test func jobsWithoutAResultAreNeverTouched() throws {
        let spool = try Self.spool(oldDays: 400, newDays: 400)
        // A held or queued job's evidence has no result yet.
        let pending = try spool.addOwnEvidence("pending", "cam.jpg", bytes: Array("x".utf8))
        try spool.drop("pending", TestSpool.jobJSON(probes: [pending]))
        let now = spool.now
        let report = try SpoolAdministration(layout: spool.layout, uid: 0, clock: { now }).purge(olderThanDays: 0)
        #expect(report.jobs == ["new", "old"])
        #expect(FileStatus.exists(spool.layout.evidence + "/" + pending))
        #expect(FileStatus.exists(spool.layout.jobFile("pending", in: spool.layout.incoming)))
    }
}

/// Issue #20: a bulk job's probes stay in the audit trail after retention purged its `.jsonl`.
@Suite("Bulk jobs in the audit trail")
struct BulkAuditTrailTests {
    @Test func aBulkJobsProbeHashesAreVerifiedAfterAPurgeAndTamperingIsCaught() throws {
        let spool = try TestSpool()
        var expected: [String: String] = [:]
        for i in 0..<12 {
            let bytes = Array("face \(i)".utf8)
            let probe = try spool.addEvidence("backlog", "p\(i).jpg", bytes: bytes)
            expected[probe] = SHA256.hex(bytes)
        }
        try spool.drop("bulk", TestSpool.jobJSON(probes: [], extra: ", \"probe_dir\": \"SCPD/backlog\""))
        try spool.drain()
        let final = try #require(try spool.finalRecords(for: "bulk").first)
        let name = try #require(final.event.details[ProbeManifest.nameKey])
        #expect(name == "probes-bulk.sha256")
        let manifest = spool.layout.audit + "/" + name
        #expect(SHA256.hex(try DurableFile.read(manifest)) == final.event.details[ProbeManifest.hashKey])
        #expect(try FileStatus.of(manifest).permissions == 0o640)

        // Retention purges the job (its result and .jsonl); the manifest and the chain stay and verify.
        var result = try spool.result("bulk")
        result.created = spool.now.addingTimeInterval(-400 * 86_400).formatted(.iso8601)
        try DurableFile.write(try result.encoded(), to: spool.layout.resultFile("bulk"), via: spool.layout.tmp, mode: 0o640)
        let now = spool.now
        let report = try SpoolAdministration(layout: spool.layout, uid: 0, clock: { now }).purge(olderThanDays: 30)
        #expect(report.jobs == ["bulk"])
        #expect(!FileStatus.exists(spool.layout.resultLines("bulk")))
        #expect(AuditVerifier.verify(directory: spool.layout.audit).isIntact)
        // Every probe searched, with its SHA-256, from the audit trail alone.
        let lines = String(decoding: try DurableFile.read(manifest), as: UTF8.self).split(separator: "\n")
        var listed: [String: String] = [:]
        for line in lines {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            listed[parts[1].trimmingCharacters(in: .whitespaces)] = parts[0]
        }
        #expect(listed == expected)

        // A changed or removed manifest fails verification.
        let original = try DurableFile.read(manifest)
        try DurableFile.write(original + Array("0000  SCPD/backlog/extra.jpg\n".utf8), to: manifest, via: spool.layout.tmp, mode: 0o640)
        let changed = AuditVerifier.verify(directory: spool.layout.audit)
        #expect(changed.failure?.problem == .manifestMismatch)
        #expect(changed.failure?.message.contains("was changed") == true)
        try DurableFile.remove(manifest)
        #expect(AuditVerifier.verify(directory: spool.layout.audit).failure?.message.contains("removed") == true)
    }
}
