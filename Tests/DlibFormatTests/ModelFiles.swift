import Foundation
import Testing

/// Locates the dlib model files for tests: `$FRS_MODELS`, else `<repo>/models`, else
/// `<repo>/../shared/models`. Tests that need a model fail (never silently pass) when none exists.
enum ModelFiles {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var directory: String? {
        var candidates = [String]()
        if let env = ProcessInfo.processInfo.environment["FRS_MODELS"], !env.isEmpty { candidates.append(env) }
        candidates.append(repository.appendingPathComponent("models").path)
        candidates.append(repository.appendingPathComponent("../shared/models").standardized.path)
        return candidates.first { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("mmod_human_face_detector.dat")) }
    }

    /// The bytes of model `name`; records a test failure and returns `nil` when it is missing.
    static func bytes(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8]? {
        guard let dir = directory else {
            Issue.record("dlib model files not found: set FRS_MODELS, or put them in <repo>/models or <repo>/../shared/models",
                         sourceLocation: sourceLocation)
            return nil
        }
        guard let data = FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent(name)) else {
            Issue.record("cannot read \(name) in \(dir)", sourceLocation: sourceLocation)
            return nil
        }
        return [UInt8](data)
    }

    static let faceRecognition = "dlib_face_recognition_resnet_model_v1.dat"
    static let detector = "mmod_human_face_detector.dat"
}
