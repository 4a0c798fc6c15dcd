@testable import Spool
import Administration
import Audit
import Foundation
import Glibc
import Hashing
import Policy
import Results
import Reviews
import Sheets
import Store
import SystemCalls
import SpoolTestSupport
import TestSupport
import Testing

/// Peer review of leads (issue #12): two examiners, disputes resolved by a supervisor, the blind
/// sheet, outcomes, probe provenance.
@Suite("Peer review of leads")
struct PeerReviewTests {
    static let secondUID: UInt32 = 1006
    static let thirdUID: UInt32 = 1007
    static let otherSupervisorUID: UInt32 = 1008

    /// ``ReviewTests/spoolWithCompletedJob()`` plus a second and third examiner, an examiner id
    /// under the first examiner's account, an examiner id under the requester's account, and a
    /// supervisor of another agency.
    static func spool() throws -> (TestSpool, JobResult, [String]) {
        let (spool, result) = try ReviewTests.spoolWithCompletedJob()
        let now = spool.now
        let admin = try SpoolAdministration(layout: spool.layout, uid: 0, clock: { now })
        for (id, agency, role, uid) in [
            ("fexam", "SCPD", "examiner", secondUID), ("gexam", "SCPD", "examiner", thirdUID),
            ("osup", "OTHER", "supervisor", otherSupervisorUID),
        ] {
            try admin.addUser(UserRecord(id: id, name: id, agency: agency, role: role, uid: uid,
                                         vetted: "2025-01-10", trained: "2026-01-15"))
        }
        // Two people on accounts already registered (eexam's, jdoe's): `user add` refuses that now (one
        // account, one person), but a registry from before the rule may hold them and peer review
        // must still tell one person from two by the uid. Put in the registry directly.
        let registry = Registry(database: try SpoolDatabase.open(spool.layout))
        for (id, uid) in [("eve2", ReviewTests.examinerUID), ("jdoe-x", TestSpool.analystUID)] {
            try registry.addUser(UserRecord(id: id, name: id, agency: "SCPD", role: "examiner", uid: uid,
                                            vetted: "2025-01-10", trained: "2026-01-15"), now: now)
        }
        return (spool, result, result.probes[0].faces[0].candidates.map(\.subject))
    }

    static func database(_ spool: TestSpool) throws -> Database { try SpoolDatabase.open(spool.layout) }

    static func review(_ spool: TestSpool, _ examiner: String, _ uid: UInt32, _ candidate: String,
                       _ disposition: ReviewRequest.Disposition, note: String? = nil, peerReview: Bool = true) throws -> AppliedRequest {
        let now = spool.now
        return try ReviewRecorder(results: spool.layout.resultFiles, database: try database(spool),
                                  audit: try AuditLog(directory: spool.layout.audit), policy: PolicyConfig.default.with(peerReview: peerReview),
                                  clock: { now })
            .apply(ReviewRequest(job: "job-1", examiner: examiner, face: 1, candidate: candidate,
                                 disposition: disposition, note: note), ownerUID: uid, request: nil)
    }

    static func resolve(_ spool: TestSpool, _ supervisor: String, _ uid: UInt32, _ candidate: String,
                        _ disposition: ReviewRequest.Disposition) throws -> AppliedRequest {
        let now = spool.now
        return try ResolutionRecorder(results: spool.layout.resultFiles, database: try database(spool),
                                      audit: try AuditLog(directory: spool.layout.audit), policy: .default, clock: { now })
            .apply(ResolutionRequest(job: "job-1", supervisor: supervisor, face: 1, candidate: candidate,
                                     disposition: disposition, note: "compared the ears and the scar"),
                   ownerUID: uid, request: nil)
    }

    static func lead(_ spool: TestSpool, _ candidate: String, peerReview: Bool = true) throws -> LeadState {
        let leads = try Leads(results: spool.layout.resultFiles, database: try database(spool), peerReview: peerReview)
        return try #require(try leads.leadStatus(job: "job-1").first { $0.face == 1 && $0.candidate == candidate })
    }

    static func reasons(_ applied: AppliedRequest) -> [ReasonCode] {
        if case .refused(let reasons, _) = applied { return reasons }
        return []
    }

    @Test func aPossibleMatchIsReleasedOnlyWhenASecondExaminerAgrees() throws {
        let (spool, _, candidates) = try Self.spool()
        #expect(try Self.lead(spool, candidates[0]).status == .pending)
        #expect(try Self.review(spool, "eexam", ReviewTests.examinerUID, candidates[0], .possibleMatch) == .recorded)
        #expect(try Self.lead(spool, candidates[0]).status == .pending)
        #expect(try spool.records().filter { $0.event.event.hasPrefix("lead.") }.isEmpty)
        #expect(try Self.review(spool, "fexam", Self.secondUID, candidates[0], .possibleMatch) == .recorded)
        let lead = try Self.lead(spool, candidates[0])
        #expect(lead.status == .released)
        #expect(lead.inForce.map(\.examiner) == ["eexam", "fexam"])
        #expect(lead.inForce.map(\.examinerUID) == [ReviewTests.examinerUID, Self.secondUID])
        let released = try spool.records().filter { $0.event.event == "lead.released" }
        #expect(released.count == 1)
        #expect(released.first?.event.details["examiners"] == "eexam,fexam")
        #expect(released.first?.event.details["candidate"] == candidates[0])
        // Every candidate of the face is listed, the others pending and unreviewed.
        let all = try Leads(results: spool.layout.resultFiles, database: try Self.database(spool), peerReview: true)
            .leadStatus(job: "job-1")
        #expect(all.map(\.candidate) == candidates)
        #expect(all.map(\.status) == [.released, .pending, .pending])
        #expect(AuditVerifier.verify(directory: spool.layout.audit).isIntact)
    }

    @Test func reviewsThatAgreeOnNoMatchRejectTheLead() throws {
        let (spool, _, candidates) = try Self.spool()
        #expect(try Self.review(spool, "eexam", ReviewTests.examinerUID, candidates[1], .noMatch) == .recorded)
        #expect(try Self.review(spool, "fexam", Self.secondUID, candidates[1], .noMatch) == .recorded)
        #expect(try Self.lead(spool, candidates[1]).status == .rejected)
        #expect(try spool.records().filter { $0.event.event == "lead.rejected" }.count == 1)
    }

    @Test func selfReviewAndASecondReviewByTheSamePersonAreRefused() throws {
        let (spool, _, candidates) = try Self.spool()
        // The requester's own account, under an examiner's id.
        #expect(Self.reasons(try Self.review(spool, "jdoe-x", TestSpool.analystUID, candidates[0], .possibleMatch))
                == [.reviewSelfReview])
        #expect(try Self.review(spool, "eexam", ReviewTests.examinerUID, candidates[0], .possibleMatch) == .recorded)
        // The same person under another user id.
        #expect(Self.reasons(try Self.review(spool, "eve2", ReviewTests.examinerUID, candidates[0], .possibleMatch))
                == [.reviewSameExaminer])
        #expect(try Self.lead(spool, candidates[0]).status == .pending)
        // The first examiner may revise their own review while the lead is pending.
        #expect(try Self.review(spool, "eexam", ReviewTests.examinerUID, candidates[0], .inconclusive) == .recorded)
        let lead = try Self.lead(spool, candidates[0])
        #expect(lead.status == .pending && lead.inForce.map(\.disposition) == [.inconclusive])
        // Every review is kept; the board marks the replaced one and withholds both while pending.
        let summary = LeadSummary(lead)
        #expect(summary.dispositions.map(\.superseded) == [true, nil])
        #expect(summary.dispositions.allSatisfy { $0.withheld == true && $0.disposition == nil && $0.note == nil })
        let refused = try spool.records().filter { $0.event.event == "review.refused" }
        #expect(refused.map(\.event.reasons) == [["review.self-review"], ["review.same-examiner"]])
        #expect(refused.map(\.event.actor) == ["jdoe-x", "eve2"])
    }

    @Test func aThirdExaminerCannotChangeASettledLead() throws {
        let (spool, _, candidates) = try Self.spool()
        _ = try Self.review(spool, "eexam", ReviewTests.examinerUID, candidates[0], .possibleMatch)
        _ = try Self.review(spool, "fexam", Self.secondUID, candidates[0], .possibleMatch)
        #expect(Self.reasons(try Self.review(spool, "gexam", Self.thirdUID, candidates[0], .noMatch)) == [.reviewLeadSettled])
        // Nor one of the two examiners.
        #expect(Self.reasons(try Self.review(spool, "fexam", Self.secondUID, candidates[0], .noMatch)) == [.reviewLeadSettled])
        #expect(try Self.lead(spool, candidates[0]).status == .released)
        #expect(try Self.lead(spool, candidates[0]).reviews.count == 2)
    }

    @Test func aDisputeIsResolvedByASupervisorOfTheRequestersAgencyOnly() throws {
        let (spool, _, candidates) = try Self.spool()
        // Not disputed yet.
        #expect(Self.reasons(try Self.resolve(spool, "sroe", TestSpool.supervisorUID, candidates[2], .possibleMatch))
                == [.reviewNotDisputed])
        _ = try Self.review(spool, "eexam", ReviewTests.examinerUID, candidates[2], .possibleMatch, note: "same scar")
        _ = try Self.review(spool, "fexam", Self.secondUID, candidates[2], .noMatch, note: "ears differ")
        #expect(try Self.lead(spool, candidates[2]).status == .disputed)
        #expect(try spool.records().filter { $0.event.event == "lead.disputed" }.count == 1)
        // A third examiner cannot break the tie.
        #expect(Self.reasons(try Self.review(spool, "gexam", Self.thirdUID, candidates[2], .noMatch)) == [.reviewLeadSettled])
        // A supervisor of another agency, an examiner, an impostor.
        #expect(Self.reasons(try Self.resolve(spool, "osup", Self.otherSupervisorUID, candidates[2], .noMatch))
                == [.reviewOtherAgency])
        #expect(Self.reasons(try Self.resolve(spool, "gexam", Self.thirdUID, candidates[2], .noMatch))
                == [.supervisorNotAuthorized])
        #expect(Self.reasons(try Self.resolve(spool, "sroe", Self.thirdUID, candidates[2], .noMatch))
                == [.requesterIdentityMismatch])
        #expect(try Self.lead(spool, candidates[2]).status == .disputed)
        #expect(try Self.resolve(spool, "sroe", TestSpool.supervisorUID, candidates[2], .noMatch) == .recorded)
        let lead = try Self.lead(spool, candidates[2])
        #expect(lead.status == .rejected)
        #expect(lead.resolution?.supervisor == "sroe")
        #expect(Self.reasons(try Self.resolve(spool, "sroe", TestSpool.supervisorUID, candidates[2], .possibleMatch))
                == [.reviewNotDisputed])
        let events = try spool.events(for: "job-1").filter { $0.hasPrefix("lead.") || $0.hasPrefix("resolution.") }
        #expect(events == ["resolution.refused", "lead.disputed", "resolution.refused", "resolution.refused", "resolution.refused",
                           "lead.resolved", "lead.rejected", "resolution.refused"])
        #expect(AuditVerifier.verify(directory: spool.layout.audit).isIntact)
    }

    @Test func aSupervisorWhoReviewedTheLeadCannotResolveIt() throws {
        let (spool, _, candidates) = try Self.spool()
        _ = try Self.review(spool, "sroe", TestSpool.supervisorUID, candidates[0], .possibleMatch)
        _ = try Self.review(spool, "fexam", Self.secondUID, candidates[0], .inconclusive)
        #expect(Self.reasons(try Self.resolve(spool, "sroe", TestSpool.supervisorUID, candidates[0], .possibleMatch))
                == [.reviewConflictOfInterest])
    }

    @Test func withoutPeerReviewTheLatestReviewDecides() throws {
        let (spool, _, candidates) = try Self.spool()
        #expect(try Self.review(spool, "jdoe-x", TestSpool.analystUID, candidates[0], .possibleMatch, peerReview: false) == .recorded)
        #expect(try Self.lead(spool, candidates[0], peerReview: false).status == .released)
        #expect(try Self.review(spool, "eexam", ReviewTests.examinerUID, candidates[0], .noMatch, peerReview: false) == .recorded)
        #expect(try Self.lead(spool, candidates[0], peerReview: false).status == .rejected)
    }

    /// Drops a request file owned by `uid`, as the command under that account would.
    static func drop(_ spool: TestSpool, _ request: some DropBoxRequest, uid: UInt32) throws {
        let name = try request.drop(via: spool.layout.tmp, into: spool.layout.incoming)
        let path = spool.layout.incoming + "/" + name
        try TestSpool.giveTo(uid, path)
    }

    static func sheet(_ spool: TestSpool) throws -> String {
        String(decoding: try DurableFile.read(spool.layout.sheetFile("job-1")), as: UTF8.self)
    }

    @Test(.enabled(if: Privileges.isRoot, "needs root: gives files to other uids"))
    func theSheetIsRenderedAfterEveryReviewAndHidesAPendingDisposition() throws {
        let (spool, _, candidates) = try Self.spool()
        #expect(try Self.sheet(spool).contains("not reviewed"))
        try Self.drop(spool, ReviewRequest(job: "job-1", examiner: "eexam", face: 1, candidate: candidates[0],
                                           disposition: .possibleMatch, note: "matching scar on the chin"),
                      uid: ReviewTests.examinerUID)
        try spool.drain()
        var sheet = try Self.sheet(spool)
        #expect(sheet.contains("pending: 1 review"))
        #expect(sheet.contains("its disposition is not shown until a second examiner"))
        #expect(!sheet.contains("matching scar"))
        #expect(!sheet.contains("<b>possible-match</b>"))
        try Self.drop(spool, ReviewRequest(job: "job-1", examiner: "fexam", face: 1, candidate: candidates[0],
                                           disposition: .noMatch, note: "different ear lobes"),
                      uid: Self.secondUID)
        try spool.drain()
        sheet = try Self.sheet(spool)
        #expect(sheet.contains("disputed"))
        #expect(sheet.contains("matching scar") && sheet.contains("different ear lobes"))
        #expect(sheet.contains("eexam: <b>possible-match</b>") && sheet.contains("fexam: <b>no-match</b>"))
        try Self.drop(spool, ResolutionRequest(job: "job-1", supervisor: "sroe", face: 1, candidate: candidates[0],
                                               disposition: .possibleMatch, note: "the scar decides"),
                      uid: TestSpool.supervisorUID)
        try spool.drain()
        try Self.drop(spool, OutcomeRequest(job: "job-1", recordedBy: "", face: 1, candidate: candidates[0], action: .interviewed,
                                            corroboration: nil), uid: TestSpool.analystUID)
        try spool.drain()
        sheet = try Self.sheet(spool)
        #expect(sheet.contains("released lead"))
        #expect(sheet.contains("Resolved by sroe"))
        #expect(sheet.contains("<b>interviewed</b> by jdoe"))
        #expect(try Self.lead(spool, candidates[0]).status == .released)
        #expect(try spool.records().filter { $0.event.event == "outcome.recorded" }.first?.event.details["lead_state"] == "released")
        #expect(try spool.entries(spool.layout.incoming).isEmpty)
    }

    @Test func outcomesNeedTheRequesterOrASupervisorAndArrestsNeedCorroboration() throws {
        let (spool, _, candidates) = try Self.spool()
        let now = spool.now
        let recorder = try OutcomeRecorder(results: spool.layout.resultFiles, database: try Self.database(spool),
                                           audit: try AuditLog(directory: spool.layout.audit), policy: .default, clock: { now })
        func outcome(_ by: String, _ uid: UInt32, _ action: OutcomeRequest.Action, _ corroboration: String? = nil) throws -> AppliedRequest {
            try recorder.apply(OutcomeRequest(job: "job-1", recordedBy: by, face: 1, candidate: candidates[0], action: action,
                                              corroboration: corroboration), ownerUID: uid, request: nil)
        }
        // A pending lead (one examiner said inconclusive) takes no outcome at all.
        #expect(try Self.review(spool, "eexam", ReviewTests.examinerUID, candidates[0], .possibleMatch) == .recorded)
        let corroborated = "Fingerprints on the till match; the clerk picked him from a photo array"
        #expect(Self.reasons(try outcome("jdoe", TestSpool.analystUID, .charged, corroborated)) == [.outcomeLeadNotReleased])
        #expect(Self.reasons(try outcome("jdoe", TestSpool.analystUID, .none)) == [.outcomeLeadNotReleased])
        #expect(try Self.review(spool, "fexam", Self.secondUID, candidates[0], .possibleMatch) == .recorded)
        #expect(Self.reasons(try outcome("jdoe", TestSpool.analystUID, .arrested)) == [.outcomeCorroborationRequired])
        #expect(Self.reasons(try outcome("jdoe", TestSpool.analystUID, .charged, "  short  ")) == [.outcomeCorroborationRequired])
        // Counted in visible characters: 40 zero-width spaces around a short word are not corroboration.
        let padded = "seen" + String(repeating: "\u{200B}", count: 40)
        #expect(Self.reasons(try outcome("jdoe", TestSpool.analystUID, .charged, padded)) == [.outcomeCorroborationRequired])
        #expect(Self.reasons(try outcome("eexam", ReviewTests.examinerUID, .interviewed)) == [.outcomeNotAuthorized])
        #expect(Self.reasons(try outcome("osup", Self.otherSupervisorUID, .none)) == [.reviewOtherAgency])
        #expect(Self.reasons(try outcome("jdoe", ReviewTests.examinerUID, .none)) == [.requesterIdentityMismatch])
        #expect(try outcome("jdoe", TestSpool.analystUID, .interviewed) == .recorded)
        #expect(try outcome("sroe", TestSpool.supervisorUID, .arrested, corroborated) == .recorded)
        let lead = try Self.lead(spool, candidates[0])
        #expect(lead.outcomes.map(\.action) == [.interviewed, .arrested])
        let recorded = try spool.records().filter { $0.event.event == "outcome.recorded" }
        #expect(recorded.map(\.event.outcome) == ["interviewed", "arrested"])
        #expect(recorded.last?.event.details["lead_state"] == "released")
        #expect(recorded.last?.event.details["corroboration"]?.hasPrefix("Fingerprints") == true)
        #expect(try spool.records().filter { $0.event.event == "outcome.refused" }.count == 8)
        // A disputed and a rejected lead take none either.
        _ = try Self.review(spool, "eexam", ReviewTests.examinerUID, candidates[1], .possibleMatch)
        _ = try Self.review(spool, "fexam", Self.secondUID, candidates[1], .noMatch)
        _ = try Self.review(spool, "eexam", ReviewTests.examinerUID, candidates[2], .noMatch)
        _ = try Self.review(spool, "fexam", Self.secondUID, candidates[2], .noMatch)
        for (candidate, state) in [(candidates[1], "disputed"), (candidates[2], "rejected")] {
            let applied = try recorder.apply(OutcomeRequest(job: "job-1", recordedBy: "jdoe", face: 1, candidate: candidate,
                                                            action: .interviewed, corroboration: nil),
                                             ownerUID: TestSpool.analystUID, request: nil)
            #expect(Self.reasons(applied) == [.outcomeLeadNotReleased])
            if case .refused(_, let message) = applied { #expect(message.contains(state)) }
        }
    }

    @Test func probeProvenanceIsInTheResultTheFinalRecordAndTheSheet() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("24-1", "cam.jpg", bytes: Array("probe".utf8))
        try spool.drop("edited", TestSpool.jobJSON(probes: [probe], extra: """
            , "probe_source": "surveillance-still", "probe_edits": [{"by": "Det. Ray", "edit": "cropped and brightened"}]
            """))
        try spool.drop("sketched", TestSpool.jobJSON(probes: [probe], extra: #", "probe_source": "sketch""#))
        try spool.drain()
        let result = try spool.result("edited")
        #expect(result.decision == .completed)
        #expect(result.probeSource == .surveillanceStill)
        #expect(result.probeEdits == [ProbeEdit(by: "Det. Ray", edit: "cropped and brightened")])
        let final = try #require(try spool.finalRecords(for: "edited").first)
        #expect(final.event.details["probe_source"] == "surveillance-still")
        #expect(final.event.details["probe_edits"] == "Det. Ray: cropped and brightened")
        let sheet = String(decoding: try DurableFile.read(spool.layout.sheetFile("edited")), as: UTF8.self)
        #expect(sheet.contains("Edited probe.") && sheet.contains("Det. Ray: cropped and brightened"))
        #expect(sheet.contains("surveillance-still"))
        let denied = try spool.result("sketched")
        #expect(denied.decision == .denied)
        #expect(denied.reasons == [.inputProbeSourceRefused])
        #expect(try spool.finalRecords(for: "sketched").first?.event.reasons == ["input.probe-source-refused"])
    }

    @Test func theDisclosurePacketHoldsEveryDispositionAndVerifiableAuditRecords() throws {
        let (spool, _, candidates) = try Self.spool()
        _ = try Self.review(spool, "eexam", ReviewTests.examinerUID, candidates[0], .possibleMatch, note: "same scar")
        _ = try Self.review(spool, "fexam", Self.secondUID, candidates[0], .possibleMatch)
        let jobFile = try DurableFile.read(spool.layout.jobFile("job-1", in: spool.layout.done))
        let packet = try DisclosurePacket(job: "job-1", results: spool.layout.resultFiles, database: try Self.database(spool),
                                          auditDirectory: spool.layout.audit, jobFile: jobFile, peerReview: true, now: spool.now)
        #expect(packet.request?.job.justification == "Suspect photographed by the store camera during the robbery")
        #expect(packet.request?.jobFileSHA256 == SHA256.hex(jobFile))
        #expect(packet.requester?.id == "jdoe")
        #expect(packet.leads.map(\.candidate) == candidates)
        #expect(packet.leads[0].state == "released" && packet.leads[0].reviews.map(\.note) == ["same scar", nil])
        #expect(packet.audit.records.map(\.event) == ["job.received", "job.claimed", "job.completed", "review.recorded",
                                                      "review.recorded", "lead.released"])
        #expect(packet.audit.chainIntact)
        #expect(packet.audit.head?.hash == packet.audit.records.last?.hash)
        // Each record's hash can be checked from the packet alone.
        for record in packet.audit.records {
            let suffix = ",\"hash\":\"\(record.hash)\"}"
            #expect(record.line.hasSuffix(suffix))
            let body = String(record.line.dropLast(suffix.count)) + "}"
            #expect(SHA256.hex(Array((record.prev + "\n" + body).utf8)) == record.hash, "record \(record.seq)")
        }
        let html = DisclosureSheet.render(packet)
        #expect(html.contains("same scar") && html.contains("lead.released") && !html.contains("<script"))
        #expect(throws: DisclosureError.self) {
            try DisclosurePacket(job: "no-such-job", results: spool.layout.resultFiles, database: try Self.database(spool),
                                 auditDirectory: spool.layout.audit, jobFile: nil, peerReview: true, now: spool.now)
        }
    }
}
