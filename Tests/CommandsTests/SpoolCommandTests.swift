@testable import Commands
import Basics
import TestSupport
import Foundation
import Glibc
import Results
import Testing

@Suite("Spool and admin commands")
struct SpoolCommandTests {
    func parse(_ argv: [String]) throws -> any Subcommand {
        guard case .command(let command, _) = try FRSCommand.parse(argv, environment: [:]) else {
            throw UsageError("expected a command")
        }
        return command
    }

    @Test func parsesSubmitAsValues() throws {
        let command = try parse([
            "submit", "--requester", "jdoe", "--purpose", "active-investigation", "--case", "24-1",
            "--offense", "robbery", "--justification", "a long enough justification", "--max-candidates", "10",
            "a.jpg", "b.jpg",
        ])
        let submit = try #require(command as? SubmitCommand)
        #expect(submit.request.requester == "jdoe")
        #expect(submit.request.caseNumber == "24-1")
        #expect(submit.request.maxCandidates == 10)
        #expect(submit.images == ["a.jpg", "b.jpg"])
    }

    @Test func rejectsBadArgumentsAsUsageErrors() throws {
        #expect(throws: UsageError.self) { try parse(["submit", "--requester", "jdoe", "--purpose", "x", "--justification", "y"]) }
        #expect(throws: UsageError.self) {
            try parse(["submit", "--requester", "j", "--purpose", "p", "--justification", "y", "--max-candidates", "51", "a"])
        }
        #expect(throws: UsageError.self) {
            try parse(["user", "add", "u", "--name", "N", "--agency", "A", "--role", "chief", "--uid", "1",
                       "--vetted", "2025-01-01", "--trained", "2025-01-01"])
        }
        #expect(throws: UsageError.self) { try parse(["agency", "terminate", "A", "--notice-date", "2025-02-30"]) }
        #expect(throws: UsageError.self) { try parse(["reject", "job1", "--supervisor", "s"]) }
        #expect(throws: UsageError.self) { try parse(["status", "../etc"]) }
        let daemon = try #require(try parse(["daemon", "--workers", "3", "--once"]) as? DaemonCommand)
        #expect(daemon.workers == 3)
        #expect(daemon.once)
        let suspend = try #require(try parse(["user", "suspend", "jdoe"]) as? UserSuspendCommand)
        #expect(suspend.id == "jdoe")
    }

    // MARK: - The built binary

    /// Runs the built `frs` (or, with `direct`, the program named first, e.g. `setpriv`) in `directory`, with
    /// `FRS_SPOOL` naming its `spool`.
    func frs(_ arguments: [String], in directory: String, direct: Bool = false) throws -> Program.Run {
        var environment = ProcessInfo.processInfo.environment
        environment["FRS_SPOOL"] = directory + "/spool"
        // The models the tests use wherever they are (scripts/test.sh sets FRS_MODELS; plain `swift test` may not).
        if environment["FRS_MODELS"] == nil, let models = try? FixtureFiles.modelsDirectory() {
            environment["FRS_MODELS"] = models
        }
        if direct {
            return try Program.run("/usr/bin/" + arguments[0], Array(arguments.dropFirst()), in: directory,
                                   environment: environment)
        }
        return try FRSBinary.run(arguments, in: directory, environment: environment)
    }

    func temporaryDirectory() throws -> String {
        try TemporaryDirectory.make("cli-test")
    }

    @Test(.enabled(if: FRSBinary.isBuilt))
    func initAdministerSubmitAndStatusThroughTheBinary() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let uid = "\(getuid())"

        let first = try frs(["init"], in: dir)
        #expect(first.status == 0)
        #expect(first.output.contains("first administrator"))
        #expect(try frs(["init"], in: dir).output.contains("is ready"))
        #expect(try frs(["agency", "add", "SCPD", "--name", "St. Charles PD"], in: dir).status == 0)
        #expect(try frs(["user", "add", "jdoe", "--name", "Jane Doe", "--agency", "SCPD", "--role", "analyst",
                         "--uid", uid, "--vetted", "2025-01-01", "--trained", "2026-01-01"], in: dir).status == 0)
        let duplicate = try frs(["agency", "add", "SCPD", "--name", "again"], in: dir)
        #expect(duplicate.status == 1)
        #expect(duplicate.error.contains("already exists"))
        #expect(try frs(["user", "add", "x"], in: dir).status == 2)

        _ = FileManager.default.createFile(atPath: dir + "/cam1.jpg", contents: Data([0xFF, 0xD8, 0xFF, 0xE0] + Array("probe".utf8)))
        let submit = try frs(["submit", "--requester", "jdoe", "--purpose", "active-investigation", "--case", "24-1",
                              "--offense", "armed robbery", "--justification", "Suspect seen on the store camera",
                              "cam1.jpg"], in: dir)
        #expect(submit.status == 0)
        let id = submit.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.count > 10)
        let job = try String(contentsOfFile: dir + "/spool/incoming/\(id).json", encoding: .utf8)
        #expect(job.contains("\"probes\" : [\n    \"\(id)/cam1.jpg\""))
        #expect(FileManager.default.contents(atPath: dir + "/spool/evidence/\(id)/cam1.jpg") == Data([0xFF, 0xD8, 0xFF, 0xE0] + Array("probe".utf8)))

        let status = try frs(["status"], in: dir)
        #expect(status.output.contains("incoming: 1"))
        let one = try frs(["status", id], in: dir)
        #expect(one.status == 0)
        #expect(one.output.contains("in: incoming"))
        #expect(try frs(["status", "no-such-job"], in: dir).status == 1)

        // Not held (not even received): refused at once, nothing queued.
        let approve = try frs(["approve", id, "--supervisor", "sroe"], in: dir)
        #expect(approve.status == 1 && approve.error.contains("refused (supervisor.job-not-held)"), "\(approve.error)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/spool/incoming")
        #expect(!names.contains { $0.hasSuffix(".approval") })

        let verify = try frs(["audit", "verify"], in: dir)
        #expect(verify.status == 0)
        let audit = try FileManager.default.contentsOfDirectory(atPath: dir + "/spool/outbox/audit")
            .filter { $0.hasSuffix(".jsonl") }
            .map { try String(contentsOfFile: dir + "/spool/outbox/audit/" + $0, encoding: .utf8) }
            .joined()
        for event in ["spool.initialized", "admin.added", "agency.added", "user.added"] {
            #expect(audit.contains("\"event\":\"\(event)\""), "\(event)")
        }
    }
}

import Spool
import SystemCalls

/// A deterministic stand-in for the face search (one face, two candidates per image).
struct StubSearcher: ProbeSearcher {
    var galleryVersion: Int64 { 3 }
    var modelIDs: [String: String] { ["detector": "stub"] }
    func search(imageBytes: [UInt8], maxCandidates: Int, threshold: Double) throws -> [FaceResult] {
        [FaceResult(box: [0, 0, 9, 9], landmarks: [], quality: .init(ok: true), candidates: [
            .init(rank: 1, subject: "S-\(imageBytes.count)", image: "g/1.jpg", distance: threshold / 2),
            .init(rank: 2, subject: "S-\(imageBytes.count + 1)", image: "g/2.jpg", distance: threshold / 1.5),
        ])]
    }
}

@Suite("Spool commands under an unprivileged account")
struct UnprivilegedSubmitTests {
    /// `frs submit` run as uid 1000 cannot write the evidence store: its images go beside the job in
    /// the drop box, the daemon takes them in, and the uid check passes for the registered account.
    @Test(.enabled(if: Privileges.canSwitchUser && FRSBinary.isBuilt, "needs root: runs frs as other accounts"))
    func submitAsAnotherAccountThenDrain() throws {
        let tests = SpoolCommandTests()
        let dir = try tests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(chmod(dir, 0o755) == 0)
        #expect(try tests.frs(["init"], in: dir).status == 0)
        #expect(try tests.frs(["agency", "add", "SCPD", "--name", "PD"], in: dir).status == 0)
        for (id, role, uid) in [("jdoe", "analyst", "1000"), ("sroe", "supervisor", "1001")] {
            #expect(try tests.frs(["user", "add", id, "--name", id, "--agency", "SCPD", "--role", role, "--uid", uid,
                                   "--vetted", "2025-01-01", "--trained", "2026-01-01"], in: dir).status == 0)
        }
        // uid 1000 cannot open the database: its `agency add` goes to the daemon, which refuses it
        // (not an administrator) in an answer only uid 1000 reads.
        let refused = try tests.frs(["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "env", "FRS_WAIT=0",
                                     FRSBinary.path, "agency", "add", "X", "--name", "X"], in: dir, direct: true)
        #expect(refused.status == 1)
        #expect(refused.error.contains("was handed to the daemon as admin-"), "\(refused.error)")

        _ = FileManager.default.createFile(atPath: dir + "/cam1.jpg", contents: Data([0xFF, 0xD8, 0xFF, 0xE0] + Array("probe bytes".utf8)),
                                           attributes: [.posixPermissions: 0o644])
        let submit = try tests.frs(["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", FRSBinary.path,
                                    "submit", "--requester", "jdoe", "--purpose", "active-investigation", "--case", "24-1",
                                    "--offense", "armed robbery", "--justification", "Suspect seen on the store camera",
                                    "cam1.jpg"], in: dir, direct: true)
        #expect(submit.status == 0, "\(submit.error)")
        let id = submit.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let layout = SpoolLayout(root: dir + "/spool")
        #expect(try FileStatus.of(layout.jobFile(id, in: layout.incoming)).owner == 1000)
        #expect(try FileStatus.of(layout.dropFolder(for: id) + "/cam1.jpg").owner == 1000)

        let daemon = SpoolDaemon(layout: layout, searcher: StubSearcher(), configuration: .init(workers: 1, once: true),
                                 logger: Logger(level: .error, sink: MemorySink()),
                                 administer: AdministrativeRequests.runner(spool: layout.root, models: "./models"))
        #expect(try daemon.run().processed == 2)  // the job and the administrative request
        let answers = layout.answers.answers(uid: 1000)
        #expect(answers.count == 1 && answers[0].state == .refused && answers[0].kind == "admin")
        #expect(answers.first?.output?.joined().contains("uid 1000 is not a registered administrator") == true,
                "\(answers)")
        #expect(try FileStatus.of(layout.answers.directory(uid: 1000)).permissions == 0o700)
        let result = try JobResult.decode(try DurableFile.read(layout.resultFile(id)))
        #expect(result.decision == .completed, "\(result.reasons)")
        #expect(result.candidateCount == 2)
        #expect(!FileStatus.exists(layout.dropFolder(for: id)))
        #expect(try tests.frs(["status", id], in: dir).output.contains("decision: completed"))
        #expect(try tests.frs(["audit", "verify"], in: dir).status == 0)
    }
}
