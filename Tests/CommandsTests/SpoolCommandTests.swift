@testable import Commands
import Foundation
import Glibc
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

    struct Run {
        var status: Int32
        var output: String
        var error: String
    }

    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("frs").path
    }

    func frs(_ arguments: [String], in directory: String) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment["FRS_SPOOL"] = directory + "/spool"
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                   error: String(decoding: error, as: UTF8.self))
    }

    func temporaryDirectory() throws -> String {
        var template = Array("/tmp/frs-cli-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw UsageError("mkdtemp failed") }
        return String(cString: made)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: SpoolCommandTests.binary)))
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

        _ = FileManager.default.createFile(atPath: dir + "/cam1.jpg", contents: Data("probe".utf8))
        let submit = try frs(["submit", "--requester", "jdoe", "--purpose", "active-investigation", "--case", "24-1",
                              "--offense", "armed robbery", "--justification", "Suspect seen on the store camera",
                              "cam1.jpg"], in: dir)
        #expect(submit.status == 0)
        let id = submit.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.count > 10)
        let job = try String(contentsOfFile: dir + "/spool/incoming/\(id).json", encoding: .utf8)
        #expect(job.contains("\"probes\" : [\n    \"\(id)/cam1.jpg\""))
        #expect(FileManager.default.contents(atPath: dir + "/spool/evidence/\(id)/cam1.jpg") == Data("probe".utf8))

        let status = try frs(["status"], in: dir)
        #expect(status.output.contains("incoming: 1"))
        let one = try frs(["status", id], in: dir)
        #expect(one.status == 0)
        #expect(one.output.contains("in: incoming"))
        #expect(try frs(["status", "no-such-job"], in: dir).status == 1)

        let approve = try frs(["approve", id, "--supervisor", "sroe"], in: dir)
        #expect(approve.status == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/spool/incoming")
        #expect(names.contains { $0.hasPrefix(id) && $0.hasSuffix(".approval") })

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
