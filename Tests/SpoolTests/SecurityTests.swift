@testable import Spool
import Audit
import Basics
import Foundation
import Glibc
import Policy
import SystemCalls
import SpoolTestSupport
import TestSupport
import Testing

/// The security guarantees of SECURITY.md, each tested through the daemon or the claim: the uid
/// binding cannot be borrowed through links or swapped files, what the daemon writes is not
/// world-readable, tampering with the audit log the daemon wrote is detected, and the operators'
/// log carries no justification text or probe bytes.
@Suite("Security: uid binding, modes, audit tampering, log hygiene")
struct SecurityTests {
    static let secret = "CONFIDENTIAL-informant-Kowalski-said"

    /// A valid request for jdoe with the secret in its justification.
    static func secretJob(probe: String) -> String {
        TestSpool.jobJSON(justification: "Store camera photo of the robbery suspect; \(secret)", probes: [probe])
    }

    @Test func aHardLinkToSomeoneElsesJobFileCannotSpeakForThem() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        // jdoe's genuine job, and a second name for the same inode made by someone else
        // (root here; with fs.protected_hardlinks=0 any account could).
        try spool.drop("victim", Self.secretJob(probe: probe))
        let victim = spool.layout.jobFile("victim", in: spool.layout.incoming)
        let linked = spool.layout.jobFile("borrowed", in: spool.layout.incoming)
        #expect(link(victim, linked) == 0)
        try spool.drain()

        // Both names see two links: neither may run as jdoe; the borrowed one gets no search.
        for id in ["victim", "borrowed"] {
            let result = try spool.result(id)
            #expect(result.decision == .denied, "\(id)")
            #expect(result.reasons.map(\.rawValue).contains(ReasonCode.requesterIdentityMismatch.rawValue), "\(id)")
            #expect(result.probes.isEmpty, "\(id)")
            #expect(try spool.finalRecords(for: id).count == 1)
        }
        #expect(try spool.entries(spool.layout.incoming).isEmpty)
        #expect(try spool.entries(spool.layout.active).isEmpty)
    }

    @Test func aSymlinkToARightlyOwnedJobFileIsNotFollowed() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        // The target is owned by jdoe and valid: following the link would run it as jdoe.
        let target = spool.root + "-target.json"
        try DurableFile.write(Array(Self.secretJob(probe: probe).utf8), to: target, via: DurableFile.directoryName(target))
        try TestSpool.giveTo(TestSpool.analystUID, target)
        #expect(symlink(target, spool.layout.jobFile("linked", in: spool.layout.incoming)) == 0)
        try spool.drain()

        let result = try spool.result("linked")
        #expect(result.decision == .denied)
        #expect(result.reasons.map(\.rawValue) == [ReasonCode.requesterIdentityMismatch.rawValue])
        #expect(result.requester == nil)
        #expect(result.probes.isEmpty)
        // The target was neither read into the outbox nor moved.
        #expect(FileStatus.exists(target))
        let outbox = try DurableFile.read(spool.layout.resultFile("linked"))
        #expect(!String(decoding: outbox, as: UTF8.self).contains(Self.secret))
    }

    @Test(.enabled(if: Privileges.isRoot, "needs root: gives files to other uids"))
    func aJobFileSwappedAfterTheClaimIsJudgedByTheOpenDescriptor() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        // An outsider (uid 4242) drops jdoe's request; after the claim opened it, a file that
        // jdoe does own is put at the same path. The descriptor, not the path, decides.
        try spool.drop("swapped", Self.secretJob(probe: probe), uid: 4242)
        let processor = try spool.processor()
        let claimed = try JobClaimer(layout: spool.layout).claimNext { claim in
            let replacement = try DurableFile.writeTemporary(Array(Self.secretJob(probe: probe).utf8),
                                                             in: spool.layout.tmp, name: "swap", mode: 0o644)
            try TestSpool.giveTo(TestSpool.analystUID, replacement)
            try DurableFile.rename(replacement, to: claim.path)
            // Even a stale status taken from the replaced path does not authenticate the request.
            let stale = ClaimedJob(name: claim.name, id: claim.id, kind: claim.kind, path: claim.path,
                                   status: try FileStatus.of(claim.path), descriptor: claim.descriptor,
                                   recovered: claim.recovered)
            #expect(stale.status.owner == TestSpool.analystUID)
            try processor.process(stale)
        }
        #expect(claimed)
        let result = try spool.result("swapped")
        #expect(result.decision == .denied)
        #expect(result.reasons.map(\.rawValue).contains(ReasonCode.requesterIdentityMismatch.rawValue))
        #expect(result.probes.isEmpty)
        let final = try #require(try spool.finalRecords(for: "swapped").first)
        #expect(final.event.outcome == "denied")
    }

    @Test func aFIFOOrDirectoryInPlaceOfAJobDoesNotBlockOrRun() throws {
        let spool = try TestSpool()
        #expect(mkfifo(spool.layout.jobFile("pipe", in: spool.layout.incoming), 0o622) == 0)
        try Directory.create(spool.layout.jobFile("folder", in: spool.layout.incoming), mode: 0o755)
        try spool.drain()
        for id in ["pipe", "folder"] {
            let result = try spool.result(id)
            #expect(result.decision == .denied, "\(id)")
            #expect(result.reasons.map(\.rawValue) == [ReasonCode.requesterIdentityMismatch.rawValue], "\(id)")
            #expect(try spool.finalRecords(for: id).count == 1)
        }
        #expect(try spool.entries(spool.layout.incoming).isEmpty)
    }

    @Test(.enabled(if: Privileges.isRoot, "needs root: gives files to other uids"))
    func aRefusedJobLeavesNoDroppedImagesInTheDropBox() throws {
        let spool = try TestSpool()
        // An unprivileged submit (uid 4242) claiming to be jdoe: its images wait in incoming/<job>.d/.
        let folder = spool.layout.dropFolder(for: "impostor")
        try Directory.create(folder, mode: 0o711)
        try DurableFile.write(Array("dropped \(Self.secret)".utf8), to: folder + "/cam.jpg", via: folder, mode: 0o644)
        #expect(chown(folder, 4242, 4242) == 0 && chown(folder + "/cam.jpg", 4242, 4242) == 0)
        try spool.drop("impostor", TestSpool.jobJSON(probes: ["impostor/cam.jpg"]), uid: 4242)
        // A symlink named like a job's folder is not followed: its target survives.
        let outside = spool.root + "-outside"
        try Directory.create(outside, mode: 0o755)
        try DurableFile.write(Array("keep".utf8), to: outside + "/keep.jpg", via: outside)
        #expect(symlink(outside, spool.layout.dropFolder(for: "linked")) == 0)
        try spool.drop("linked", TestSpool.jobJSON(purpose: "personal", probes: ["x.jpg"]), uid: 4242)
        try spool.drain()

        #expect(try spool.result("impostor").reasons.map(\.rawValue) == [ReasonCode.requesterIdentityMismatch.rawValue])
        #expect(!FileStatus.exists(folder))
        #expect(!FileStatus.exists(spool.layout.evidence(for: "impostor")))
        #expect(try spool.result("linked").decision == .denied)
        #expect(FileStatus.exists(outside + "/keep.jpg"))
        #expect(try spool.entries(spool.layout.incoming) == ["linked.d"])
    }

    @Test func nothingTheDaemonWritesIsWorldReadable() throws {
        let spool = try TestSpool()
        let imageDir = spool.root + "-images"
        try Directory.create(imageDir, mode: 0o755)
        try DurableFile.write(Array("probe bytes".utf8), to: imageDir + "/cam1.jpg", via: imageDir, mode: 0o644)
        let id = try JobSubmission(layout: spool.layout).submit(
            .init(requester: "jdoe", purpose: "active-investigation", caseNumber: "24-012345", offense: "armed robbery",
                  justification: "Suspect photographed by the store camera during the robbery", maxCandidates: 10),
            images: [imageDir + "/cam1.jpg"], now: spool.now)
        let path = spool.layout.jobFile(id, in: spool.layout.incoming)
        try TestSpool.giveTo(TestSpool.analystUID, path)
        try spool.drop("bad", "{not json")
        try spool.drain()
        #expect(try spool.result(id).decision == .completed)

        // Directories: only the drop boxes are writable by others, and they cannot be listed.
        for (directory, _) in spool.layout.directories {
            let mode = try FileStatus.of(directory).permissions
            let dropBox = directory == spool.layout.tmp || directory == spool.layout.incoming
            if dropBox {
                #expect(mode == 0o1733, "\(directory)")
            } else if directory == spool.layout.statusBoard {
                // Anyone may list the agency codes; each agency's board is its group's only.
                #expect(mode == 0o755, "\(directory)")
            } else {
                #expect(mode & 0o007 & ~0o001 == 0, "\(directory) is \(String(mode, radix: 8))")
            }
        }
        // Files the daemon writes (results, audit, evidence it copies in, the database): nothing
        // readable or writable by others. (Finished job files keep their submitter's mode; the
        // closed done/ and failed/ directories above protect them.)
        let private_ = [spool.layout.results, spool.layout.audit, spool.layout.evidence, spool.layout.state]
        var checked = 0
        for top in private_ {
            for file in try Self.files(under: top) {
                let mode = try FileStatus.of(file).permissions
                #expect(mode & 0o006 == 0, "\(file) is \(String(mode, radix: 8))")
                checked += 1
            }
        }
        #expect(checked >= 5)
    }

    @Test func theOperatorsLogCarriesNoJustificationOrProbeBytes() throws {
        let spool = try TestSpool()
        let secretBytes = Array("BAD \(Self.secret) probe payload".utf8)
        let good = try spool.addEvidence("case1", "good.jpg", bytes: Array("face \(Self.secret)".utf8))
        let bad = try spool.addEvidence("case1", "bad.jpg", bytes: secretBytes)
        let failing = try spool.addEvidence("case1", "fail.jpg", bytes: Array("FAIL \(Self.secret)".utf8))
        try spool.drop("runs", Self.secretJob(probe: good))
        try spool.drop("not-image", Self.secretJob(probe: bad))
        try spool.drop("engine-fault", Self.secretJob(probe: failing))
        try spool.drop("held", TestSpool.jobJSON(justification: "Suspect seen at the protest; \(Self.secret)", probes: [good]))
        try spool.drop("malformed", "{\"justification\": \"\(Self.secret)\", \"requester\": 5")
        try spool.drop("unknown-field", Self.secretJob(probe: good).replacingOccurrences(
            of: "\"version\"", with: "\"\(Self.secret)\": 1, \"version\""))
        let sink = MemorySink()
        let now = spool.now
        let daemon = SpoolDaemon(layout: spool.layout, searcher: FakeSearcher(),
                                 configuration: .init(workers: 2, once: true),
                                 logger: Logger(level: .debug, sink: sink), clock: { now })
        _ = try daemon.run()

        #expect(try spool.result("runs").decision == .completed)
        #expect(try spool.result("not-image").decision == .denied)
        #expect(try spool.result("engine-fault").decision == .failed)
        #expect(spool.locations(of: "held") == ["held"])
        #expect(try spool.result("malformed").decision == .denied)
        #expect(try spool.result("unknown-field").decision == .denied)
        #expect(sink.lines.count >= 6)
        let leaking = sink.lines.filter { $0.contains(Self.secret) || $0.contains("probe payload") }
        #expect(leaking.isEmpty, "\(leaking)")
    }

    @Test func tamperingWithTheDaemonsAuditLogIsDetected() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        try spool.drop("allowed", TestSpool.jobJSON(probes: [probe]))
        try spool.drop("refused", TestSpool.jobJSON(purpose: "personal", probes: [probe]))
        try spool.drain()
        let audit = spool.layout.audit
        let verification = AuditVerifier.verify(directory: audit)
        #expect(verification.isIntact)
        let anchor = try #require(verification.anchor)
        let file = audit + "/" + (try #require(try Directory.entries(audit).first { $0.hasSuffix(".jsonl") }))
        let original = try DurableFile.read(file)
        let lines = String(decoding: original, as: UTF8.self).split(separator: "\n").map(String.init)
        let denial = try #require(lines.firstIndex { $0.contains("\"event\":\"job.denied\"") })

        let tamperings: [(String, ([String]) -> [String])] = [
            ("a denial turned into a completion", { l in
                var l = l
                l[denial] = l[denial].replacingOccurrences(of: "\"outcome\":\"denied\"", with: "\"outcome\":\"completed\"")
                return l }),
            ("the denial's record removed", { l in var l = l; l.remove(at: denial); return l }),
            ("two records swapped", { l in var l = l; l.swapAt(denial, denial - 1); return l }),
            ("a record duplicated", { l in var l = l; l.insert(l[denial], at: denial + 1); return l }),
            ("the last record cut off", { l in Array(l.dropLast()) }),
        ]
        for (name, tamper) in tamperings {
            let edited = tamper(lines)
            #expect(edited != lines, "\(name)")
            try DurableFile.write(Array((edited.joined(separator: "\n") + "\n").utf8), to: file, via: audit, mode: 0o640)
            let result = AuditVerifier.verify(directory: audit, anchors: [anchor])
            #expect(!result.isIntact, "\(name) was not detected")
        }
        try DurableFile.write(original, to: file, via: audit, mode: 0o640)
        #expect(AuditVerifier.verify(directory: audit, anchors: [anchor]).isIntact)
    }

    /// Every regular file under `directory`, recursively.
    static func files(under directory: String) throws -> [String] {
        var found: [String] = []
        for name in try Directory.entries(directory) {
            let path = directory + "/" + name
            let status = try FileStatus.of(path)
            if status.isDirectory {
                found += try files(under: path)
            } else if status.isRegularFile {
                found.append(path)
            }
        }
        return found
    }
}
