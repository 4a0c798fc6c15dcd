@testable import Spool
import Administration
import Audit
import Basics
import Foundation
import Glibc
import Hashing
import Policy
import Results
import Store
import SystemCalls
import SpoolTestSupport
import TestSupport
import Testing

extension TestSpool {
    /// Drops a job file under any name (even one too long for `tmp/`'s temporary names) owned by
    /// `uid`, and returns its inode.
    @discardableResult
    func dropNamed(_ name: String, _ text: String, uid: UInt32 = TestSpool.analystUID) throws -> UInt64 {
        let temporary = try DurableFile.writeTemporary(Array(text.utf8), in: layout.tmp, name: "named", mode: 0o644)
        try TestSpool.giveTo(uid, temporary)
        let target = layout.incoming + "/" + name
        try DurableFile.rename(temporary, to: target)
        return try FileStatus.of(target).inode
    }

    /// The ledger, read through a fresh connection.
    func ledgerEntry(_ id: String) throws -> LedgerEntry? {
        try JobLedger(database: try SpoolDatabase.open(layout)).entry(id)
    }

    /// Registers another agency with an analyst, for cross-agency tests.
    func addOtherAgency(uid: UInt32 = 1006) throws {
        let now = self.now
        let admin = try SpoolAdministration(layout: layout, uid: 0, clock: { now })
        try admin.addAgency(code: "OTHER", name: "Other County Sheriff")
        try admin.addUser(UserRecord(id: "oana", name: "Oana Other", agency: "OTHER", role: "analyst", uid: uid,
                                     vetted: "2025-01-10", trained: "2026-01-15"))
    }

    /// A drain with a policy of `policy` (JSON).
    @discardableResult
    func drain(policy: String, workers: Int = 1) throws -> SpoolDaemon.Summary {
        let now = self.now
        let config = try PolicyConfig.load(jsonBytes: Array(policy.utf8))
        let daemon = SpoolDaemon(layout: layout, searcher: FakeSearcher(), gate: PolicyGate(config: config),
                                 configuration: .init(workers: workers, once: true),
                                 logger: Logger(level: .error, sink: MemorySink()), clock: { now })
        return try daemon.run()
    }
}

/// Job files that try to escape the exactly-once rule or borrow another job's identity: names a
/// result cannot carry, ids already used, files the daemon cannot open, floods.
@Suite("Hostile drops: names, squatting, unreadable files, floods")
struct HostileDropTests {

    @Test func aJobWhoseNameCannotBeAJobIDIsRefusedAtOnceUnderAnIDFromItsInode() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("SCPD", "a.jpg", bytes: Array("face".utf8))
        let long = String(repeating: "x", count: 245) + ".json"
        let longInode = try spool.dropNamed(long, TestSpool.jobJSON(probes: [probe]))
        let oddInode = try spool.dropNamed("semi;colon $(id).json", TestSpool.jobJSON(probes: [probe]))
        try spool.drop("ordinary", TestSpool.jobJSON(probes: [probe]))
        try spool.drain()

        #expect(try spool.result("ordinary").decision == .completed)
        for (name, inode) in [(long, longInode), ("semi;colon $(id).json", oddInode)] {
            let id = "badname-\(inode)"
            let result = try spool.result(id)
            #expect(result.decision == .denied, "\(name)")
            #expect(result.reasons.map(\.rawValue) == ["input.bad-job-name"], "\(name)")
            let finals = try spool.finalRecords(for: id)
            #expect(finals.count == 1)
            #expect(finals.first?.event.details["file"] == name)
        }
        #expect(try spool.entries(spool.layout.active).isEmpty)
        #expect(try spool.entries(spool.layout.incoming).isEmpty)
    }

    @Test func aJobFileWhoseNameIsNotUTF8IsClaimedAndRefusedAsABadName() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("SCPD", "a.jpg", bytes: Array("face".utf8))
        let text = Array(TestSpool.jobJSON(probes: [probe]).utf8)
        // incoming/<0xff 0xfe>.json: a listing that decodes names would never find it again.
        let path = Array((spool.layout.incoming + "/").utf8) + [0xff, 0xfe] + Array(".json".utf8)
        let fd = open(path.map { CChar(bitPattern: $0) } + [0], O_WRONLY | O_CREAT | O_EXCL, 0o644)
        #expect(fd >= 0)
        #expect(write(fd, text, text.count) == text.count)
        var status = stat()
        #expect(fstat(fd, &status) == 0)
        #expect(fchown(fd, TestSpool.analystUID, TestSpool.analystUID) == 0)
        close(fd)
        try spool.drain()
        let id = "badname-\(status.st_ino)"
        #expect(try spool.result(id).reasons.map(\.rawValue) == ["input.bad-job-name"])
        #expect(try spool.finalRecords(for: id).count == 1)
        #expect(try spool.entries(spool.layout.incoming).isEmpty)
        #expect(try spool.entries(spool.layout.active).isEmpty)
    }

    @Test(.enabled(if: Privileges.isRoot, "needs root: gives files to other uids"))
    func aSecondFileUnderAHeldJobsIDIsRefusedUnderItsOwnIdentity() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("SCPD", "a.jpg", bytes: Array("face".utf8))
        let watched = "Person seen assaulting an officer at the protest on Main Street"
        try spool.drop("victim", TestSpool.jobJSON(justification: watched, probes: [probe]))
        try spool.drain()
        #expect(spool.locations(of: "victim") == ["held"])

        // Anyone (here another account) drops a file under the held job's id.
        let squatter = try spool.dropNamed("victim.json", TestSpool.jobJSON(purpose: "personal", probes: [probe]), uid: 4242)
        try spool.drain()
        #expect(!FileStatus.exists(spool.layout.resultFile("victim")))
        #expect(try spool.finalRecords(for: "victim").isEmpty)
        #expect(try spool.ledgerEntry("victim")?.state == .held)
        let dup = "victim.dup-\(squatter)"
        let refused = try spool.result(dup)
        #expect(refused.decision == .denied)
        #expect(refused.reasons.map(\.rawValue).contains("input.duplicate-job-id"))
        #expect(try spool.finalRecords(for: dup).count == 1)

        // Approved, the held job runs as itself.
        try spool.dropApproval(job: "victim", supervisor: "sroe", approve: true, uid: TestSpool.supervisorUID)
        try spool.drain()
        let result = try spool.result("victim")
        #expect(result.decision == .completed)
        #expect(result.requester == "jdoe")
        #expect(try spool.finalRecords(for: "victim").count == 1)
    }

    @Test func aFinishedJobsIDNeverTakesASecondResult() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("SCPD", "a.jpg", bytes: Array("face".utf8))
        try spool.drop("once", TestSpool.jobJSON(probes: [probe]))
        try spool.drain()
        let before = try DurableFile.read(spool.layout.resultFile("once"))
        let again = try spool.dropNamed("once.json", TestSpool.jobJSON(probes: [probe]))
        try spool.drain()
        #expect(try DurableFile.read(spool.layout.resultFile("once")) == before)
        #expect(try spool.finalRecords(for: "once").count == 1)
        #expect(try spool.result("once.dup-\(again)").reasons.map(\.rawValue) == ["input.duplicate-job-id"])
    }

    @Test func aJobFileTheDaemonCannotOpenStillGetsAResultAndAFinalRecord() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("SCPD", "a.jpg", bytes: Array("face".utf8))
        try spool.drop("leased", TestSpool.jobJSON(probes: [probe]))
        try spool.drop("stuck", TestSpool.jobJSON(probes: [probe]))
        try DurableFile.rename(spool.layout.jobFile("stuck", in: spool.layout.incoming),
                               to: spool.layout.jobFile("stuck", in: spool.layout.active))
        // A write lease makes every open(O_NONBLOCK) fail with EWOULDBLOCK, as mode 000 does
        // for a daemon that is not root. (The break notice, SIGIO, is ignored here.)
        signal(SIGIO, SIG_IGN)
        var leases: [Int32] = []
        for path in [spool.layout.jobFile("leased", in: spool.layout.incoming),
                     spool.layout.jobFile("stuck", in: spool.layout.active)] {
            let fd = open(path, O_RDONLY)
            #expect(fd >= 0)
            #expect(fcntl(fd, 1024 /* F_SETLEASE */, Int32(F_WRLCK)) == 0, "lease: \(errno)")
            leases.append(fd)
        }
        defer { for fd in leases { _ = fcntl(fd, 1024, Int32(F_UNLCK)); close(fd) } }
        try spool.drain()
        for id in ["leased", "stuck"] {
            let result = try spool.result(id)
            #expect(result.decision == .denied, "\(id)")
            #expect(result.reasons.map(\.rawValue).contains("input.malformed"), "\(id): \(result.reasons)")
            #expect(try spool.finalRecords(for: id).count == 1, "\(id)")
        }
        #expect(try spool.entries(spool.layout.active).isEmpty)
    }

    @Test(.enabled(if: Privileges.isRoot, "needs root: gives files to other uids"))
    func anAccountsJobsBeyondItsQueueLimitAreRefusedAndAudited() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("SCPD", "a.jpg", bytes: Array("face".utf8))
        for i in 1...6 { try spool.drop("flood-\(i)", TestSpool.jobJSON(probes: [probe])) }
        try spool.drop("other", TestSpool.jobJSON(requester: "sroe", probes: [probe]), uid: TestSpool.supervisorUID)
        try spool.drain(policy: #"{"max_queued_per_account": 3}"#)
        #expect(try spool.result("other").decision == .completed)
        let decisions = try (1...6).map { try spool.result("flood-\($0)") }
        #expect(decisions.filter { $0.decision == .completed }.count == 3)
        let refused = decisions.filter { $0.reasons.map(\.rawValue) == ["input.queue-limit"] }
        #expect(refused.count == 3)
        for i in 1...6 { #expect(try spool.finalRecords(for: "flood-\(i)").count == 1) }
    }

    @Test func aDropFolderWithTooManyFilesIsRefusedBeforeAnythingIsCopied() throws {
        let spool = try TestSpool()
        let id = "20260601T120000Z-00000000f100"
        let folder = spool.layout.dropFolder(for: id)
        try Directory.create(folder, mode: 0o711)
        try TestSpool.giveTo(TestSpool.analystUID, folder)
        for i in 0..<20 {
            try DurableFile.write(Array("face \(i)".utf8), to: folder + "/p\(i).jpg", via: folder, mode: 0o644)
            try TestSpool.giveTo(TestSpool.analystUID, folder + "/p\(i).jpg")
        }
        try spool.drop(id, TestSpool.jobJSON(probes: ["\(id)/p0.jpg"]))
        try spool.drain(policy: #"{"max_probes_per_job": 5}"#)
        let result = try spool.result(id)
        #expect(result.decision == .denied)
        #expect(result.reasons.map(\.rawValue) == ["input.too-many-probes"])
        #expect(((try? Directory.entries(spool.layout.evidence(for: id))) ?? []).isEmpty)
        #expect(try spool.finalRecords(for: id).count == 1)
    }

    @Test func refusedDroppedImagesAreQuarantinedWithAReason() throws {
        let spool = try TestSpool()
        let id = "20260601T120000Z-00000000f200"
        let folder = spool.layout.dropFolder(for: id)
        try Directory.create(folder, mode: 0o711)
        try TestSpool.giveTo(TestSpool.analystUID, folder)
        try DurableFile.write(Array("dropped face".utf8), to: folder + "/cam.jpg", via: folder, mode: 0o644)
        try TestSpool.giveTo(TestSpool.analystUID, folder + "/cam.jpg")
        try DurableFile.write(Array("planted".utf8), to: folder + "/planted.jpg", via: folder, mode: 0o644)
        #expect(symlink("/etc/passwd", folder + "/passwd.jpg") == 0)
        try spool.drop(id, TestSpool.jobJSON(probes: ["\(id)/cam.jpg"]))
        try spool.drain()
        #expect(try spool.result(id).decision == .completed)
        let quarantine = spool.layout.failed + "/" + id + ".refused"
        #expect(try Directory.entries(quarantine) == ["passwd.jpg", "planted.jpg"])
        let reason = String(decoding: try DurableFile.read(quarantine + ".reason"), as: UTF8.self)
        #expect(reason.contains("planted.jpg") && reason.contains("passwd.jpg"))
        #expect(try spool.records().contains { $0.event.job == id && $0.event.event == "job.images-refused" })
        #expect(!FileStatus.exists(folder))
    }
}
