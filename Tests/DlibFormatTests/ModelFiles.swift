import TestSupport
import Foundation
import Testing

/// The dlib model files' bytes for tests (found by ``FixtureFiles``). Tests that need a model fail
/// (never silently pass) when none exists.
enum ModelFiles {
    static var directory: String? { try? FixtureFiles.modelsDirectory() }

    /// The bytes of model `name`; records a test failure and returns `nil` when it is missing.
    static func bytes(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8]? {
        guard let dir = directory else {
            Issue.record("\(FixtureFiles.MissingModels(searched: FixtureFiles.modelCandidates))", sourceLocation: sourceLocation)
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
