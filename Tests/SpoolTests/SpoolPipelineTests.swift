@testable import Spool
import Audit
import Foundation
import Glibc
import Hashing
import Policy
import SystemCalls
import SpoolTestSupport
import TestSupport
import Testing

@Suite("Spool pipeline, end to end with a test searcher")
struct SpoolPipelineTests {
    @Test func submittedJobIsSearchedAndFinishedWithOneResultAndOneFinalRecord() throws {
        let spool = try TestSpool()
        let imageDir = spool.root + "-images"
        try Directory.create(imageDir, mode: 0o755)
        let image = Array("JPEG-ish probe bytes".utf8)
        try DurableFile.write(image, to: imageDir + "/cam1.jpg", via: imageDir)
        let id = try JobSubmission(layout: spool.layout).submit(
            .init(requester: "jdoe", purpose: "active-investigation", caseNumber: "24-012345", offense: "armed robbery",
                  justification: "Suspect photographed by the store camera during the robbery", maxCandidates: 10),
            images: [imageDir + "/cam1.jpg"], now: spool.now)
        // Submitted as root: the images went straight into the evidence store; the job is queued.
        #expect(spool.locations(of: id) == ["incoming"])
        #expect(try DurableFile.read(spool.layout.evidence(for: id) + "/cam1.jpg") == image)
        // The job must be the analyst's to pass the uid check.
        let path = spool.layout.jobFile(id, in: spool.layout.incoming)
        try TestSpool.giveTo(TestSpool.analystUID, path)

        let summary = try spool.drain()
        #expect(summary.processed == 1)
        #expect(spool.locations(of: id) == ["done"])
        let result = try spool.result(id)
        #expect(result.decision == .completed)
        #expect(result.reasons.isEmpty)
        #expect(result.requester == "jdoe")
        #expect(result.purpose == "active-investigation")
        #expect(result.caseNumber == "24-012345")
        #expect(result.galleryVersion == 7)
        #expect(result.models?["detector"] == "fake-detector")
        #expect(result.threshold == 0.6 && result.thresholdSource == "policy default, uncalibrated")
        #expect(result.statement.hasPrefix("Investigative lead only — not a positive identification."))
        try #require(result.probes.count == 1)
        #expect(result.probes[0].image == "\(id)/cam1.jpg")
        #expect(result.probes[0].sha256 == SHA256.hex(image))
        // The searcher's candidates, each marked within the operating threshold.
        let expected = try FakeSearcher().search(imageBytes: image, maxCandidates: 10, threshold: 0.6).map { face in
            var face = face
            for i in face.candidates.indices { face.candidates[i].withinThreshold = true }
            return face
        }
        #expect(result.probes[0].faces == expected)
        #expect(try spool.events(for: id) == ["job.received", "job.claimed", "job.completed"])
        let final = try spool.finalRecords(for: id)
        #expect(final.count == 1)
        #expect(final.first?.event.candidates == 3)
        #expect(final.first?.event.probeSHA256 == [SHA256.hex(image)])
        #expect(final.first?.event.agency == "SCPD")
        #expect(AuditVerifier.verify(directory: spool.layout.audit).isIntact)
        // The result file is written with the outbox's mode, no temporaries remain.
        #expect(try FileStatus.of(spool.layout.resultFile(id)).permissions == 0o640)
        #expect(try spool.entries(spool.layout.tmp).isEmpty)
        #expect(try spool.entries(spool.layout.active).isEmpty)
    }

    @Test("the job's audit records carry the SHA-256 of the job file as written (justification included)")
    func auditRecordsCarryTheJobFilesHash() throws {
        let spool = try TestSpool()
        let text = TestSpool.jobJSON(probes: [])
        try spool.drop("hashed", text)
        try spool.drain()
        let records = try spool.records().filter { $0.event.job == "hashed" }
        let events = Set(records.map(\.event.event))
        #expect(events.contains("job.received") && events.contains("job.claimed") && events.contains("job.denied"))
        for record in records {
            #expect(record.event.details["job_sha256"] == SHA256.hex(Array(text.utf8)), "\(record.event.event)")
        }
    }

    @Test(.enabled(if: Privileges.isRoot, "needs root: gives files to other uids"))
    func suspendedRequesterAndWrongOwnerAreDeniedWithEveryReason() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        try spool.drop("suspended", TestSpool.jobJSON(requester: "mpoe", probes: [probe]), uid: TestSpool.suspendedUID)
        // jdoe's request in a file owned by someone else: the file cannot speak for jdoe.
        try spool.drop("impostor", TestSpool.jobJSON(probes: [probe]), uid: 4242)
        try spool.drop("nobody", TestSpool.jobJSON(requester: "ghost", purpose: "personal-curiosity",
                                                   justification: "short", probes: [probe]), uid: 4242)
        try spool.drain()

        let suspended = try spool.result("suspended")
        #expect(suspended.decision == .denied)
        #expect(suspended.reasons.map(\.rawValue) == ["requester.suspended"])
        #expect(suspended.probes.isEmpty)
        let impostor = try spool.result("impostor")
        #expect(impostor.reasons.map(\.rawValue) == ["requester.identity-mismatch"])
        let nobody = try spool.result("nobody")
        #expect(nobody.reasons.map(\.rawValue) == ["requester.unknown", "agency.unknown", "purpose.unauthorized",
                                   "purpose.justification-too-short"])
        // The impostor's records name the account that dropped the file, not the person it claimed.
        let impostorRecords = try spool.records().filter { $0.event.job == "impostor" }
        #expect(impostorRecords.allSatisfy { $0.event.actor == "uid:4242" && $0.event.agency == nil })
        #expect(impostorRecords.allSatisfy { $0.event.details["claimed_requester"] == "jdoe" })
        #expect(try spool.finalRecords(for: "suspended").first?.event.actor == "mpoe")
        for id in ["suspended", "impostor", "nobody"] {
            #expect(spool.locations(of: id) == ["done"])
            let finals = try spool.finalRecords(for: id)
            #expect(finals.map(\.event.event) == ["job.denied"])
            #expect(finals.first?.event.reasons == (try spool.result(id)).reasons.map(\.rawValue))
        }
    }

    @Test func symlinkedJobFileIsDeniedAndTheLinkTargetIsNeverRead() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        // A valid job of jdoe's, and a link to it dropped by someone else.
        let secret = spool.root + "-secret.json"
        try DurableFile.write(Array(TestSpool.jobJSON(probes: [probe]).utf8), to: secret, via: DurableFile.directoryName(secret))
        try TestSpool.giveTo(TestSpool.analystUID, secret)
        #expect(symlink(secret, spool.layout.jobFile("linked", in: spool.layout.incoming)) == 0)
        // A hard link to jdoe's job is refused as well.
        let hard = spool.root + "-hard.json"
        try DurableFile.write(Array(TestSpool.jobJSON(probes: [probe]).utf8), to: hard, via: DurableFile.directoryName(hard))
        try TestSpool.giveTo(TestSpool.analystUID, hard)
        #expect(link(hard, spool.layout.jobFile("hardlinked", in: spool.layout.incoming)) == 0)
        try spool.drain()

        for id in ["linked", "hardlinked"] {
            let result = try spool.result(id)
            #expect(result.decision == .denied)
            #expect(result.reasons.map(\.rawValue).first == "requester.identity-mismatch")
            #expect(try spool.finalRecords(for: id).count == 1)
        }
        #expect(try spool.result("linked").requester == nil)
        #expect(try FileStatus.of(spool.layout.jobFile("linked", in: spool.layout.done)).isSymbolicLink)
    }

    @Test func probesOutsideTheEvidenceStoreAreDenied() throws {
        let spool = try TestSpool()
        let inside = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        let outsideFile = spool.root + "-outside.jpg"
        try DurableFile.write(Array("private".utf8), to: outsideFile, via: DurableFile.directoryName(outsideFile))
        #expect(symlink(outsideFile, spool.layout.evidence + "/SCPD/case1/escape.jpg") == 0)
        try spool.drop("dotdot", TestSpool.jobJSON(probes: ["SCPD/case1/../../state/frs.sqlite"]))
        try spool.drop("link", TestSpool.jobJSON(probes: [inside, "SCPD/case1/escape.jpg"]))
        try spool.drop("absolute", TestSpool.jobJSON(probes: [outsideFile]))
        try spool.drop("absinside", TestSpool.jobJSON(probes: [spool.layout.evidence + "/" + inside]))
        try spool.drop("missing", TestSpool.jobJSON(probes: ["SCPD/case1/nope.jpg"]))
        try spool.drain()

        for id in ["dotdot", "link", "absolute"] {
            let result = try spool.result(id)
            #expect(result.decision == .denied, "\(id)")
            #expect(result.reasons.map(\.rawValue).contains("input.probe-outside-evidence"), "\(id): \(result.reasons)")
            #expect(result.probes.isEmpty)
        }
        #expect(try spool.result("absinside").decision == .completed)
        #expect(try spool.result("missing").reasons.map(\.rawValue) == ["input.probe-missing"])
    }

    @Test func malformedJobFilesGetADeniedResultAndRecord() throws {
        let spool = try TestSpool()
        try spool.drop("garbage", "{ this is not json")
        try spool.drop("array", "[1, 2, 3]")
        try spool.drop("filter", TestSpool.jobJSON(probes: ["SCPD/case1/a.jpg"], extra: ", \"race\": \"any\""))
        try spool.drain()

        for id in ["garbage", "array"] {
            let result = try spool.result(id)
            #expect(result.decision == .denied)
            #expect(result.reasons.map(\.rawValue) == ["input.malformed"])
            #expect(!result.messages.isEmpty)
            #expect(try spool.finalRecords(for: id).map(\.event.event) == ["job.denied"])
            #expect(try spool.finalRecords(for: id).first?.event.reasons == ["input.malformed"])
            #expect(spool.locations(of: id) == ["done"])
        }
        #expect(try spool.result("filter").reasons.map(\.rawValue).contains("use.protected-class-filter"))
    }

    @Test func imageErrorsFromTheSearcherDenyTheJob() throws {
        let spool = try TestSpool()
        let bad = try spool.addEvidence("case1", "bad.jpg", bytes: Array("BAD bytes".utf8))
        let huge = try spool.addEvidence("case1", "huge.jpg", bytes: Array("HUGE".utf8))
        let good = try spool.addEvidence("case1", "good.jpg", bytes: Array("a face".utf8))
        try spool.drop("bad", TestSpool.jobJSON(probes: [good, bad]))
        try spool.drop("huge", TestSpool.jobJSON(probes: [huge]))
        try spool.drain()
        #expect(try spool.result("bad").reasons.map(\.rawValue) == ["input.probe-not-image"])
        #expect(try spool.result("bad").probes.isEmpty)
        #expect(try spool.result("huge").reasons.map(\.rawValue) == ["input.probe-too-large"])
    }

    /// The daemon runs each job through the operating threshold's searcher, wrapped around the
    /// engine's: the result still says which copy of the gallery was scanned.
    @Test func aResultSaysWhichScanTheDaemonRan() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        try spool.drop("job1", TestSpool.jobJSON(probes: [probe]))
        try spool.drain(searcher: FakeSearcher(scanPrecision: "f16"))
        let result = try spool.result("job1")
        #expect(result.decision == .completed)
        #expect(result.scanPrecision == "f16")
    }

    @Test func engineFaultsAreRetriedThenQuarantinedWithAFailedResult() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "f.jpg", bytes: Array("FAIL".utf8))
        try spool.drop("faulty", TestSpool.jobJSON(probes: [probe]))
        let summary = try spool.drain()
        #expect(summary.failedAttempts == 3)
        #expect(spool.locations(of: "faulty") == ["failed"])
        let reason = String(decoding: try DurableFile.read(spool.layout.failureReason("faulty")), as: UTF8.self)
        #expect(reason.contains("EngineFault"))
        let result = try spool.result("faulty")
        #expect(result.decision == .failed)
        #expect(result.reasons == [.processingAttemptsExhausted])
        #expect(try spool.events(for: "faulty") == ["job.received", "job.claimed", "job.claimed", "job.claimed",
                                                    "job.claimed", "job.failed"])
    }

    @Test(.enabled(if: Privileges.isRoot, "needs root: gives files to other uids"))
    func watchTermsHoldTheJobUntilASupervisorDecides() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        let justification = "Person seen assaulting an officer at the protest on Main Street"
        try spool.drop("approved", TestSpool.jobJSON(justification: justification, probes: [probe]))
        try spool.drop("rejected", TestSpool.jobJSON(justification: justification, probes: [probe]))
        try spool.drop("selfish", TestSpool.jobJSON(requester: "sroe", justification: justification, probes: [probe]),
                       uid: TestSpool.supervisorUID)
        try spool.drain()
        for id in ["approved", "rejected", "selfish"] {
            #expect(spool.locations(of: id) == ["held"])
            #expect(!FileStatus.exists(spool.layout.resultFile(id)))
            #expect(try spool.events(for: id).last == "job.held")
        }

        try spool.dropApproval(job: "approved", supervisor: "sroe", approve: true, uid: TestSpool.supervisorUID)
        try spool.dropApproval(job: "rejected", supervisor: "sroe", approve: false, uid: TestSpool.supervisorUID)
        // Not the supervisor's account, and a supervisor approving their own request: both refused.
        try spool.dropApproval(job: "approved", supervisor: "sroe", approve: false, uid: TestSpool.analystUID)
        try spool.dropApproval(job: "selfish", supervisor: "sroe", approve: true, uid: TestSpool.supervisorUID)
        try spool.drain()

        #expect(try spool.result("approved").decision == .completed)
        #expect(try spool.events(for: "approved").contains("job.approved"))
        let rejected = try spool.result("rejected")
        #expect(rejected.decision == .denied)
        #expect(rejected.reasons.map(\.rawValue) == ["supervisor.rejected"])
        #expect(spool.locations(of: "selfish") == ["held"])
        let refusals = try spool.records().filter { $0.event.event == "job.approval-refused" }
        #expect(refusals.count == 2)
        #expect(refusals.contains { $0.event.reasons.contains("supervisor.self-approval") })
        #expect(refusals.contains { $0.event.reasons.contains("supervisor.not-authorized") })
        for id in ["approved", "rejected"] { #expect(try spool.finalRecords(for: id).count == 1) }
        #expect(try spool.entries(spool.layout.incoming).isEmpty)
    }

    @Test func imagesDroppedBesideTheJobAreTakenIntoEvidence() throws {
        let spool = try TestSpool()
        let id = "20260601T120000Z-000000000001"
        let folder = spool.layout.dropFolder(for: id)
        try Directory.create(folder, mode: 0o711)
        try TestSpool.giveTo(TestSpool.analystUID, folder)
        try DurableFile.write(Array("dropped face".utf8), to: folder + "/cam.jpg", via: folder, mode: 0o644)
        try TestSpool.giveTo(TestSpool.analystUID, folder + "/cam.jpg")
        // Someone else's file and a symlink in the folder are not taken.
        try DurableFile.write(Array("planted".utf8), to: folder + "/planted.jpg", via: folder, mode: 0o644)
        #expect(symlink("/etc/passwd", folder + "/passwd.jpg") == 0)
        try spool.drop(id, TestSpool.jobJSON(probes: ["\(id)/cam.jpg"]))
        try spool.drain()

        #expect(try spool.result(id).decision == .completed)
        #expect(try spool.result(id).probes.first?.sha256 == SHA256.hex(Array("dropped face".utf8)))
        let evidence = spool.layout.evidence(for: id)
        #expect(try Directory.entries(evidence) == [EvidenceStore.ownerMarker, "cam.jpg"])
        #expect(try FileStatus.of(evidence + "/cam.jpg").owner == getuid())
        #expect(!FileStatus.exists(folder))
    }
}
