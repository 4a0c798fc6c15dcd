import Audit
import Foundation
import TestSupport
import Testing

@Suite("frs audit verify and the head anchor")
struct AuditVerifyAnchorTests {
    /// Issue #11 item 10: deleting the newest day file used to pass `frs audit verify`.
    @Test func aDeletedNewestDayFileFailsVerifyNamingWhatIsMissing() throws {
        let top = try TemporaryDirectory.make("anchor")
        defer { try? FileManager.default.removeItem(atPath: top) }
        let spool = top + "/spool"
        let audit = spool + "/outbox/audit"
        let log = try AuditLog(directory: audit)
        let day = 86_400.0
        let start = Date(timeIntervalSince1970: 1_781_514_000)
        for i in 0..<4 { try log.append(AuditEvent(event: "job.completed", actor: "u", job: "j\(i)"), now: start + Double(i / 2) * day) }
        let intact = try AuditCommandsTests.frs(["--spool", spool, "audit", "verify"])
        #expect(intact.status == 0)
        #expect(intact.output.contains("head anchor checked"), "\(intact.output)")

        try FileManager.default.removeItem(atPath: audit + "/2026-06-16.jsonl")
        let cut = try AuditCommandsTests.frs(["--spool", spool, "audit", "verify"])
        #expect(cut.status == 1)
        #expect(cut.output.contains("seq 3 to 4 are missing"), "\(cut.output)")
        #expect(cut.output.contains("audit.head"), "\(cut.output)")
    }
}
