@testable import Audit
import Foundation
import Testing

@Suite("AuditReport, annual")
struct AuditReportAnnualTests {
    /// 2026-06-15 plus `day` days.
    static func at(_ day: Int, _ i: Int) -> Date { AuditFixtures.time(day: day, seconds: Double(i)) }

    static func final(_ event: String, job: String, purpose: String, offense: String?, source: String?,
                      candidates: Int? = nil, reasons: [String] = []) -> AuditEvent {
        var details: [String: String] = [:]
        details["offense"] = offense
        details["probe_source"] = source
        return AuditEvent(event: event, actor: "jdoe", agency: "SCPD", job: job, purpose: purpose, caseNumber: "C",
                          outcome: String(event.dropFirst(4)), reasons: reasons, candidates: candidates, details: details)
    }

    static func review(_ job: String, face: Int = 1, candidate: String, _ disposition: String, by examiner: String) -> AuditEvent {
        AuditEvent(event: "review.recorded", actor: examiner, agency: "SCPD", job: job,
                   details: ["disposition": disposition, "candidate": candidate, "face": "\(face)"])
    }

    /// A job finished in the previous year (its review falls in this one), three jobs this year over
    /// two months, reviews (two examiners agreeing on one lead), outcomes, a dispute, a denial.
    static func populate(_ dir: TempAuditDir) throws {
        let log = try AuditLog(directory: dir.path)
        // -200 days: 2025-11-27 (the previous year).
        try log.append(final("job.completed", job: "old", purpose: "tips-and-leads", offense: "fraud", source: "photo",
                             candidates: 2), now: at(-200, 0))
        let june: [AuditEvent] = [
            final("job.completed", job: "a", purpose: "active-investigation", offense: "armed robbery",
                  source: "surveillance-still", candidates: 5),
            final("job.completed", job: "b", purpose: "active-investigation", offense: "armed robbery", source: nil,
                  candidates: 3),
            review("a", candidate: "S-1", "possible-match", by: "ex1"),
            review("a", candidate: "S-1", "possible-match", by: "ex2"),
            AuditEvent(event: "lead.released", actor: "ex2", job: "a", details: ["face": "1", "candidate": "S-1"]),
            review("a", candidate: "S-2", "no-match", by: "ex1"),
            review("b", candidate: "S-9", "possible-match", by: "ex1"),
            review("old", candidate: "S-4", "possible-match", by: "ex1"),
            AuditEvent(event: "lead.disputed", actor: "ex2", job: "b", details: ["candidate": "S-9"]),
            AuditEvent(event: "outcome.recorded", actor: "jdoe", job: "a", details: ["action": "arrested"]),
            AuditEvent(event: "outcome.recorded", actor: "jdoe", job: "old", details: ["action": "charged"]),
            final("job.denied", job: "d", purpose: "personal", offense: nil, source: nil,
                  reasons: ["purpose.unauthorized"]),
        ]
        for (i, e) in june.enumerated() { try log.append(e, now: at(0, i)) }
        // +40 days: July.
        try log.append(final("job.completed", job: "c", purpose: "witness-or-victim", offense: "assault",
                             source: "social-media", candidates: 1), now: at(40, 0))
        try log.append(AuditEvent(event: "outcome.recorded", actor: "jdoe", job: "c", purpose: "witness-or-victim",
                                  details: ["action": "interviewed"]), now: at(40, 1))
    }

    @Test("searches and probable matches per offense, probe sources, outcomes per purpose, disputes, months")
    func statuteFigures() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        try Self.populate(dir)
        let r = try AuditReport.make(directory: dir.path, report: AuditReport(year: 2026))
        #expect(r.from == "2026-01-01" && r.to == "2026-12-31" && r.year == 2026)
        #expect(r.searches.total == 4)  // the old job is outside the year
        #expect(r.byOffense["armed robbery"]?.total == 2)
        // Two examiners agreeing on S-1 make one probable match; the old job's lead counts under its offense.
        #expect(r.possibleMatchesByOffense == ["armed robbery": 2, "fraud": 1])
        #expect(r.releasedLeadsByOffense == ["armed robbery": 1])
        #expect(r.dispositions == ["possible-match": 4, "no-match": 1])
        #expect(r.byProbeSource["surveillance-still"]?.total == 1)
        #expect(r.byProbeSource["social-media"]?.total == 1)
        #expect(r.byProbeSource["unspecified"]?.total == 2)
        #expect(r.outcomesByPurpose == [
            "active-investigation": ["arrested": 1], "tips-and-leads": ["charged": 1], "witness-or-victim": ["interviewed": 1],
        ])
        #expect(r.disputes == 1 && r.disputesByPurpose == ["active-investigation": 1])
        #expect(r.searchesByMonth == ["2026-06": ["active-investigation": 2, "personal": 1], "2026-07": ["witness-or-victim": 1]])
        #expect(r.text.hasPrefix("FACIAL RECOGNITION ANNUAL REPORT 2026"))
        #expect(r.text.contains("PEER-REVIEW DISAGREEMENTS (lead.disputed): 1"))
        let csv = r.csv.components(separatedBy: "\n")
        #expect(csv.contains("possible-match leads by offense,armed robbery,2,,,,"))
        #expect(csv.contains("released leads by offense,armed robbery,1,,,,"))
        #expect(csv.contains("outcomes by purpose,active-investigation: arrested,1,,,,"))
        #expect(csv.contains("by probe source,unspecified,2,1,1,0,3"))
        #expect(csv.contains("disputes,all,1,,,,"))
        let json = try r.json()
        #expect(json.contains("\"possible_matches_by_offense\"") && json.contains("\"released_leads_by_offense\""))
    }

    @Test("the HTML page: verification, charts as inline SVG, every table, text escaped")
    func html() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        try Self.populate(dir)
        let log = try AuditLog(directory: dir.path)
        try log.append(Self.final("job.denied", job: "x", purpose: "<script>", offense: "a&b", source: nil,
                                  reasons: ["use.live-surveillance"]), now: Self.at(41, 0))
        let r = try AuditReport.make(directory: dir.path, report: AuditReport(year: 2026))
        let page = r.html(verification: AuditVerifier.verify(directory: dir.path))
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains("Audit chain verified"))
        #expect(page.components(separatedBy: "<svg").count - 1 == 2)
        #expect(page.contains("<title>2026-06 active-investigation: 2</title>"))
        #expect(page.contains(">use.live-surveillance</text>"))
        #expect(page.contains("Searches and probable matches by offense"))
        #expect(page.contains("<td>a&amp;b</td>"))
        #expect(!page.contains("<script>"))
        // Self-contained: nothing fetched (the SVG namespace is a name, not a request).
        let rest = page.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
        #expect(!rest.contains("http") && !rest.contains("src="))
        // Twelve month bars' labels for an annual report.
        #expect((1...12).allSatisfy { page.contains(">\(String(format: "%02d", $0))</text>") })
    }

    @Test("axis tops are four steps of 1, 2 or 5 × 10ⁿ")
    func axis() {
        #expect(AuditReport.niceCeiling(0) == 4)
        #expect(AuditReport.niceCeiling(3) == 4)
        #expect(AuditReport.niceCeiling(7) == 8)
        #expect(AuditReport.niceCeiling(9) == 20)
        #expect(AuditReport.niceCeiling(41) == 80)
        #expect(AuditReport.niceCeiling(150) == 200)
    }
}
