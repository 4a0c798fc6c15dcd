import Foundation

/// Where the tests find what they read: the committed fixtures, and the dlib model files, which are
/// not committed (`scripts/fetch-models.sh` puts them in `<repo>/models`).
///
/// The one place the model search order is written: `$FRS_MODELS`, else `<repo>/models`, else
/// `<repo>/../shared/models`. A test that needs the models fails (never skips) when none is found.
public enum FixtureFiles {
    /// The repository's root.
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/Fixtures`.
    public static let fixtures = repository.appendingPathComponent("Tests/Fixtures").path

    /// The model files were not found.
    public struct MissingModels: Error, CustomStringConvertible {
        public var searched: [String]
        public init(searched: [String]) { self.searched = searched }
        public var description: String {
            "dlib model files not found in \(searched.joined(separator: ", ")): run ./scripts/fetch-models.sh or set FRS_MODELS"
        }
    }

    /// The directories searched for the models, in order.
    public static var modelCandidates: [String] {
        var candidates = [String]()
        if let env = ProcessInfo.processInfo.environment["FRS_MODELS"], !env.isEmpty { candidates.append(env) }
        candidates.append(repository.appendingPathComponent("models").path)
        candidates.append(repository.appendingPathComponent("../shared/models").standardized.path)
        return candidates
    }

    /// The first directory that holds the detector model.
    /// - Throws: ``MissingModels``.
    public static func modelsDirectory() throws -> String {
        guard let found = modelCandidates.first(where: {
            FileManager.default.fileExists(atPath: $0 + "/mmod_human_face_detector.dat")
        }) else { throw MissingModels(searched: modelCandidates) }
        return found
    }

    /// The path of model file `name`.
    /// - Throws: ``MissingModels``.
    public static func model(_ name: String) throws -> String {
        let path = try modelsDirectory() + "/" + name
        guard FileManager.default.fileExists(atPath: path) else { throw MissingModels(searched: modelCandidates) }
        return path
    }
}
