@testable import Policy
import Basics
import Foundation

/// Shared test data: a valid requester, agency and job, and a fixed "now".
enum Fixtures {
    static func day(_ text: String) -> Date {
        guard let d = UTCDay.parse(text) else { preconditionFailure("bad test date \(text)") }
        return d
    }

    /// Mid-day, so that day arithmetic is not accidentally second-exact.
    static let now = day("2026-06-15").addingTimeInterval(13 * 3600 + 17)

    static let agency = Agency(code: "SCPD", name: "St. Charles Police Department")

    static let requester = Requester(
        id: "jdoe", name: "Jane Doe", agency: "SCPD", role: .analyst, uid: 1001, status: .active,
        vetted: day("2025-01-02"), trained: day("2026-01-10")
    )

    static let job = JobRequest(
        version: 1, requester: "jdoe", purpose: "active-investigation", caseNumber: "24-012345",
        offense: "armed robbery",
        justification: "Suspect photographed by the store camera during the robbery on 2024-09-01",
        probes: ["24-012345/cam1.jpg"], maxCandidates: 10
    )

    /// A valid job file as a JSON object, to modify per test.
    static var jobObject: [String: Any] { [
        "version": 1, "requester": "jdoe", "purpose": "active-investigation", "case_number": "24-012345",
        "offense": "armed robbery",
        "justification": "Suspect photographed by the store camera during the robbery on 2024-09-01",
        "probes": ["24-012345/cam1.jpg"], "max_candidates": 10,
    ] }

    static func bytes(_ object: [String: Any]) -> [UInt8] {
        do {
            return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        } catch {
            preconditionFailure("test object is not JSON: \(error)")
        }
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func jobBytes(_ changes: [String: Any?]) -> [UInt8] {
        var object = jobObject
        for (k, v) in changes { object[k] = v }
        return bytes(object)
    }
}

extension Result where Success == JobRequest, Failure == JobParseFailure {
    var failure: JobParseFailure? {
        if case .failure(let f) = self { return f }
        return nil
    }

    var job: JobRequest? {
        if case .success(let j) = self { return j }
        return nil
    }

    var reasons: [ReasonCode] { failure?.reasons ?? [] }
}
