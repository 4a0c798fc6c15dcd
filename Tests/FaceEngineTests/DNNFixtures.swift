import TestSupport
import Foundation
import Testing

/// Locates test fixtures (relative to this file) and the dlib model files (through ``FixtureFiles``).
/// Missing models fail the test, never skip it.
enum DNNFixtures {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let directory = repository.appendingPathComponent("Tests/Fixtures/dnn")

    static func model(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        do {
            return try FixtureFiles.model(name)
        } catch {
            Issue.record("\(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    static func json(_ name: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: try data(name))
        return try #require(object as? [String: Any])
    }

    /// Little-endian float32 values.
    static func floats(_ name: String) throws -> [Float] {
        let d = try data(name)
        return d.withUnsafeBytes { raw in
            (0..<d.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}
