@testable import Commands
import Foundation
import TestSupport
import Testing

@Suite("frs audit verify")
struct AuditCommandsTests {
    /// Runs the built `frs` with `arguments`; returns the exit status and standard output.
    static func frs(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let run = try FRSBinary.run(arguments)
        return (run.status, run.output)
    }

    @Test("parsing: words and --dir")
    func parsing() throws {
        guard case .command(let command, let context) = try FRSCommand.parse(
            ["--spool", "/s", "audit", "verify"], environment: [:]
        ) else { Issue.record("not a command"); return }
        let verify = try #require(command as? AuditVerifyCommand)
        #expect(verify.directory == nil)
        #expect(verify.auditDirectory(context) == "/s/outbox/audit")
        guard case .command(let other, _) = try FRSCommand.parse(["audit", "verify", "--dir", "/a"], environment: [:])
        else { Issue.record("not a command"); return }
        #expect((other as? AuditVerifyCommand)?.directory == "/a")
        #expect(throws: UsageError.self) { try FRSCommand.parse(["audit", "verify", "extra"], environment: [:]) }
        #expect(throws: UsageError.self) { try FRSCommand.parse(["audit", "verify", "--anchor", "12"], environment: [:]) }
        let hash = String(repeating: "0f", count: 32)
        guard case .command(let anchored, _) = try FRSCommand.parse(["audit", "verify", "--anchor", "3:" + hash], environment: [:])
        else { Issue.record("not a command"); return }
        #expect((anchored as? AuditVerifyCommand)?.anchor?.seq == 3)
    }

    @Test("end to end: an intact (empty) log exits 0; a damaged one exits 1 naming file:line; no log exits 1")
    func endToEnd() throws {
        #expect(FRSBinary.isBuilt, "build frs first: \(FRSBinary.path)")
        let top = try TemporaryDirectory.make("audit")
        defer { try? FileManager.default.removeItem(atPath: top) }
        let spool = top + "/spool"
        let audit = spool + "/outbox/audit"

        let missing = try Self.frs(["--spool", spool, "audit", "verify"])
        #expect(missing.status == 1)

        try FileManager.default.createDirectory(atPath: audit, withIntermediateDirectories: true)
        let empty = try Self.frs(["--spool", spool, "audit", "verify"])
        #expect(empty.status == 0)
        #expect(empty.output.hasPrefix("ok: 0 records"))
        // An anchor beyond an empty log: records were removed.
        let anchored = try Self.frs(["--spool", spool, "audit", "verify", "--anchor", "5:" + String(repeating: "a", count: 64)])
        #expect(anchored.status == 1)

        try "{\"seq\":1}\nnot json\n".write(toFile: audit + "/2026-06-15.jsonl", atomically: false, encoding: .utf8)
        let damaged = try Self.frs(["--spool", spool, "audit", "verify"])
        #expect(damaged.status == 1)
        #expect(damaged.output.hasPrefix(audit + "/2026-06-15.jsonl:1: "), "\(damaged.output)")
    }
}

@Suite("frs audit report")
struct AuditReportCommandTests {
    @Test("options are validated")
    func options() throws {
        guard case .command(let command, _) = try FRSCommand.parse(
            ["audit", "report", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "csv"], environment: [:]
        ) else { Issue.record("not a command"); return }
        let report = try #require(command as? AuditReportCommand)
        #expect(report.from == "2026-01-01" && report.to == "2026-12-31" && report.format == .csv)
        for bad in [
            ["audit", "report", "--format", "xml"], ["audit", "report", "--from", "2026-02-30"],
            ["audit", "report", "--from", "yesterday"], ["audit", "report", "--from", "2026-05-01", "--to", "2026-04-01"],
        ] {
            #expect(throws: UsageError.self, "\(bad)") { try FRSCommand.parse(bad, environment: [:]) }
        }
    }

    @Test("end to end on an empty log")
    func endToEnd() throws {
        let top = try TemporaryDirectory.make("report")
        defer { try? FileManager.default.removeItem(atPath: top) }
        let spool = top + "/spool"
        try FileManager.default.createDirectory(atPath: spool + "/outbox/audit", withIntermediateDirectories: true)
        let text = try AuditCommandsTests.frs(["--spool", spool, "audit", "report"])
        #expect(text.status == 0)
        #expect(text.output.contains("searches: 0"))
        let csv = try AuditCommandsTests.frs(["--spool", spool, "audit", "report", "--format", "csv"])
        #expect(csv.output.hasPrefix("section,key,total,completed,denied,failed,candidates\nsearches,all,0,0,0,0,0"))
        try "garbage\n".write(toFile: spool + "/outbox/audit/2026-06-15.jsonl", atomically: false, encoding: .utf8)
        #expect(try AuditCommandsTests.frs(["--spool", spool, "audit", "report"]).status == 1)
    }
}
