@testable import Spool
import Administration
import Audit
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

@Suite("Examiner reviews")
struct ReviewTests {
    static let examinerUID: UInt32 = 1003
    static let auditorUID: UInt32 = 1004
    static let outsiderUID: UInt32 = 1005

    /// A spool with a completed job `job-1` (one face, three candidates) and an examiner, an
    /// auditor, and an examiner of another agency.
    /// Releases job-1's lead (face 1, `candidate`): eexam and a second examiner (uid 1016,
    /// registered here) record possible-match.
    static func releaseLead(_ spool: TestSpool, candidate: String) throws {
        let now = spool.now
        let database = try SpoolDatabase.open(spool.layout)
        if try Registry(database: database).user("rexam2") == nil {
            try SpoolAdministration(layout: spool.layout, uid: 0, clock: { now }).addUser(UserRecord(
                id: "rexam2", name: "rexam2", agency: "SCPD", role: "examiner", uid: 1016, vetted: "2025-01-10", trained: "2026-01-15"))
        }
        let reviews = try ReviewRecorder(results: spool.layout.resultFiles, database: database,
                                         audit: try AuditLog(directory: spool.layout.audit), policy: .default, clock: { now })
        for (examiner, uid) in [("eexam", examinerUID), ("rexam2", UInt32(1016))] {
            #expect(try reviews.apply(ReviewRequest(job: "job-1", examiner: examiner, face: 1, candidate: candidate,
                                                    disposition: .possibleMatch, note: nil), ownerUID: uid, request: nil) == .recorded)
        }
    }

    static func spoolWithCompletedJob() throws -> (TestSpool, JobResult) {
        let spool = try TestSpool()
        let now = spool.now
        let admin = try SpoolAdministration(layout: spool.layout, uid: 0, clock: { now })
        try admin.addAgency(code: "OTHER", name: "Other County Sheriff")
        try admin.addUser(UserRecord(id: "eexam", name: "Eve Examiner", agency: "SCPD", role: "examiner",
                                     uid: examinerUID, vetted: "2025-01-10", trained: "2026-01-15"))
        try admin.addUser(UserRecord(id: "aaud", name: "Ada Auditor", agency: "SCPD", role: "auditor",
                                     uid: auditorUID, vetted: "2025-01-10", trained: "2026-01-15"))
        try admin.addUser(UserRecord(id: "oexam", name: "Otto Examiner", agency: "OTHER", role: "examiner",
                                     uid: outsiderUID, vetted: "2025-01-10", trained: "2026-01-15"))
        let probe = try spool.addEvidence("24-012345", "cam1.jpg", bytes: Array("probe one".utf8))
        try spool.drop("job-1", TestSpool.jobJSON(probes: [probe]))
        try spool.drain()
        let result = try spool.result("job-1")
        try #require(result.decision == .completed)
        try #require(result.probes.first?.faces.first?.candidates.count == 3)
        return (spool, result)
    }

    /// Drops a review request owned by `uid`, as `frs review` under that account would.
    static func dropReview(_ spool: TestSpool, _ request: ReviewRequest, uid: UInt32) throws -> String {
        let name = try request.drop(via: spool.layout.tmp, into: spool.layout.incoming)
        let path = spool.layout.incoming + "/" + name
        try TestSpool.giveTo(uid, path)
        return name
    }

    static func reviews(_ spool: TestSpool, job: String = "job-1") throws -> [ReviewLog.Entry] {
        try ReviewLog(database: try SpoolDatabase.open(spool.layout)).reviews(job: job)
    }

    @Test(.enabled(if: Privileges.isRoot, "needs root: gives files to other uids"))
    func anExaminerReviewThroughTheDropBoxIsRecordedAndAudited() throws {
        let (spool, result) = try Self.spoolWithCompletedJob()
        let subject = result.probes[0].faces[0].candidates[1].subject
        let name = try Self.dropReview(spool, ReviewRequest(job: "job-1", examiner: "eexam", face: 1, candidate: subject,
                                                            disposition: .possibleMatch, note: "ear shape agrees"),
                                       uid: Self.examinerUID)
        #expect(try Self.reviews(spool).isEmpty)  // nothing until a daemon runs
        try spool.drain()
        let reviews = try Self.reviews(spool)
        #expect(reviews.count == 1)
        #expect(reviews.first?.disposition == .possibleMatch)
        #expect(reviews.first?.candidate == subject)
        #expect(reviews.first?.examiner == "eexam")
        #expect(reviews.first?.request == name)
        #expect(try spool.entries(spool.layout.done).contains(name))
        let recorded = try spool.records().filter { $0.event.event == "review.recorded" }
        #expect(recorded.count == 1)
        #expect(recorded.first?.event.details["disposition"] == "possible-match")
        #expect(recorded.first?.event.details["candidate"] == subject)
        #expect(recorded.first?.event.actor == "eexam")
        #expect(recorded.first?.event.job == "job-1")
        #expect(recorded.first?.event.caseNumber == "24-012345")
        // The audit report counts it.
        let report = try AuditReport.make(directory: spool.layout.audit)
        #expect(report.dispositions["possible-match"] == 1)
        #expect(AuditVerifier.verify(directory: spool.layout.audit).isIntact)
    }

    @Test(.enabled(if: Privileges.isRoot, "needs root: gives files to other uids"))
    func analystsAuditorsImpostorsAndOtherAgenciesAreRefusedAndAudited() throws {
        let (spool, result) = try Self.spoolWithCompletedJob()
        let subject = result.probes[0].faces[0].candidates[0].subject
        let cases: [(String, UInt32, String)] = [
            ("jdoe", TestSpool.analystUID, ReasonCode.requesterRole.rawValue),
            ("aaud", Self.auditorUID, ReasonCode.requesterRole.rawValue),
            ("eexam", TestSpool.analystUID, ReasonCode.requesterIdentityMismatch.rawValue),  // not the examiner's file
            ("nobody", Self.examinerUID, ReasonCode.requesterUnknown.rawValue),
            ("oexam", Self.outsiderUID, ReasonCode.reviewOtherAgency.rawValue),
        ]
        for (examiner, uid, _) in cases {
            _ = try Self.dropReview(spool, ReviewRequest(job: "job-1", examiner: examiner, face: 1, candidate: subject,
                                                         disposition: .noMatch, note: nil), uid: uid)
        }
        try spool.drain()
        #expect(try Self.reviews(spool).isEmpty)
        let refused = try spool.records().filter { $0.event.event == "review.refused" }
        #expect(refused.count == cases.count)
        for (_, _, reason) in cases {
            #expect(refused.contains { $0.event.reasons == [reason] }, "\(reason)")
        }
        #expect(try spool.records().filter { $0.event.event == "review.recorded" }.isEmpty)
        #expect(try spool.entries(spool.layout.incoming).filter { $0.hasSuffix(".review") }.isEmpty)
    }

    @Test func unknownJobsFacesAndCandidatesAreRefused() throws {
        let (spool, result) = try Self.spoolWithCompletedJob()
        let subject = result.probes[0].faces[0].candidates[0].subject
        let now = spool.now
        let recorder = try ReviewRecorder(results: spool.layout.resultFiles, database: try SpoolDatabase.open(spool.layout),
                                          audit: try AuditLog(directory: spool.layout.audit), policy: .default, clock: { now })
        func apply(_ job: String, _ face: Int, _ candidate: String) throws -> ReviewRecorder.Outcome {
            try recorder.apply(ReviewRequest(job: job, examiner: "eexam", face: face, candidate: candidate,
                                             disposition: .inconclusive, note: nil),
                               ownerUID: Self.examinerUID, request: nil)
        }
        #expect(try apply("no-such-job", 1, subject) == .refused(reasons: [.reviewUnknownJob],
                                                                  message: "job no-such-job has no completed result"))
        guard case .refused(let face, _) = try apply("job-1", 2, subject) else { Issue.record("face 2 accepted"); return }
        #expect(face == [.reviewUnknownFace])
        guard case .refused(let other, _) = try apply("job-1", 1, "S-NOT-LISTED") else { Issue.record("accepted"); return }
        #expect(other == [.reviewUnknownCandidate])
        #expect(try Self.reviews(spool).isEmpty)
        // Directly (an account that can write the database): recorded at once.
        #expect(try apply("job-1", 1, subject) == .recorded)
        #expect(try Self.reviews(spool).map(\.disposition) == [.inconclusive])
        #expect(try spool.records().filter { $0.event.event == "review.refused" }.count == 3)
    }

    @Test func aRequestAppliedTwiceIsRecordedOnceAndTheLatestDispositionWins() throws {
        let (spool, result) = try Self.spoolWithCompletedJob()
        let subject = result.probes[0].faces[0].candidates[0].subject
        let now = spool.now
        let recorder = try ReviewRecorder(results: spool.layout.resultFiles, database: try SpoolDatabase.open(spool.layout),
                                          audit: try AuditLog(directory: spool.layout.audit), policy: .default, clock: { now })
        let first = ReviewRequest(job: "job-1", examiner: "eexam", face: 1, candidate: subject, disposition: .inconclusive, note: nil)
        #expect(try recorder.apply(first, ownerUID: Self.examinerUID, request: "job-1-aa.review") == .recorded)
        // As after a crash before the request file was filed away.
        #expect(try recorder.apply(first, ownerUID: Self.examinerUID, request: "job-1-aa.review") == .alreadyRecorded)
        #expect(try spool.records().filter { $0.event.event == "review.recorded" }.count == 1)
        var second = first
        second.disposition = .noMatch
        #expect(try recorder.apply(second, ownerUID: Self.examinerUID, request: "job-1-bb.review") == .recorded)
        let log = try ReviewLog(database: try SpoolDatabase.open(spool.layout))
        #expect(try log.reviews(job: "job-1").count == 2)
        #expect(try log.latest(job: "job-1").map(\.disposition) == [.noMatch])
    }

    /// Replays: a request is judged on the file in hand and its owner, never on a name recorded before.
    @Test(.enabled(if: Privileges.isRoot, "needs root: gives files to other uids"))
    func aFileDroppedUnderARecordedRequestsNameByAnotherAccountIsJudgedAsNew() throws {
        let (spool, result) = try Self.spoolWithCompletedJob()
        let subject = result.probes[0].faces[0].candidates[0].subject
        let name = try Self.dropReview(spool, ReviewRequest(job: "job-1", examiner: "eexam", face: 1, candidate: subject,
                                                            disposition: .inconclusive, note: nil), uid: Self.examinerUID)
        try spool.drain()
        #expect(try Self.reviews(spool).count == 1)
        // Another account drops a file under the same name, in the examiner's name.
        let forged = ReviewRequest(job: "job-1", examiner: "eexam", face: 1, candidate: subject,
                                   disposition: .possibleMatch, note: "forged")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let path = spool.layout.incoming + "/" + name
        try Data(try encoder.encode(forged)).write(to: URL(fileURLWithPath: path))
        try TestSpool.giveTo(TestSpool.analystUID, path)
        try spool.drain()
        #expect(try Self.reviews(spool).map(\.disposition) == [.inconclusive])
        let records = try spool.records().filter { $0.event.details["request"] == name }
        #expect(records.filter { $0.event.event == "review.recorded" }.count == 1)
        let refused = records.filter { $0.event.event == "review.refused" }
        #expect(refused.map(\.event.reasons) == [[ReasonCode.requesterIdentityMismatch.rawValue]])
    }

    @Test func onlyTheSameFileIsAlreadyRecordedForReviewsAndOutcomes() throws {
        let (spool, result) = try Self.spoolWithCompletedJob()
        let subject = result.probes[0].faces[0].candidates[0].subject
        let now = spool.now
        let database = try SpoolDatabase.open(spool.layout)
        let audit = try AuditLog(directory: spool.layout.audit)
        let reviews = try ReviewRecorder(results: spool.layout.resultFiles, database: database, audit: audit, policy: .default, clock: { now })
        let first = ReviewRequest(job: "job-1", examiner: "eexam", face: 1, candidate: subject, disposition: .inconclusive, note: nil)
        #expect(try reviews.apply(first, ownerUID: Self.examinerUID, request: "job-1-aa.review") == .recorded)
        #expect(try reviews.apply(first, ownerUID: Self.examinerUID, request: "job-1-aa.review") == .alreadyRecorded)
        guard case .refused(let reasons, _) = try reviews.apply(first, ownerUID: TestSpool.analystUID, request: "job-1-aa.review")
        else { Issue.record("another account's file under a recorded name was taken as recorded"); return }
        #expect(reasons == [.requesterIdentityMismatch])  // eexam's review in a file of jdoe's
        var changed = first
        changed.disposition = .noMatch
        #expect(try reviews.apply(changed, ownerUID: Self.examinerUID, request: "job-1-aa.review") == .recorded)
        #expect(try ReviewLog(database: database).latest(job: "job-1").map(\.disposition) == [.noMatch])
        #expect(try ReviewLog(database: database).reviews(job: "job-1").map(\.request) == ["job-1-aa.review", "job-1-aa.review"])

        let outcomes = try OutcomeRecorder(results: spool.layout.resultFiles, database: database, audit: audit, policy: .default, clock: { now })
        // An outcome needs a released lead: another candidate, released by two examiners.
        let released = result.probes[0].faces[0].candidates[1].subject
        try Self.releaseLead(spool, candidate: released)
        let outcome = OutcomeRequest(job: "job-1", recordedBy: "jdoe", face: 1, candidate: released, action: .interviewed,
                                     corroboration: nil)
        #expect(try outcomes.apply(outcome, ownerUID: TestSpool.analystUID, request: "job-1-o.outcome") == .recorded)
        #expect(try outcomes.apply(outcome, ownerUID: TestSpool.analystUID, request: "job-1-o.outcome") == .alreadyRecorded)
        guard case .refused(let outcomeReasons, _) = try outcomes.apply(outcome, ownerUID: Self.examinerUID,
                                                                        request: "job-1-o.outcome")
        else { Issue.record("another account's outcome under a recorded name was taken as recorded"); return }
        #expect(outcomeReasons == [.requesterIdentityMismatch])
        #expect(try LeadLog(database: database).outcomes(job: "job-1").count == 1)
    }
}
