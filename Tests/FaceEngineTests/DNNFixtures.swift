import Foundation
import Testing

/// Locates test fixtures (relative to this file) and the dlib model files (`$FRS_MODELS`, else
/// `<repo>/models`, else `<repo>/../shared/models`). Missing models fail the test, never skip it.
enum DNNFixtures {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let directory = repository.appendingPathComponent("Tests/Fixtures/dnn")

    static func model(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        var candidates = [String]()
        if let env = ProcessInfo.processInfo.environment["FRS_MODELS"], !env.isEmpty { candidates.append(env) }
        candidates.append(repository.appendingPathComponent("models").path)
        candidates.append(repository.appendingPathComponent("../shared/models").standardized.path)
        for dir in candidates {
            let path = (dir as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        Issue.record("dlib model \(name) not found: set FRS_MODELS, or put it in <repo>/models or <repo>/../shared/models",
                     sourceLocation: sourceLocation)
        return nil
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
