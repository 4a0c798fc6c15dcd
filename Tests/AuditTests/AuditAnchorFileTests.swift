@testable import Audit
import Foundation
import Testing

/// Issue #11 item 10: the log's end is anchored outside the day files. Each test here passed the
/// old code silently: a cut tail verified, and the next append continued from what was left.
@Suite("AuditLog head anchor")
struct AuditAnchorFileTests {
    static let day1 = AuditFixtures.day1, day2 = AuditFixtures.day2

    @Test func everyAppendWritesTheHeadAnchorBesideTheDirectory() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        let records = try AuditFixtures.populate(dir, days: 2, perDay: 3)
        let log = try AuditLog(directory: dir.path + "/")
        #expect(log.anchorPath == dir.root + "/outbox/audit.head")
        let text = try String(contentsOfFile: log.anchorPath, encoding: .utf8)
        #expect(text == "6:\(records[5].hash)\n")
        #expect(try log.readAnchor() == AuditAnchor(seq: 6, hash: records[5].hash))
        let result = AuditVerifier.verify(directory: dir.path)
        #expect(result.isIntact && result.headAnchor?.seq == 6, "\(result)")
        #expect(!FileManager.default.fileExists(atPath: log.anchorPath + ".tmp"))
    }

    @Test func aDeletedNewestDayFileFailsVerifyAndStopsAppends() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        try AuditFixtures.populate(dir, days: 3, perDay: 4)
        try FileManager.default.removeItem(atPath: dir.file(Self.day2))
        let failure = try #require(AuditVerifier.verify(directory: dir.path).failure)
        #expect(failure.problem == .anchorMissing)
        #expect(failure.message.contains("seq 9 to 12 are missing"), "\(failure)")
        #expect(failure.message.contains("ends at seq 8"), "\(failure)")

        let log = try AuditLog(directory: dir.path)
        #expect {
            try log.append(AuditFixtures.event(99), now: AuditFixtures.time(day: 3))
        } throws: { error in
            guard let error = error as? AuditError, error.code == .behindAnchor else { return false }
            return error.message.contains("records 9–12 were removed") && error.message.contains("audit.head")
        }
        #expect(throws: AuditError.self) { try log.checkHead() }
        // Nothing was appended.
        #expect(!FileManager.default.fileExists(atPath: dir.file("2026-06-18")))
        #expect(AuditVerifier.verify(directory: dir.path, checkingHeadAnchor: false).records == 8)
    }

    @Test func aNewestDayFileCutAtALineBoundaryFailsVerifyAndStopsAppends() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        try AuditFixtures.populate(dir, days: 3, perDay: 4)
        try AuditVerifierTests.edit(dir, Self.day2, { $0.removeLast() })
        #expect(AuditVerifier.verify(directory: dir.path).failure?.problem == .anchorMissing)
        #expect(throws: AuditError.self) {
            try AuditLog(directory: dir.path).append(AuditFixtures.event(99), now: AuditFixtures.time(day: 2, seconds: 999))
        }
        #expect(try dir.lines(Self.day2).count == 3)
        #expect(try AuditLog(directory: dir.path).readAnchor()?.seq == 12)
    }

    @Test func aReplacedLastRecordStopsAppends() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        let records = try AuditFixtures.populate(dir, days: 1, perDay: 3)
        var e = records[2].event
        e.actor = "someone-else"
        let forged = AuditRecord(event: e, seq: 3, time: records[2].time, host: "h", pid: 1, prev: records[1].hash)
        try AuditVerifierTests.edit(dir, AuditFixtures.day0, { $0[2] = String(decoding: forged.canonicalLine, as: UTF8.self) })
        #expect {
            try AuditLog(directory: dir.path).append(AuditFixtures.event(4))
        } throws: { ($0 as? AuditError)?.code == .behindAnchor }
    }

    @Test func aMalformedAnchorFailsClosed() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        try AuditFixtures.populate(dir, days: 1, perDay: 2)
        try "garbage\n".write(toFile: dir.path + ".head", atomically: false, encoding: .utf8)
        #expect(AuditVerifier.verify(directory: dir.path).failure?.problem == .unreadable)
        #expect {
            try AuditLog(directory: dir.path).append(AuditFixtures.event(3))
        } throws: { ($0 as? AuditError)?.code == .badAnchor }
    }

    @Test func aLogWithoutAnchorFileStillVerifiesAndGetsOne() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        try AuditFixtures.populate(dir, days: 1, perDay: 2)
        try FileManager.default.removeItem(atPath: dir.path + ".head") // a log from before anchors
        let result = AuditVerifier.verify(directory: dir.path)
        #expect(result.isIntact && result.headAnchor == nil)
        let next = try AuditLog(directory: dir.path).append(AuditFixtures.event(3))
        #expect(try AuditLog(directory: dir.path).readAnchor() == AuditAnchor(seq: 3, hash: next.hash))
    }

    @Test func theLockFileIsPrivateEvenWhenAnOlderVersionMadeIt0640() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        let log = try AuditLog(directory: dir.path)
        let lock = dir.path + "/.lock"
        #expect(FileManager.default.createFile(atPath: lock, contents: nil, attributes: [.posixPermissions: 0o640]))
        try log.append(AuditFixtures.event(1))
        #expect(try FileManager.default.attributesOfItem(atPath: lock)[.posixPermissions] as? Int == 0o600)
    }

    @Test func readersTakeNoLock() throws {
        // A reader holding the lock file's flock would stall the daemon; verify and report must not
        // need it: they run while another process holds it.
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        try AuditFixtures.populate(dir, days: 1, perDay: 3)
        let fd = open(dir.path + "/.lock", O_RDWR)
        #expect(fd >= 0)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX) == 0)
        #expect(AuditVerifier.verify(directory: dir.path).isIntact)
        #expect(try AuditReader(directory: dir.path).records().count == 3)
        #expect(try AuditReport.make(directory: dir.path, from: nil, to: nil).text.isEmpty == false)
    }

    @Test func verifyingWhileAnotherThreadAppendsNeverFails() throws {
        // Lock-free readers see the anchor first and complete lines only: every verification of a
        // log being appended to is intact, and covers at least the records written before it began.
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        let log = try AuditLog(directory: dir.path)
        try log.append(AuditFixtures.event(0))
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            if worker == 0 {
                for i in 1...400 {
                    do { try log.append(AuditFixtures.event(i)) } catch { failures.add("append: \(error)") }
                }
            } else {
                for _ in 0..<60 {
                    let result = AuditVerifier.verify(directory: dir.path)
                    if !result.isIntact { failures.add("verify: \(result)") }
                }
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all.prefix(3))")
        #expect(AuditVerifier.verify(directory: dir.path).records == 401)
    }

    @Test func theJobFileHashIsRecordedInDetails() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        let sha = String(repeating: "cd", count: 32)
        let event = AuditEvent(event: "job.received", actor: "jdoe", job: "j1", jobSHA256: sha)
        #expect(event.jobSHA256 == sha)
        #expect(event.details["job_sha256"] == sha)
        let record = try AuditLog(directory: dir.path).append(event)
        #expect(String(decoding: record.canonicalLine, as: UTF8.self).contains(#""details":{"job_sha256":"\#(sha)"}"#))
        #expect(try AuditReader(directory: dir.path).records().first?.event.jobSHA256 == sha)
        #expect(AuditEvent(event: "x.y", actor: "a").jobSHA256 == nil)
    }
}
