@testable import ANSINIST
import TestSupport
import Foundation
import Testing

/// Inputs kept from fuzzing the reader (`scripts/fuzz.sh ansinist`) in `Tests/Fixtures/fuzz/ansinist/`:
/// each is read to a transaction accounted for byte for byte, or refused with a reason.
@Suite("Fuzz regressions: ANSI/NIST-ITL reading")
struct ANSINISTFuzzRegressionTests {
    static let directory = FixtureFiles.fixtures + "/fuzz/ansinist"
    static let inputs: [String] = {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }()

    @Test("the fuzz inputs are present")
    func present() {
        #expect(Self.inputs.count >= 5, "Tests/Fixtures/fuzz/ansinist has \(Self.inputs.count) inputs")
    }

    @Test("read and reassembled, or refused with a message", arguments: inputs)
    func read(name: String) throws {
        let bytes = [UInt8](try #require(FileManager.default.contents(atPath: Self.directory + "/" + name)))
        do {
            let t = try NISTReader().read(bytes)
            #expect(t.reassembled() == bytes)
            _ = BookingTransaction(t).identity(fields: [NISTFieldReference(type: 2, number: 15)])
        } catch {
            #expect(!error.message.isEmpty)
        }
    }
}
