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
        let stop = Atomic<Bool>(false)
        let swapper = Thread {
            while !stop.load(ordering: .relaxed) {
                if rename(folder, aside) == 0 {
                    _ = symlink(target, folder)
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
        #expect(rounds > 10)
    }

    @Test func aJobMaySearchOnlyItsOwnImagesAndItsAgencysEvidence() throws {
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
}
