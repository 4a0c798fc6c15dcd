@testable import Audit
import Foundation
import Testing

@Suite("AuditReport")
struct AuditReportTests {
    static func final(
        _ name: String, actor: String, agency: String = "SCPD", purpose: String = "active-investigation",
        offense: String? = "robbery", reasons: [String] = [], candidates: Int? = nil
    ) -> AuditEvent {
        AuditEvent(
            event: name, actor: actor, agency: agency, job: "j", purpose: purpose, caseNumber: "C",
            outcome: String(name.dropFirst(4)), reasons: reasons, candidates: candidates,
            details: offense.map { ["offense": $0] } ?? [:]
        )
    }

    /// Day 0: two completed searches, a denial with two reasons, a hold and its approval.
    /// Day 1: a denial, a failure, a rejection, three reviews, an administrative change.
    static func populate(_ dir: TempAuditDir) throws {
        let log = try AuditLog(directory: dir.path)
        let day0: [AuditEvent] = [
            AuditEvent(event: "job.received", actor: "jdoe"),
            final("job.completed", actor: "jdoe", candidates: 5),
            final("job.completed", actor: "jdoe", offense: "homicide", candidates: 3),
            final("job.denied", actor: "mallory", agency: "XPD", purpose: "personal", offense: nil,
                  reasons: ["purpose.unauthorized", "requester.unknown"]),
            AuditEvent(event: "job.held", actor: "asmith"),
            AuditEvent(event: "job.approved", actor: "boss"),
        ]
        let day1: [AuditEvent] = [
            final("job.denied", actor: "asmith", reasons: ["requester.suspended", "requester.suspended"]),
            final("job.failed", actor: "asmith", purpose: "tips-and-leads", offense: "=HYPERLINK(\"x\")"),
            AuditEvent(event: "job.rejected", actor: "boss"),
            AuditEvent(event: "review.recorded", actor: "exam", details: ["disposition": "possible-match"]),
            AuditEvent(event: "review.recorded", actor: "exam", details: ["disposition": "possible-match"]),
            AuditEvent(event: "review.recorded", actor: "exam", details: ["disposition": "no-match"]),
            AuditEvent(event: "user.added", actor: "admin"),
        ]
        for (i, e) in day0.enumerated() { try log.append(e, now: AuditFixtures.time(day: 0, seconds: Double(i))) }
        for (i, e) in day1.enumerated() { try log.append(e, now: AuditFixtures.time(day: 1, seconds: Double(i))) }
    }

    @Test("tallies searches, denials, holds, dispositions and other events")
    func tallies() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        try Self.populate(dir)
        let r = try AuditReport.make(directory: dir.path)
        #expect(r.records == 13)
        #expect(r.searches.total == 5)
        #expect(r.searches.completed == 2 && r.searches.denied == 2 && r.searches.failed == 1)
        #expect(r.searches.candidates == 8)
        #expect(r.byUser["jdoe"]?.completed == 2)
        #expect(r.byUser["jdoe"]?.candidates == 8)
        #expect(r.byUser["asmith"]?.total == 2)
        #expect(r.byUser["mallory"]?.denied == 1)
        #expect(r.byAgency["XPD"]?.total == 1 && r.byAgency["SCPD"]?.total == 4)
        #expect(r.byPurpose["personal"]?.denied == 1 && r.byPurpose["active-investigation"]?.total == 3)
        #expect(r.byOffense["robbery"]?.total == 2 && r.byOffense["homicide"]?.candidates == 3)
        #expect(r.byOffense["(none)"]?.total == 1)
        #expect(r.denialsByReason == ["purpose.unauthorized": 1, "requester.unknown": 1, "requester.suspended": 1])
        #expect(r.held == 1 && r.approved == 1 && r.rejected == 1)
        #expect(r.dispositions == ["possible-match": 2, "no-match": 1])
        #expect(r.otherEvents == ["job.received": 1, "user.added": 1])
    }

    @Test("period bounds by UTC day")
    func period() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        try Self.populate(dir)
        let first = try AuditReport.make(directory: dir.path, to: AuditFixtures.day0)
        #expect(first.records == 6 && first.searches.total == 3)
        let second = try AuditReport.make(directory: dir.path, from: AuditFixtures.day1)
        #expect(second.records == 7 && second.searches.total == 2 && second.dispositions.count == 2)
        let none = try AuditReport.make(directory: dir.path, from: AuditFixtures.day2)
        #expect(none.records == 0)
    }

    @Test("renderings: text rows, CSV quoting and formula neutralizing, JSON")
    func renderings() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        try Self.populate(dir)
        let r = try AuditReport.make(directory: dir.path)
        #expect(r.text.contains("searches: 5 (completed 2, denied 2, failed 1); candidates returned: 8"))
        #expect(r.text.contains("BY PURPOSE"))
        let csv = r.csv.components(separatedBy: "\n")
        #expect(csv[0] == "section,key,total,completed,denied,failed,candidates")
        #expect(csv.contains("by user,jdoe,2,2,0,0,8"))
        #expect(csv.contains("denials by reason,requester.suspended,1,,,,"))
        #expect(csv.contains(#"by offense,"'=HYPERLINK(""x"")",1,0,0,1,0"#))
        let json = try r.json(verification: AuditVerifier.verify(directory: dir.path))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["verified"] as? Bool == true)
        let report = try #require(object["report"] as? [String: Any])
        let searches = try #require(report["searches"] as? [String: Any])
        #expect(searches["total"] as? Int == 5)
        #expect((report["denials_by_reason"] as? [String: Int])?["requester.suspended"] == 1)
    }

    @Test("the formula guard looks at the first scalar, and a CR LF inside a cell is quoted")
    func csvFormulaGuardOnScalars() {
        // "=" followed by a combining mark is one grapheme cluster that is not "=": a spreadsheet still runs it.
        #expect(AuditReport.csvRow(["=\u{301}HYPERLINK(1)", "x"]) == "'=\u{301}HYPERLINK(1),x")
        #expect(AuditReport.csvRow(["+\u{20DD}1", "@\u{300}SUM(1)"]) == "'+\u{20DD}1,'@\u{300}SUM(1)")
        #expect(AuditReport.csvRow(["\tcmd", "-5"]) == "'\tcmd,-5")
        // "\r\n" is one Character, neither "\r" nor "\n": the cell must still be quoted.
        #expect(AuditReport.csvRow(["a\r\nb", "c"]) == "\"a\r\nb\",c")
    }
}
