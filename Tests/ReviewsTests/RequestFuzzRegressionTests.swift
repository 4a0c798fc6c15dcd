import Foundation
import Policy
import Reviews
import TestSupport
import Testing

/// Inputs kept from fuzzing the drop-box request parsers (`scripts/fuzz.sh requests`) in
/// `Tests/Fixtures/fuzz/requests/`: each gives a request or an error for every kind, and an
/// accepted request holds no control character and reads back the same.
@Suite("Fuzz regressions: drop-box requests")
struct RequestFuzzRegressionTests {
    static let directory = URL(fileURLWithPath: FixtureFiles.fixtures).appendingPathComponent("fuzz/requests")

    static let inputs: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }()

    @Test("the fuzz inputs are present")
    func present() {
        #expect(Self.inputs.count >= 6, "Tests/Fixtures/fuzz/requests has \(Self.inputs.count) inputs")
    }

    func clean(_ lines: [String], _ narratives: [String?]) -> Bool {
        lines.allSatisfy { TextSafety.firstForbidden(in: $0, singleLine: true) == nil }
            && narratives.allSatisfy { $0.map { TextSafety.firstForbidden(in: $0, singleLine: false) == nil } ?? true }
    }

    @Test("every parser gives a clean request or an error", arguments: inputs)
    func parse(name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Self.directory.appendingPathComponent(name)))
        var accepted = 0
        if let r = try? ReviewRequest.parse(bytes) {
            accepted += 1
            #expect(clean([r.job, r.examiner, r.candidate], [r.note]))
        }
        if let r = try? ApprovalRequest.parse(bytes) {
            accepted += 1
            #expect(clean([r.job, r.supervisor], [r.note]))
        }
        if let r = try? ResolutionRequest.parse(bytes) {
            accepted += 1
            #expect(clean([r.job, r.supervisor, r.candidate], [r.note]) && PolicyText.visibleLength(r.note) > 0)
        }
        if let r = try? OutcomeRequest.parse(bytes) {
            accepted += 1
            #expect(clean([r.job, r.recordedBy, r.candidate], [r.corroboration]))
        }
        // The hand-written seeds: each valid one is one kind of request; the hostile ones are refused.
        let expected = ["review.json": 1, "approval.json": 1, "resolution.json": 1, "outcome.json": 1,
                        "review-escape.json": 0, "resolution-invisible.json": 0]
        if let count = expected[name] { #expect(accepted == count, "\(name)") }
    }
}
