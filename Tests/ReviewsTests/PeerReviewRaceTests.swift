@testable import Spool
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

/// Peer review under concurrency and crashes: the lead's check and the review's insert are one
/// transaction, and a request applied again after a crash completes its audit records.
@Suite("Peer review: races and crashes")
struct PeerReviewRaceTests {
    @Test(.enabled(if: Privileges.isRoot, "needs root: gives files to other uids"))
    func threeExaminersAtOnceRecordExactlyTwoReviews() throws {
        let (spool, _, candidates) = try PeerReviewTests.spool()
        for (examiner, uid, disposition) in [("eexam", ReviewTests.examinerUID, ReviewRequest.Disposition.possibleMatch),
                                             ("fexam", PeerReviewTests.secondUID, .possibleMatch),
                                             ("gexam", PeerReviewTests.thirdUID, .noMatch)] {
            try PeerReviewTests.drop(spool, ReviewRequest(job: "job-1", examiner: examiner, face: 1, candidate: candidates[0],
                                                          disposition: disposition, note: nil), uid: uid)
        }
        try spool.drain(workers: 3)
        let lead = try PeerReviewTests.lead(spool, candidates[0])
        #expect(lead.reviews.count == 2)
        #expect(lead.status == .released || lead.status == .disputed)
        let records = try spool.records()
        #expect(records.filter { $0.event.event == "review.recorded" }.count == 2)
        #expect(records.filter { $0.event.event == "review.refused" }.map(\.event.reasons) == [["review.lead-settled"]])
        #expect(records.filter { $0.event.event.hasPrefix("lead.") }.count == 1)
        #expect(AuditVerifier.verify(directory: spool.layout.audit).isIntact)
    }

    @Test func aReviewRecordedBeforeACrashGetsItsAuditRecordsWhenAppliedAgain() throws {
        let (spool, _, candidates) = try PeerReviewTests.spool()
        #expect(try PeerReviewTests.review(spool, "eexam", ReviewTests.examinerUID, candidates[0], .possibleMatch) == .recorded)
        // The second review reached the database, then the daemon died before the audit log.
        let second = ReviewRequest(job: "job-1", examiner: "fexam", face: 1, candidate: candidates[0],
                                   disposition: .possibleMatch, note: nil)
        let database = try PeerReviewTests.database(spool)
        try ReviewLog(database: database).record(second, examinerUID: PeerReviewTests.secondUID, request: "job-1-r2.review",
                                                 now: spool.now)
        #expect(try spool.records().filter { $0.event.event == "lead.released" }.isEmpty)
        let now = spool.now
        let recorder = try ReviewRecorder(results: spool.layout.resultFiles, database: database,
                                          audit: try AuditLog(directory: spool.layout.audit), policy: .default, clock: { now })
        #expect(try recorder.apply(second, ownerUID: PeerReviewTests.secondUID, request: "job-1-r2.review") == .alreadyRecorded)
        #expect(try recorder.apply(second, ownerUID: PeerReviewTests.secondUID, request: "job-1-r2.review") == .alreadyRecorded)
        let records = try spool.records()
        #expect(records.filter { $0.event.event == "review.recorded" && $0.event.details["request"] == "job-1-r2.review" }.count == 1)
        #expect(records.filter { $0.event.event == "lead.released" }.map { $0.event.details["request"] } == ["job-1-r2.review"])
    }

    @Test(.enabled(if: Privileges.isRoot, "needs root: gives files to other uids"))
    func theSheetLockMadeByRootBelongsToTheStateDirectorysOwner() throws {
        let spool = try TestSpool()
        let lock = spool.layout.state + "/sheet.lock"
        try? DurableFile.remove(lock)
        let state = try FileStatus.of(spool.layout.state)
        try Accounts.changeOwner(spool.layout.state, uid: 1234, gid: 1234)
        defer { try? Accounts.changeOwner(spool.layout.state, uid: state.owner, gid: state.group) }
        _ = try JobViews.sheetLock(spool.layout)
        #expect(try FileStatus.of(lock).owner == (getuid() == 0 ? 1234 : getuid()))
    }
}
