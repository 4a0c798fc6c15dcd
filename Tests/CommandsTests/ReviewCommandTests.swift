@testable import Commands
import Basics
import Foundation
import Glibc
import Results
import Reviews
import Spool
import Store
import SystemCalls
import TestSupport
import Testing

@Suite("frs review and frs purge")
struct ReviewCommandTests {
    let tests = SpoolCommandTests()

    @Test func parsesReviewAndPurgeAsValues() throws {
        let review = try #require(try tests.parse([
            "review", "job-1", "--examiner", "eexam", "--face", "2", "--candidate", "S-10442",
            "--disposition", "no-match", "--note", "different ear shape",
        ]) as? ReviewCommand)
        #expect(review.request == ReviewRequest(job: "job-1", examiner: "eexam", face: 2, candidate: "S-10442",
                                                disposition: .noMatch, note: "different ear shape"))
        let base = ["review", "job-1", "--examiner", "e", "--candidate", "S"]
        #expect(throws: UsageError.self) { try tests.parse(base + ["--face", "1", "--disposition", "match"]) }
        #expect(throws: UsageError.self) { try tests.parse(base + ["--face", "0", "--disposition", "no-match"]) }
        #expect(throws: UsageError.self) { try tests.parse(base + ["--disposition", "no-match"]) }
        #expect(throws: UsageError.self) { try tests.parse(["review", "../x", "--examiner", "e", "--candidate", "S",
                                                            "--face", "1", "--disposition", "no-match"]) }
        let purge = try #require(try tests.parse(["purge", "--older-than", "30"]) as? PurgeCommand)
        #expect(purge.olderThanDays == 30)
        #expect(try #require(try tests.parse(["purge"]) as? PurgeCommand).olderThanDays == nil)
        #expect(throws: UsageError.self) { try tests.parse(["purge", "--older-than", "-1"]) }
    }

    /// A completed job with two candidates, an examiner under uid 1003 and one under this account.
    func spoolWithCompletedJob(_ dir: String) throws -> (SpoolLayout, String, JobResult) {
        let uid = "\(getuid())"
        #expect(chmod(dir, 0o755) == 0)
        #expect(try tests.frs(["init"], in: dir).status == 0)
        #expect(try tests.frs(["agency", "add", "SCPD", "--name", "PD"], in: dir).status == 0)
        for (id, role, owner) in [("jdoe", "analyst", uid), ("eexam", "examiner", "1003")] {
            #expect(try tests.frs(["user", "add", id, "--name", id, "--agency", "SCPD", "--role", role, "--uid", owner,
                                   "--vetted", "2025-01-01", "--trained", "2026-01-01"], in: dir).status == 0)
        }
        // One account, one person: `frs user add` refuses rexam on jdoe's account. A registry from before
        // that rule may still hold such a pair, and the review rules must hold against it: put in directly.
        let second = try tests.frs(["user", "add", "rexam", "--name", "rexam", "--agency", "SCPD", "--role", "examiner",
                                    "--uid", uid, "--vetted", "2025-01-01", "--trained", "2026-01-01"], in: dir)
        #expect(second.status == 1 && second.error.contains("one account belongs to one person"), "\(second.error)")
        try registerDirectly(UserRecord(id: "rexam", name: "rexam", agency: "SCPD", role: "examiner", uid: getuid(),
                                        vetted: "2025-01-01", trained: "2026-01-01"), spool: dir + "/spool")
        _ = FileManager.default.createFile(atPath: dir + "/cam1.jpg", contents: Data([0xFF, 0xD8, 0xFF, 0xE0] + Array("probe bytes".utf8)))
        let submit = try tests.frs(["submit", "--requester", "jdoe", "--purpose", "active-investigation", "--case", "24-1",
                                    "--offense", "armed robbery", "--justification", "Suspect seen on the store camera",
                                    "cam1.jpg"], in: dir)
        let id = submit.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let layout = SpoolLayout(root: dir + "/spool")
        try drain(layout)
        let result = try JobResult.decode(try DurableFile.read(layout.resultFile(id)))
        #expect(result.decision == .completed, "\(result.reasons)")
        #expect(FileStatus.exists(layout.sheetFile(id)))
        return (layout, id, result)
    }

    func drain(_ layout: SpoolLayout) throws {
        let daemon = SpoolDaemon(layout: layout, searcher: StubSearcher(), configuration: .init(workers: 1, once: true),
                                 logger: Logger(level: .error, sink: MemorySink()))
        _ = try daemon.run()
    }

    @Test(.enabled(if: Privileges.canSwitchUser && FRSBinary.isBuilt, "needs root: runs frs as other accounts"))
    func reviewFromTheExaminersAccountGoesThroughTheDropBoxAndShowsInStatus() throws {
        let dir = try tests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (layout, id, result) = try spoolWithCompletedJob(dir)
        let subject = try #require(result.probes.first?.faces.first?.candidates.last?.subject)

        let queued = try tests.frs(["setpriv", "--reuid=1003", "--regid=1003", "--clear-groups", FRSBinary.path,
                                    "review", id, "--examiner", "eexam", "--face", "1", "--candidate", subject,
                                    "--disposition", "possible-match"], in: dir, direct: true)
        #expect(queued.status == 0, "\(queued.error)")
        #expect(queued.output.contains("the daemon's answer will appear in `frs status` (\(layout.answers.file(request: "", uid: 1003).dropLast(6))"),
                "\(queued.output)")
        #expect(!(try tests.frs(["status", id], in: dir).output.contains("review:")))
        try drain(layout)
        // This account is registered as an examiner (rexam): a pending lead's disposition is withheld from it.
        let status = try tests.frs(["status", id], in: dir).output
        #expect(status.contains("lead: face 1 candidate \(subject): pending"), "\(status)")
        #expect(status.contains("review: face 1 candidate \(subject): (withheld until a second review) by eexam"), "\(status)")

        // Directly from this account (it can write the database): eexam is not this account's.
        let impostor = try tests.frs(["review", id, "--examiner", "eexam", "--face", "1", "--candidate", subject,
                                      "--disposition", "no-match"], in: dir)
        #expect(impostor.status == 1)
        #expect(impostor.error.contains("requester.identity-mismatch"))
        // rexam shares this account with jdoe, the requester: peer review refuses a self-review.
        let direct = try tests.frs(["review", id, "--examiner", "rexam", "--face", "1", "--candidate", subject,
                                    "--disposition", "no-match", "--note", "second opinion"], in: dir)
        // rexam is registered to this account, which requested the job: one person under a second
        // user id may not review their own job (issue #11 item 7).
        #expect(direct.status == 1, "\(direct.error)")
        #expect(direct.error.contains("review.self-review"), "\(direct.error)")
        #expect(try tests.frs(["review", id, "--examiner", "jdoe", "--face", "1", "--candidate", subject,
                               "--disposition", "no-match"], in: dir).error.contains("requester.role"))
        #expect(try tests.frs(["audit", "verify"], in: dir).status == 0)
        #expect(try tests.frs(["audit", "report"], in: dir).output.contains("possible-match"))
    }

    @Test(.enabled(if: Privileges.canSwitchUser && FRSBinary.isBuilt, "needs root: runs frs as other accounts"))
    func purgeIsForAdministratorsAndKeepsTheAuditLog() throws {
        let dir = try tests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (layout, id, _) = try spoolWithCompletedJob(dir)
        let refused = try tests.frs(["setpriv", "--reuid=1003", "--regid=1003", "--clear-groups", FRSBinary.path,
                                     "purge", "--older-than", "0"], in: dir, direct: true)
        #expect(refused.status == 1)
        #expect(FileStatus.exists(layout.resultFile(id)))
        let auditFiles = try Directory.entries(layout.audit).filter { $0.hasSuffix(".jsonl") }
        // Retention of one year (the default): nothing this new goes.
        #expect(try tests.frs(["purge"], in: dir).output.contains("purged 0 jobs"))
        let purge = try tests.frs(["purge", "--older-than", "0"], in: dir)
        #expect(purge.status == 0, "\(purge.error)")
        #expect(purge.output.contains("purged 1 job:"))
        #expect(!FileStatus.exists(layout.resultFile(id)) && !FileStatus.exists(layout.sheetFile(id)))
        #expect(!FileStatus.exists(layout.evidence(for: id)))
        #expect(try Directory.entries(layout.audit).filter { $0.hasSuffix(".jsonl") } == auditFiles)
        #expect(try tests.frs(["audit", "verify"], in: dir).status == 0)
    }
}

/// Registers a person straight into a spool's registry, past `frs user add`'s rules: how a test
/// builds a registry from before a rule (two user ids on one account).
func registerDirectly(_ user: UserRecord, spool: String) throws {
    try Registry(database: try SpoolDatabase.open(SpoolLayout(root: spool))).addUser(user, now: Date())
}
