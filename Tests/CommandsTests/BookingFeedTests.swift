@testable import Commands
import TestSupport
import Foundation
import Glibc
import Spool
import SystemCalls
import Testing

/// The booking system's nightly feed through the binary: the feed account (role booking-feed)
/// drops transactions and a removal request from its own account; the daemon imports and removes
/// and answers each; an analyst's transaction is refused.
@Suite("Booking feed through the drop box")
struct BookingFeedTests {
    let tests = SpoolCommandTests()

    @Test(.enabled(if: Privileges.canSwitchUser && FRSBinary.isBuilt, "needs root: runs frs as other accounts"))
    func feedImportsRemovesAndAnswers() throws {
        let dir = try tests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(chmod(dir, 0o755) == 0)
        #expect(try tests.frs(["init"], in: dir).status == 0)
        #expect(try tests.frs(["agency", "add", "SCPD", "--name", "PD"], in: dir).status == 0)
        #expect(try tests.frs(["user", "add", "feed", "--name", "Booking feed", "--role", "booking-feed", "--uid", "3600",
                               "--vetted", "2025-01-01", "--trained", "2026-01-01"], in: dir).status == 0)
        #expect(try tests.frs(["user", "add", "ana", "--name", "Ana", "--agency", "SCPD", "--role", "analyst", "--uid", "3601",
                               "--vetted", "2025-01-01", "--trained", "2026-01-01"], in: dir).status == 0)
        let source = FixtureFiles.fixtures + "/ansi-nist/valid1.3.an2"
        let copy = dir + "/valid1.3.an2"
        #expect(FileManager.default.createFile(atPath: copy, contents: FileManager.default.contents(atPath: source),
                                               attributes: [.posixPermissions: 0o644]))
        func feed(_ uid: String, _ arguments: [String]) throws -> Program.Run {
            try tests.frs(["setpriv", "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", FRSBinary.path] + arguments,
                          in: dir, direct: true)
        }
        let queued = try feed("3600", ["gallery", "feed", copy])
        #expect(queued.status == 0, "\(queued.error)")
        let refused = try feed("3601", ["gallery", "feed", copy])
        #expect(refused.status == 0, "\(refused.error)")
        let firstDrain = try tests.frs(["daemon", "--once", "--workers", "1"], in: dir)
        #expect(firstDrain.status == 0, "\(firstDrain.error)")

        let layout = SpoolLayout(root: dir + "/spool")
        let feedAnswers = layout.answers.answers(uid: 3600)
        #expect(feedAnswers.count == 1 && feedAnswers.first?.state == .accepted, "\(feedAnswers)")
        #expect(feedAnswers.first?.message.contains("1 enrolled") == true, "\(feedAnswers)")
        let report = try #require(feedAnswers.first?.output?.first)
        let subject = try #require(report.firstMatch(of: /"subject":"([^"]+)"/)?.1).description
        let analystAnswers = layout.answers.answers(uid: 3601)
        #expect(analystAnswers.count == 1 && analystAnswers.first?.state == .refused, "\(analystAnswers)")
        #expect(analystAnswers.first?.message.contains("may not import into the gallery") == true)

        // The feed removes the subject for an expungement.
        let removal = try feed("3600", ["gallery", "feed-remove", subject, "--reason", "expungement", "--reference", "Order 24-77"])
        #expect(removal.status == 0, "\(removal.error)")
        let drained = try tests.frs(["daemon", "--once", "--workers", "1"], in: dir)
        #expect(drained.status == 0, "\(drained.error)")
        let answers = layout.answers.answers(uid: 3600)
        #expect(answers.count == 2 && answers.allSatisfy { $0.state == .accepted }, "\(answers)")
        #expect(try tests.frs(["gallery", "stats"], in: dir).output.contains("removed subjects: 1"))
        let audit = try Directory.entries(layout.audit).filter { $0.hasSuffix(".jsonl") }
            .map { String(decoding: try DurableFile.read(layout.audit + "/" + $0), as: UTF8.self) }.joined()
        #expect(audit.contains("\"event\":\"gallery.imported\"") && audit.contains("expungement: Order 24-77"))
        #expect(try tests.frs(["audit", "verify"], in: dir).status == 0)
    }
}
