@testable import Spool
import Administration
import Audit
import Basics
import Foundation
import Glibc
import Hashing
import Policy
import Results
import Reviews
import Store
import Synchronization
import SystemCalls
import SpoolTestSupport
import TestSupport
import Testing

/// What a job may reach and who may decide on it: evidence of its own agency only, drop folders
/// walked by descriptor, approvals bound to a private copy, one person never approving or
/// reviewing their own job under a second role.
@Suite("Trust boundaries: evidence by agency, drop-folder races, approvals, two roles")
struct TrustBoundaryTests {
    static let watched = "Person seen assaulting an officer at the protest on Main Street"

    @Test func aDropFolderSwappedForASymlinkDuringDiscardLeavesTheTargetAlone() throws {
        let spool = try TestSpool()
        let processor = try spool.processor()
        let job = "20260601T120000Z-0000000000aa"
        let folder = spool.layout.dropFolder(for: job)
        let aside = folder + ".aside"
        let target = spool.root + "-canary"
        try Directory.create(target, mode: 0o755)
        // The canary sorts last, so the daemon unlinks a hundred names before it: a wide window.
        let canary = target + "/zzz-canary.jpg"
        try DurableFile.write(Array("canary".utf8), to: canary, via: target)
        let names = (0..<100).map { String(format: "a%03d.jpg", $0) } + ["zzz-canary.jpg"]
        // Deterministic first: the drop folder is a symlink to the canary's directory when the discard comes.
        _ = symlink(target, folder)
        processor.discardDropFolder(job: job)
        #expect(FileStatus.exists(canary), "the canary was deleted through a drop folder that is a symlink")
        _ = unlink(folder)
        // Then the race, which must be seen to happen: a swapper replaces the folder by a symlink
        // and back while the daemon empties it.
        let stop = Atomic<Bool>(false)
        let swaps = Atomic<Int>(0)
        let swapper = Thread {
            while !stop.load(ordering: .relaxed) {
                if rename(folder, aside) == 0 {
                    _ = symlink(target, folder)
                    swaps.add(1, ordering: .relaxed)
                    usleep(100)
                    _ = unlink(folder)
                    _ = rename(aside, folder)
                }
                usleep(100)
            }
        }
        swapper.start()
        let deadline = Date().addingTimeInterval(5)
        var rounds = 0
        while Date() < deadline, FileStatus.exists(canary) {
            _ = mkdir(folder, 0o755)
            for name in names {
                let fd = open(folder + "/" + name, O_WRONLY | O_CREAT | O_NOFOLLOW, 0o644)
                if fd >= 0 { close(fd) }
            }
            processor.discardDropFolder(job: job)
            rounds += 1
        }
        stop.store(true, ordering: .relaxed)
        while !swapper.isFinished { usleep(1000) }
        #expect(FileStatus.exists(canary), "the canary was deleted through the symlink after \(rounds) rounds")
        #expect(rounds > 10 && swaps.load(ordering: .relaxed) > 10, "the race did not happen: \(rounds) rounds, \(swaps.load(ordering: .relaxed)) swaps")
    }

    @Test(.enabled(if: Privileges.isRoot, "needs root: gives files to other uids"))
    func aJobMaySearchOnlyItsOwnImagesAndItsAgencysEvidence() throws {
        let spool = try TestSpool()
        try spool.addOtherAgency()
        let agencyProbe = try spool.addEvidence("SCPD", "a.jpg", bytes: Array("agency face".utf8))
        let brought = try spool.addOwnEvidence("jobA", "cam.jpg", bytes: Array("brought face".utf8))
        let otherProbe = try spool.addEvidence("OTHER", "o.jpg", bytes: Array("other face".utf8), agency: "OTHER")
        let loose = try spool.addEvidence("case9", "x.jpg", bytes: Array("loose face".utf8), agency: nil)
        try spool.drop("jobA", TestSpool.jobJSON(probes: [brought]))
        try spool.drain()
        #expect(try spool.result("jobA").decision == .completed)

        // Agency OTHER's analyst names SCPD's evidence and SCPD's job's images.
        let other = TestSpool.analystUID + 6
        try spool.drop("steal-job", TestSpool.jobJSON(requester: "oana", probes: [brought]), uid: other)
        try spool.drop("steal-dir", TestSpool.jobJSON(requester: "oana", probes: [], extra: #", "probe_dir": "jobA""#), uid: other)
        try spool.drop("steal-agency", TestSpool.jobJSON(requester: "oana", probes: [agencyProbe]), uid: other)
        try spool.drop("steal-abs", TestSpool.jobJSON(requester: "oana", probes: [spool.layout.evidence + "/" + brought]), uid: other)
        try spool.drop("own-agency", TestSpool.jobJSON(requester: "oana", probes: [otherProbe]), uid: other)
        // SCPD's own: its agency folder and an earlier SCPD job's images; a folder no one owns is refused.
        try spool.drop("scpd-agency", TestSpool.jobJSON(probes: [agencyProbe, brought]))
        try spool.drop("scpd-loose", TestSpool.jobJSON(probes: [loose]))
        try spool.drop("case9", TestSpool.jobJSON(probes: [loose]))
        try spool.drain()

        for id in ["steal-job", "steal-dir", "steal-agency", "steal-abs", "scpd-loose", "case9"] {
            let result = try spool.result(id)
            #expect(result.decision == .denied, "\(id)")
            #expect(result.reasons.map(\.rawValue) == ["input.probe-not-permitted"], "\(id): \(result.reasons)")
            #expect(result.probes.isEmpty)
        }
        #expect(try spool.result("own-agency").decision == .completed)
        #expect(try spool.result("scpd-agency").decision == .completed)
    }

    @Test(.enabled(if: Privileges.isRoot, "needs root: gives files to other uids"))
    func aHeldJobRunsWhatWasHeldNotWhatItsOwnerWroteLater() throws {
        let spool = try TestSpool()
        let id = "20260601T120000Z-0000000000bb"
        let folder = spool.layout.dropFolder(for: id)
        try Directory.create(folder, mode: 0o711)
        try TestSpool.giveTo(TestSpool.analystUID, folder)
        let original = Array("held face".utf8)
        try DurableFile.write(original, to: folder + "/cam.jpg", via: folder, mode: 0o644)
        try TestSpool.giveTo(TestSpool.analystUID, folder + "/cam.jpg")
        let text = TestSpool.jobJSON(justification: Self.watched, probes: ["\(id)/cam.jpg"])
        try spool.drop(id, text)
        // The requester keeps descriptors on the job file and the image.
        let jobFD = open(spool.layout.jobFile(id, in: spool.layout.incoming), O_RDWR)
        let imageFD = open(folder + "/cam.jpg", O_RDWR)
        #expect(jobFD >= 0 && imageFD >= 0)
        defer { close(jobFD); close(imageFD) }
        try spool.drain()
        #expect(spool.locations(of: id) == ["held"])
        let held = try #require(try spool.records().first { $0.event.job == id && $0.event.event == "job.held" })
        #expect(held.event.details["job_sha256"] == SHA256.hex(Array(text.utf8)))
        #expect(held.event.probeSHA256 == [SHA256.hex(original)])

        // While held, both are rewritten through the kept descriptors.
        let rewritten = Array(text.replacingOccurrences(of: "24-012345", with: "99-999999").utf8)
        #expect(ftruncate(jobFD, 0) == 0)
        #expect(pwrite(jobFD, rewritten, rewritten.count, 0) == rewritten.count)
        let swapped = Array("someone else".utf8)
        #expect(ftruncate(imageFD, 0) == 0)
        #expect(pwrite(imageFD, swapped, swapped.count, 0) == swapped.count)

        try spool.dropApproval(job: id, supervisor: "sroe", approve: true, uid: TestSpool.supervisorUID)
        try spool.drain()
        let result = try spool.result(id)
        #expect(result.decision == .completed)
        #expect(result.caseNumber == "24-012345")
        #expect(result.probes.first?.sha256 == SHA256.hex(original))
    }

    @Test(.enabled(if: Privileges.isRoot, "needs root: gives files to other uids"))
    func anUnreadableHeldFileDoesNotLetASupervisorApproveTheirOwnJob() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("SCPD", "a.jpg", bytes: Array("face".utf8))
        try spool.drop("selfish", TestSpool.jobJSON(requester: "sroe", justification: Self.watched, probes: [probe]),
                       uid: TestSpool.supervisorUID)
        try spool.drain()
        #expect(spool.locations(of: "selfish") == ["held"])
        // The held file no longer parses (rewritten through a kept descriptor, say).
        let held = spool.layout.jobFile("selfish", in: spool.layout.held)
        let fd = open(held, O_WRONLY | O_TRUNC)
        #expect(fd >= 0)
        close(fd)
        try spool.dropApproval(job: "selfish", supervisor: "sroe", approve: true, uid: TestSpool.supervisorUID)
        try spool.drain()
        #expect(spool.locations(of: "selfish") == ["held"])
        #expect(!(try spool.events(for: "selfish")).contains("job.approved"))
        let refusal = try #require(try spool.records().first { $0.event.event == "job.approval-refused" })
        #expect(refusal.event.reasons.contains("supervisor.self-approval"))
    }

    @Test(.enabled(if: Privileges.isRoot, "needs root: gives files to other uids"))
    func oneUIDUnderTwoUserIDsCannotApproveOrReviewItsOwnJob() throws {
        let spool = try TestSpool()
        let now = spool.now
        let admin = try SpoolAdministration(layout: spool.layout, uid: 0, clock: { now })
        // jdoe's account (uid 1000) registered a second time, as a supervisor and as an examiner: the
        // administration refuses it (one account, one person of one agency)...
        let second = UserRecord(id: "jdoe-sup", name: "Jane Doe", agency: "SCPD", role: "supervisor",
                                uid: TestSpool.analystUID, vetted: "2025-01-10", trained: "2026-01-15")
        #expect(throws: AdministrationError.self) { try admin.addUser(second) }
        // ...but a registry from before the rule may hold it, and approvals and reviews must still refuse.
        let registry = Registry(database: try SpoolDatabase.open(spool.layout))
        try registry.addUser(second, now: now)
        try registry.addUser(UserRecord(id: "jdoe-exam", name: "Jane Doe", agency: "SCPD", role: "examiner",
                                        uid: TestSpool.analystUID, vetted: "2025-01-10", trained: "2026-01-15"), now: now)
        // An examiner whose training expired may not review either.
        try admin.addUser(UserRecord(id: "stale", name: "Stan Stale", agency: "SCPD", role: "examiner",
                                     uid: 1007, vetted: "2020-01-10", trained: "2020-01-15"))
        let probe = try spool.addEvidence("SCPD", "a.jpg", bytes: Array("face".utf8))
        try spool.drop("mine", TestSpool.jobJSON(justification: Self.watched, probes: [probe]))
        try spool.drop("done", TestSpool.jobJSON(probes: [probe]))
        try spool.drain()
        try spool.dropApproval(job: "mine", supervisor: "jdoe-sup", approve: true, uid: TestSpool.analystUID)
        try spool.drain()
        #expect(spool.locations(of: "mine") == ["held"])
        let refusal = try #require(try spool.records().first { $0.event.event == "job.approval-refused" })
        #expect(refusal.event.reasons.contains("supervisor.self-approval"))

        let subject = try #require(try spool.result("done").probes.first?.faces.first?.candidates.first?.subject)
        for (examiner, uid) in [("jdoe-exam", TestSpool.analystUID), ("stale", UInt32(1007))] {
            let request = ReviewRequest(job: "done", examiner: examiner, face: 1, candidate: subject,
                                        disposition: .possibleMatch, note: nil)
            let name = try request.drop(via: spool.layout.tmp, into: spool.layout.incoming)
            #expect(chown(spool.layout.incoming + "/" + name, uid, uid) == 0)
        }
        try spool.drain()
        #expect(try ReviewLog(database: try SpoolDatabase.open(spool.layout)).reviews(job: "done").isEmpty)
        let refused = try spool.records().filter { $0.event.event == "review.refused" }
        #expect(refused.count == 2)
    }

    @Test func unresolvableAndSpecialFilesInABulkFolderBecomeErrorRecords() throws {
        let spool = try TestSpool()
        for i in 0..<3 { try spool.addEvidence("SCPD", "bulk-p\(i).jpg", bytes: Array("face \(i)".utf8)) }
        let folder = spool.layout.evidence + "/SCPD"
        let outside = spool.root + "-outside.jpg"
        try DurableFile.write(Array("outside".utf8), to: outside, via: DurableFile.directoryName(outside))
        #expect(symlink(outside, folder + "/escape.jpg") == 0)
        #expect(symlink(folder + "/nowhere.jpg", folder + "/dangling.jpg") == 0)
        #expect(mkfifo(folder + "/pipe.jpg", 0o600) == 0)
        try spool.drop("bulk", TestSpool.jobJSON(probes: [], extra: #", "probe_dir": "SCPD""#))
        try spool.drain()
        #expect(try spool.result("bulk").probeCount == 6)
        let lines = try DurableFile.read(spool.layout.resultLines("bulk")).split(separator: 0x0a)
        let records = try lines.map { try JSONDecoder().decode(ProbeRecord.self, from: Data($0)) }
        let errors = Dictionary(uniqueKeysWithValues: records.compactMap { r in r.error.map { (r.image, $0) } })
        #expect(errors == ["SCPD/escape.jpg": "input.probe-outside-evidence", "SCPD/dangling.jpg": "input.probe-missing",
                           "SCPD/pipe.jpg": "input.probe-missing"])
    }

    @Test func aWorkerThatGivesUpFailsTheDrainEvenWhenOthersProcessedJobs() throws {
        struct Broken: Error {}
        let spool = try TestSpool()
        let probe = try spool.addEvidence("SCPD", "a.jpg", bytes: Array("face".utf8))
        try spool.drop("a-broken", TestSpool.jobJSON(probes: [probe]))
        try spool.drop("b-fine", TestSpool.jobJSON(probes: [probe]))
        #expect(throws: DaemonError.self) {
            try spool.drain(checkpoint: { point, job in
                if point == .claimed, job == "a-broken" { throw Broken() }
            })
        }
        #expect(try spool.result("b-fine").decision == .completed)
    }
}
