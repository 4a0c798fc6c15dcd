@testable import Audit
import Foundation
import Testing

/// One vocabulary of audit events (issue #24 item 2): names are unique, `area.verb` shaped, and a
/// record written under a name reads back as that name.
@Suite("Audit event names")
struct AuditEventNameTests {
    @Test func namesAreUniqueAndShaped() {
        let raw = AuditEventName.allCases.map(\.rawValue)
        #expect(Set(raw).count == raw.count)
        #expect(raw.allSatisfy { $0.range(of: "^[a-z]+\\.[a-z-]+$", options: .regularExpression) != nil }, "\(raw)")
        #expect(AuditEventName.lead("released") == .leadReleased && AuditEventName.lead("disputed") == .leadDisputed)
    }

    @Test func aRecordWrittenUnderANameReadsBackAsIt() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        let log = try AuditLog(directory: dir.path)
        for name in [AuditEventName.jobCompleted, .userDisabledInactive, .galleryFeedRefused] {
            try log.append(AuditEvent(name, actor: "a", outcome: "ok"))
        }
        let read = try AuditReader(directory: dir.path).records().map(\.event.name)
        #expect(read == [.jobCompleted, .userDisabledInactive, .galleryFeedRefused])
        // The report counts a completed job written by name.
        var report = AuditReport()
        for record in try AuditReader(directory: dir.path).records() { report.add(record) }
        #expect(report.searches.completed == 1)
    }
}
