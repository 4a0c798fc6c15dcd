@testable import Policy
import Foundation
import Testing

/// Inputs kept from fuzzing the job and policy parsers (`scripts/fuzz.sh job`): past crashes and
/// interesting corpus entries in `Tests/Fixtures/fuzz/job/`. Each must give a value or an error,
/// and what the parsers promise about either must hold.
@Suite("Fuzz regressions: job and policy files")
struct PolicyFuzzRegressionTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fuzz/job")

    static let inputs: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted()
    }()

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    @Test("the fuzz inputs are present")
    func present() {
        #expect(Self.inputs.count >= 4, "Tests/Fixtures/fuzz/job has \(Self.inputs.count) inputs")
    }

    @Test("JobRequest.parse gives a complete job or names its problems", arguments: inputs)
    func job(name: String) throws {
        let bytes = try Self.bytes(name)
        switch JobRequest.parse(bytes) {
        case .success(let job):
            #expect(job.version == 1)
            #expect(!job.requester.isEmpty)
            #expect(!job.probes.isEmpty || job.probeDir != nil)
            if let t = job.threshold { #expect(t.isFinite && t > 0 && t <= 2) }
            if let m = job.maxCandidates { #expect(m >= 1) }
        case .failure(let failure):
            #expect(!failure.issues.isEmpty)
        }
    }

    @Test("PolicyConfig.load gives a valid policy or an error", arguments: inputs)
    func policy(name: String) throws {
        let bytes = try Self.bytes(name)
        do {
            let config = try PolicyConfig.load(jsonBytes: bytes)
            #expect(throws: Never.self) { try config.validate() }
        } catch {
            #expect(!error.message.isEmpty)
        }
    }
}
