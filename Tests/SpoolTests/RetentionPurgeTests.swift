@testable import Spool
import Administration
import Audit
import Foundation
import Glibc
import SystemCalls
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
