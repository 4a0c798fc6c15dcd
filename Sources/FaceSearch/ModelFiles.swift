import Dispatch
import FaceEngine
import Foundation
import Hashing
import Synchronization
import SystemCalls

/// dlib's three model files as the daemon loads them: where they are (an absolute path) and the
/// SHA-256 each must have.
///
/// A model file decides every candidate list, so a daemon checks each file's hash before loading
/// it and refuses a wrong one, and records the hashes in every result (`models`), so that a result
/// says exactly which weights produced it. The known hashes are those of the PyPI source
/// distribution `face-recognition-models==0.3.0`, the same that `scripts/fetch-models.sh` checks.
public struct ModelFiles: Sendable, Equatable {
    /// One model: its role in results, its file name and its SHA-256.
    public struct Model: Sendable, Equatable {
        /// The key in a result's `models`: `detector`, `landmarks` or `descriptor`.
        public var role: String
        /// The file name inside the models directory.
        public var file: String
        /// The expected SHA-256, 64 lowercase hex digits.
        public var sha256: String
    }

    /// The models a daemon loads, with their known hashes.
    public static let known: [Model] = [
        Model(role: "detector", file: FaceAnalyzer.detectorFile,
              sha256: "4cb19393e2fbaf2b1609a9319ad5386618c886a6234ec1b971f3e87c85d87fe6"),
        Model(role: "landmarks", file: FaceAnalyzer.shapePredictorFile,
              sha256: "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888"),
        Model(role: "descriptor", file: FaceAnalyzer.descriptorFile,
              sha256: "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30"),
    ]

    /// The models directory, absolute and without symbolic links.
    public let directory: String

    /// What results record, by role: `"<file> sha256:<hex>"`, e.g.
    /// `{"detector": "mmod_human_face_detector.dat sha256:4cb1…", "landmarks": …, "descriptor": …}`.
    public var ids: [String: String] {
        Dictionary(uniqueKeysWithValues: ModelFiles.known.map { ($0.role, "\($0.file) sha256:\($0.sha256)") })
    }

    /// Resolves `directory` to an absolute path and checks the SHA-256 of every model file in it.
    ///
    /// - Parameters:
    ///   - directory: `--models` / `FRS_MODELS`, absolute or relative to the working directory.
    ///   - models: the files and hashes to check (tests pass others).
    /// - Throws: ``ModelFileError`` for a missing directory or file, an unreadable file, or a
    ///   file whose hash is not the expected one.
    /// - Complexity: reads every file once (about 30 MB for the three dlib models).
    public init(verifying directory: String, models: [Model] = ModelFiles.known) throws(ModelFileError) {
        guard let resolved = ModelFiles.absolutePath(directory) else {
            throw ModelFileError(file: directory, message: "the models directory does not exist; run ./scripts/fetch-models.sh, or set --models / FRS_MODELS")
        }
        self.directory = resolved
        for model in models {
            let path = resolved + "/" + model.file
            let actual: String
            do {
                actual = try SHA256.hexOfFile(atPath: path)
            } catch {
                throw ModelFileError(file: path, message: "\(error); run ./scripts/fetch-models.sh, or set --models / FRS_MODELS")
            }
            guard actual == model.sha256 else {
                throw ModelFileError(
                    file: path, expected: model.sha256, actual: actual,
                    message: "wrong model file: SHA-256 \(actual), expected \(model.sha256) (face-recognition-models 0.3.0); "
                        + "delete it and run ./scripts/fetch-models.sh, which fetches and checks the right one")
            }
        }
    }

    /// `path` made absolute (from the working directory) with symbolic links resolved; `nil` if
    /// it does not exist.
    /// Checks the model files in `directory` (``init(verifying:models:)``) and loads the face
    /// engine from them, the loading on a second thread beside the checking: a command that needs
    /// the engine starts in about half the time (the two each read the 32 MB of models, about
    /// 0.1 s apiece on one core: `frs gallery enroll` of an empty manifest, 0.19 -> 0.11 s). The
    /// readers may so see a damaged or foreign file before the check refuses it; they are built
    /// for that (DlibFormat's damaged-file and fuzz tests: an error, never a crash), and the
    /// check's error is the one reported.
    /// - Throws: ``ModelFileError`` when a file is missing or not the expected one (whatever the
    ///   loading found), else what the loading threw (``FaceAnalyzer/ModelLoadError``).
    public static func verifiedAnalyzer(in directory: String) throws -> (files: ModelFiles, analyzer: FaceAnalyzer) {
        let loaded = Mutex<Result<FaceAnalyzer, any Error>?>(nil)
        let done = DispatchGroup()
        if let resolved = absolutePath(directory) {
            DispatchQueue.global().async(group: done) {
                let result = Result { try FaceAnalyzer(modelsDirectory: resolved) }
                loaded.withLock { $0 = result }
            }
        }
        let files: ModelFiles
        do {
            files = try ModelFiles(verifying: directory)
        } catch {
            done.wait()
            throw error
        }
        done.wait()
        guard let result = loaded.withLock({ $0 }) else {
            return (files, try FaceAnalyzer(modelsDirectory: files.directory))  // the directory appeared meanwhile
        }
        return (files, try result.get())
    }

    static func absolutePath(_ path: String) -> String? {
        try? Directory.canonicalPath(path)
    }
}

/// A model file is missing, unreadable or not the expected one.
public struct ModelFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (or directory) concerned.
    public var file: String
    /// The expected SHA-256, for a wrong file.
    public var expected: String?
    /// The file's actual SHA-256, for a wrong file.
    public var actual: String?
    /// What is wrong and what fixes it.
    public var message: String

    public init(file: String, expected: String? = nil, actual: String? = nil, message: String) {
        self.file = file
        self.expected = expected
        self.actual = actual
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
