@testable import Audit
import Foundation
import TestSupport

/// A fresh temporary audit directory, removed by `cleanup()`.
struct TempAuditDir {
    let root: String
    var path: String { root + "/outbox/audit" }

    init() throws {
        root = try TemporaryDirectory.make("audit")
    }

    func cleanup() {
        try? FileManager.default.removeItem(atPath: root)
    }

    func file(_ day: String) -> String { path + "/" + day + ".jsonl" }

    func lines(_ day: String) throws -> [String] {
        let text = try String(contentsOfFile: file(day), encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    func write(_ day: String, lines: [String]) throws {
        try (lines.map { $0 + "\n" }.joined()).write(toFile: file(day), atomically: false, encoding: .utf8)
    }

    func writeRaw(_ day: String, _ text: String) throws {
        try text.write(toFile: file(day), atomically: false, encoding: .utf8)
    }
}

enum AuditFixtures {
    /// 2026-06-15T09:00:00Z plus `seconds`.
    static func time(day: Int = 0, seconds: Double = 0) -> Date {
        Date(timeIntervalSince1970: 1_781_514_000 + Double(day) * 86_400 + seconds)
    }

    static func event(_ i: Int) -> AuditEvent {
        AuditEvent(
            event: i % 3 == 0 ? "job.denied" : "job.completed", actor: "user\(i % 4)", agency: "SCPD", job: "job-\(i)",
            purpose: "active-investigation", caseNumber: "24-\(1000 + i)", outcome: i % 3 == 0 ? "denied" : "completed",
            reasons: i % 3 == 0 ? ["requester.suspended", "purpose.missing-offense"] : [],
            probeSHA256: [String(repeating: "ab", count: 32)], candidates: i % 3 == 0 ? nil : i,
            details: ["note": "line \(i) with \"quotes\", a tab\t and é"]
        )
    }

    /// Writes `perDay` records on each of `days` consecutive days; returns the records.
    @discardableResult
    static func populate(_ dir: TempAuditDir, days: Int, perDay: Int) throws -> [AuditRecord] {
        let log = try AuditLog(directory: dir.path, host: "testhost")
        var records: [AuditRecord] = []
        for d in 0..<days {
            for i in 0..<perDay {
                records.append(try log.append(event(d * perDay + i), now: time(day: d, seconds: Double(i) * 60.5)))
            }
        }
        return records
    }

    static let day0 = "2026-06-15"
    static let day1 = "2026-06-16"
    static let day2 = "2026-06-17"
}
