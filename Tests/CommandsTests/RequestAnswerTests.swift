@testable import Commands
import Basics
import Foundation
import Glibc
import Results
import Reviews
import Spool
import SystemCalls
import TestSupport
import Testing

/// Issue #20: every request gets an answer its author can read — checked at once where the
/// author can see enough, answered by the daemon otherwise — each person on their own uid (setpriv).
@Suite("Answers to requests, on distinct uids")
struct RequestAnswerTests {
    let tests = SpoolCommandTests()
    static let agencyGroup: UInt32 = 4100
    static let otherGroup: UInt32 = 4200
    /// uid → (user id, role, agency group)
    static let people: [UInt32: (String, String, UInt32)] = [
        1000: ("jdoe", "analyst", agencyGroup), 1003: ("eexam", "examiner", agencyGroup),
        1006: ("fexam", "examiner", agencyGroup), 1001: ("sroe", "supervisor", agencyGroup),
        1008: ("bsup", "supervisor", otherGroup),
    ]

    /// `frs ARGS` as `uid`, a member of its agency's group only.
    func run(_ uid: UInt32, _ arguments: [String], in dir: String) throws -> Program.Run {
        let group = Self.people[uid]?.2 ?? uid
        return try tests.frs(["setpriv", "--reuid=\(uid)", "--regid=\(group)", "--groups=\(group)", "--",
                              FRSBinary.path] + arguments, in: dir, direct: true)
    }

    func drain(_ layout: SpoolLayout) throws {
        _ = try SpoolDaemon(layout: layout, searcher: StubSearcher(), configuration: .init(workers: 1, once: true),
                            logger: Logger(level: .error, sink: MemorySink())).run()
    }

    /// Agencies SCPD (group 4100) and OTHER (4200), the people above, and a completed job of jdoe.
    func spool(_ dir: String) throws -> (SpoolLayout, String, String) {
        #expect(chmod(dir, 0o755) == 0)
        #expect(try tests.frs(["init"], in: dir).status == 0)
        #expect(try tests.frs(["agency", "add", "SCPD", "--name", "PD", "--group", "\(Self.agencyGroup)"], in: dir).status == 0)
        #expect(try tests.frs(["agency", "add", "OTHER", "--name", "Other", "--group", "\(Self.otherGroup)"], in: dir).status == 0)
        for (uid, (id, role, group)) in Self.people.sorted(by: { $0.key < $1.key }) {
            let added = try tests.frs(["user", "add", id, "--name", id, "--agency", group == Self.agencyGroup ? "SCPD" : "OTHER",
                                       "--role", role, "--uid", "\(uid)", "--vetted", "2025-01-01", "--trained", "2026-01-01"], in: dir)
            #expect(added.status == 0, "\(added.error)")
        }
        let (layout, id, result) = try SpoolCommandTests.submitJDoesJob(in: dir, run: { try run(1000, $0, in: dir) }, drain: drain)
        return (layout, id, try #require(result.probes.first?.faces.first?.candidates.first?.subject))
    }

    /// Drops `request` as `uid` had (the daemon judges the file's owner), bypassing the command's checks.
    func handDrop(_ layout: SpoolLayout, _ request: some DropBoxRequest, uid: UInt32) throws -> String {
        let name = try request.drop(via: layout.tmp, into: layout.incoming)
        #expect(chown(layout.incoming + "/" + name, uid, Self.people[uid]?.2 ?? uid) == 0)
        return name
    }

    func queued(_ layout: SpoolLayout) throws -> [String] {
        try Directory.entries(layout.incoming).filter { !$0.hasPrefix(".") && !$0.hasSuffix(".d") }
    }

    @Test(.enabled(if: Privileges.canSwitchUser && FRSBinary.isBuilt, "needs root: runs frs as other accounts"))
    func whatTheAuthorCanSeeIsRefusedAtOnceTheRestIsAnsweredByTheDaemon() throws {
        let dir = try tests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (layout, id, subject) = try spool(dir)
        let lead = ["--face", "1", "--candidate", subject]

        // Refused at once, nothing queued: another examiner's id, another agency's job, an unknown
        // face, an outcome on a pending lead, a resolution of an undisputed lead, an approval of a job not held.
        let refusals: [(UInt32, [String], String)] = [
            (1003, ["review", id, "--examiner", "fexam", "--disposition", "possible-match"] + lead, "requester.identity-mismatch"),
            (1008, ["review", id, "--examiner", "bsup", "--disposition", "possible-match"] + lead, "review.other-agency"),
            (1003, ["review", id, "--examiner", "eexam", "--disposition", "possible-match", "--face", "9",
                    "--candidate", subject], "review.unknown-face"),
            (1000, ["review", id, "--examiner", "jdoe", "--disposition", "possible-match"] + lead, "requester.role"),
            (1000, ["outcome", id, "--action", "interviewed"] + lead, "outcome.lead-not-released"),
            (1001, ["resolve", id, "--supervisor", "sroe", "--disposition", "no-match", "--note", "ears"] + lead, "review.not-disputed"),
            (1001, ["approve", id, "--supervisor", "sroe"], "supervisor.job-not-held"),
            (1008, ["reject", id, "--supervisor", "bsup", "--note", "no"], "supervisor.job-not-held"),
        ]
        for (uid, arguments, code) in refusals {
            let refused = try run(uid, arguments, in: dir)
            #expect(refused.status == 1 && refused.error.contains("refused (\(code))"), "\(arguments): \(refused.error)")
        }
        #expect(try queued(layout).isEmpty)

        // Accepted with --wait while a daemon runs: the answer is printed, exit 0.
        let stop = ManagedAtomicFlag()
        let daemon = Thread { while !stop.isSet { try? drain(layout); usleep(100_000) } }
        daemon.start()
        let review = try run(1003, ["review", id, "--examiner", "eexam", "--disposition", "possible-match", "--wait", "120"] + lead,
                             in: dir)
        #expect(review.status == 0, "\(review.error)")
        #expect(review.output.contains("outbox/answers/1003/") && review.output.contains("accepted: review recorded"),
                "\(review.output)")
        // fexam disagrees: the lead is disputed; an outcome on it is refused at once, by what the board shows.
        let second = try run(1006, ["review", id, "--examiner", "fexam", "--disposition", "no-match", "--wait", "120"] + lead, in: dir)
        #expect(second.status == 0, "\(second.error)")
        stop.set()
        while !daemon.isFinished { usleep(50_000) }
        let disputed = try run(1000, ["outcome", id, "--action", "none"] + lead, in: dir)
        #expect(disputed.status == 1 && disputed.error.contains("outcome.lead-not-released")
                && disputed.error.contains("disputed"), "\(disputed.error)")

        // Refused by the daemon (dropped by hand, past the command's checks): each answer reaches its
        // author's `frs status`, and no one else's.
        let dropped: [(UInt32, String, String)] = [
            (1003, try handDrop(layout, ReviewRequest(job: id, examiner: "fexam", face: 1, candidate: subject,
                                                      disposition: .noMatch, note: nil), uid: 1003), "requester.identity-mismatch"),
            (1008, try handDrop(layout, ApprovalRequest(job: id, supervisor: "bsup", decision: .approve, note: nil), uid: 1008),
             "supervisor.job-not-held"),
            (1008, try handDrop(layout, ResolutionRequest(job: id, supervisor: "bsup", face: 1, candidate: subject,
                                                          disposition: .noMatch, note: "x"), uid: 1008), "review.other-agency"),
            (1000, try handDrop(layout, OutcomeRequest(job: id, recordedBy: "jdoe", face: 1, candidate: subject,
                                                       action: .charged, corroboration: "Fingerprints on the till, a photo array"),
                                uid: 1000), "outcome.lead-not-released"),
        ]
        // Waiting with no daemon: a clear line, exit 3 (a review of the disputed lead is refused at once: settled).
        let settled = try run(1003, ["review", id, "--examiner", "eexam", "--disposition", "no-match"] + lead, in: dir)
        #expect(settled.status == 1 && settled.error.contains("review.lead-settled"), "\(settled.error)")
        let waited = try run(1001, ["resolve", id, "--supervisor", "sroe", "--disposition", "no-match", "--note", "ears differ",
                                    "--wait", "0.3"] + lead, in: dir)
        #expect(waited.status == 3 && waited.error.contains("no answer from a daemon within 0.3 s"), "\(waited.error)")
        try drain(layout)
        for (uid, name, code) in dropped {
            let status = try run(uid, ["status"], in: dir)
            #expect(status.status == 0, "\(status.error)")
            #expect(status.output.contains(name) && status.output.contains("refused (\(code))"), "\(uid): \(status.output)")
            let about = try run(uid, ["status", id], in: dir)
            #expect(about.output.contains(name) && about.output.contains("refused (\(code))"), "\(uid): \(about.output)")
            // Nobody else reads it: not listed, and the file itself is closed to them.
            let other: UInt32 = uid == 1006 ? 1003 : 1006
            #expect(!(try run(other, ["status"], in: dir)).output.contains(name))
            let peek = try tests.frs(["setpriv", "--reuid=\(other)", "--regid=\(other)", "--clear-groups", "--", "/bin/cat",
                                      layout.answers.file(request: name, uid: uid)], in: dir, direct: true)
            #expect(peek.status != 0 && peek.output.isEmpty)
        }
        let eexam = try run(1003, ["status"], in: dir).output
        #expect(eexam.contains("accepted: review recorded on job \(id)"), "\(eexam)")
    }
}

extension RequestAnswerTests {
    /// A daemon draining the spool on its own thread until stopped.
    func withDaemon<T>(_ layout: SpoolLayout, _ body: () throws -> T) rethrows -> T {
        let stop = ManagedAtomicFlag()
        let daemon = Thread { while !stop.isSet { try? drain(layout); usleep(100_000) } }
        daemon.start()
        defer {
            stop.set()
            while !daemon.isFinished { usleep(50_000) }
        }
        return try body()
    }

    func submitHeld(_ dir: String, case number: String) throws -> String {
        let submit = try run(1000, ["submit", "--requester", "jdoe", "--purpose", "active-investigation", "--case", number,
                                    "--offense", "assault at the protest",
                                    "--justification", "Suspect filmed striking an officer at the protest", "cam1.jpg"], in: dir)
        #expect(submit.status == 0, "\(submit.error)")
        return submit.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.enabled(if: Privileges.canSwitchUser && FRSBinary.isBuilt, "needs root: runs frs as other accounts"))
    func supervisorsDecideWithTheFactsAndTheRequesterReadsTheDecisionAndTheNote() throws {
        let dir = try tests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (layout, _, _) = try spool(dir)
        let rejected = try submitHeld(dir, case: "24-7")
        let approved = try submitHeld(dir, case: "24-8")
        try drain(layout)

        // The supervisor's view of a held job: requester, case, offense, purpose, justification, terms, probes.
        let facts = try run(1001, ["status", rejected], in: dir)
        #expect(facts.status == 0, "\(facts.error)")
        for line in ["requester: jdoe (uid 1000", "purpose: active-investigation, case 24-7", "offense: assault at the protest",
                     "justification: Suspect filmed striking an officer at the protest", "watch terms matched: protest",
                     "probes: 1", "state: held"] {
            #expect(facts.output.contains(line), "\(line): \(facts.output)")
        }
        #expect(try run(1001, ["status"], in: dir).output.contains("\(rejected)  held"))
        // Another agency's supervisor is refused at once; the requester may not approve their own.
        let foreign = try run(1008, ["approve", rejected, "--supervisor", "bsup"], in: dir)
        #expect(foreign.status == 1 && foreign.error.contains("supervisor.job-not-held"), "\(foreign.error)")

        try withDaemon(layout) {
            let reject = try run(1001, ["reject", rejected, "--supervisor", "sroe", "--note", "Call me first about this case",
                                        "--wait", "120"], in: dir)
            #expect(reject.status == 0 && reject.output.contains("accepted: job \(rejected) rejected"), "\(reject.output)")
            let approve = try run(1001, ["approve", approved, "--supervisor", "sroe", "--note", "the assault, not the protest",
                                         "--wait", "120"], in: dir)
            #expect(approve.status == 0 && approve.output.contains("accepted: job \(approved) approved"), "\(approve.output)")
            // Run the released jobs before stopping.
            for _ in 0..<600 where !FileStatus.exists(layout.resultFile(approved)) || !FileStatus.exists(layout.resultFile(rejected)) {
                usleep(100_000)
            }
        }
        try drain(layout)
        // The note reaches the requester's status, and the result says who decided and why.
        let mine = try run(1000, ["status", rejected], in: dir).output
        #expect(mine.contains("held (watch terms: protest); rejected by sroe: Call me first about this case"), "\(mine)")
        #expect(mine.contains("decision: denied") && mine.contains("supervisor.rejected"), "\(mine)")
        #expect(!mine.contains("justification:"))
        #expect(try run(1000, ["status"], in: dir).output.contains("(rejected by sroe)"))
        let denied = try JobResult.decode(try DurableFile.read(layout.resultFile(rejected)))
        #expect(denied.approval == SupervisorApproval(decision: "rejected", approver: "sroe",
                                                      note: "Call me first about this case", watchTerms: ["protest"]))
        let ran = try JobResult.decode(try DurableFile.read(layout.resultFile(approved)))
        #expect(ran.decision == .completed)
        #expect(ran.approval == SupervisorApproval(decision: "approved", approver: "sroe", note: "the assault, not the protest",
                                                   watchTerms: ["protest"]))
        let sheet = String(decoding: try DurableFile.read(layout.sheetFile(approved)), as: UTF8.self)
        #expect(sheet.contains("Held for a supervisor.") && sheet.contains("approved by sroe: the assault, not the protest"))
        let theirs = try run(1000, ["status", approved], in: dir).output
        #expect(theirs.contains("approved by sroe: the assault, not the protest") && theirs.contains("decision: completed"))
    }
}

extension RequestAnswerTests {
    @Test(.enabled(if: Privileges.canSwitchUser && FRSBinary.isBuilt, "needs root: runs frs as other accounts"))
    func workQueuesListWhatWaitsForEachPerson() throws {
        let dir = try tests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (layout, id, subject) = try spool(dir)
        func queue(_ uid: UInt32) throws -> String {
            let run = try run(uid, ["status", "--queue"], in: dir)
            #expect(run.status == 0, "\(run.error)")
            return run.output
        }
        let lead = "face 1 candidate \(subject)"
        // The stub search gives face 1 two candidates.
        #expect(try queue(1003).contains("\(id)  2 leads to review: \(lead); "))
        #expect(try queue(1006).contains("\(id)  2 leads to review"))
        #expect(try queue(1000).contains("nothing waits for this account"))
        #expect(try queue(1008).contains("nothing waits for you"))  // another agency's supervisor

        // eexam reviews: off her queue, still on fexam's (the second review).
        _ = try handDrop(layout, ReviewRequest(job: id, examiner: "eexam", face: 1, candidate: subject,
                                               disposition: .possibleMatch, note: nil), uid: 1003)
        try drain(layout)
        let after = try queue(1003)
        #expect(after.contains("\(id)  1 lead to review: ") && !after.contains(lead), "\(after)")
        #expect(try queue(1006).contains("\(id)  2 leads to review: \(lead); "))
        // fexam disagrees: disputed, for the supervisor; off both examiners' queues.
        _ = try handDrop(layout, ReviewRequest(job: id, examiner: "fexam", face: 1, candidate: subject,
                                               disposition: .noMatch, note: nil), uid: 1006)
        let held = try submitHeld(dir, case: "24-9")
        try drain(layout)
        let second = try queue(1006)
        #expect(second.contains("\(id)  1 lead to review: ") && !second.contains(lead), "\(second)")
        let supervisor = try queue(1001)
        #expect(supervisor.contains("\(id)  \(lead): disputed, to resolve"), "\(supervisor)")
        #expect(supervisor.contains("\(held)  held: approve or reject") && supervisor.contains("watch terms: protest"), "\(supervisor)")
        #expect(!(try queue(1008)).contains(held))
    }
}

extension RequestAnswerTests {
    /// An agency without a Unix group: its board is the daemon's alone, so a supervisor's approval
    /// cannot be checked from their account and goes to the daemon, which decides.
    @Test(.enabled(if: Privileges.canSwitchUser && FRSBinary.isBuilt, "needs root: runs frs as other accounts"))
    func anApprovalForAnAgencyWithoutAGroupIsLeftToTheDaemon() throws {
        let dir = try tests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(chmod(dir, 0o755) == 0)
        #expect(try tests.frs(["init"], in: dir).status == 0)
        #expect(try tests.frs(["agency", "add", "SCPD", "--name", "PD"], in: dir).status == 0)
        for (id, role, uid) in [("jdoe", "analyst", 1000), ("sroe", "supervisor", 1001)] {
            #expect(try tests.frs(["user", "add", id, "--name", id, "--agency", "SCPD", "--role", role, "--uid", "\(uid)",
                                   "--vetted", "2025-01-01", "--trained", "2026-01-01"], in: dir).status == 0)
        }
        let layout = SpoolLayout(root: dir + "/spool")
        _ = FileManager.default.createFile(atPath: dir + "/cam1.jpg", contents: Data([0xFF, 0xD8, 0xFF, 0xE0] + Array("probe".utf8)),
                                           attributes: [.posixPermissions: 0o644])
        let held = try submitHeld(dir, case: "24-3")
        try drain(layout)
        let approve = try tests.frs(["setpriv", "--reuid=1001", "--regid=1001", "--clear-groups", "--", FRSBinary.path,
                                     "approve", held, "--supervisor", "sroe", "--note", "ok"], in: dir, direct: true)
        #expect(approve.status == 0 && approve.output.contains("queued as"), "\(approve.error)")
        try drain(layout)
        #expect(try JobResult.decode(try DurableFile.read(layout.resultFile(held))).approval?.approver == "sroe")
    }
}

/// A flag one thread sets and another reads.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

extension SpoolCommandTests {
    /// jdoe's job (uid 1000) of a stand-in JPEG `cam1.jpg`, submitted with `run`, drained with
    /// `drain`; its result must be completed.
    static func submitJDoesJob(in dir: String, extra: [String] = [], run: ([String]) throws -> Program.Run,
                               drain: (SpoolLayout) throws -> Void) throws -> (SpoolLayout, String, JobResult) {
        _ = FileManager.default.createFile(atPath: dir + "/cam1.jpg", contents: Data([0xFF, 0xD8, 0xFF, 0xE0] + Array("probe bytes".utf8)),
                                           attributes: [.posixPermissions: 0o644])
        let submit = try run(["submit", "--requester", "jdoe", "--purpose", "active-investigation", "--case", "24-1",
                              "--offense", "armed robbery", "--justification", "Suspect seen on the store camera"]
                             + extra + ["cam1.jpg"])
        #expect(submit.status == 0, "\(submit.error)")
        let id = submit.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let layout = SpoolLayout(root: dir + "/spool")
        try drain(layout)
        let result = try JobResult.decode(try DurableFile.read(layout.resultFile(id)))
        #expect(result.decision == .completed, "\(result.reasons)")
        return (layout, id, result)
    }
}
