import TestSupport
import FaceSearch
import Foundation
import Hashing
import Testing

/// Issue #11 item 11: the daemon checks each model file's SHA-256 before loading it, and results
/// name the exact files.
@Suite struct ModelFilesTests {
    static var modelsDirectory: String { (try? FixtureFiles.modelsDirectory()) ?? "models" }

    /// A copy of the models directory, with `change` applied to one file.
    func copyOfModels(changing file: String? = nil, _ change: (inout [UInt8]) -> Void = { _ in }) throws -> String {
        let dir = try TemporaryDirectory.make("models")
        for model in ModelFiles.known {
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.modelsDirectory + "/" + model.file)))
            if model.file == file { change(&bytes) }
            try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + model.file))
        }
        return dir
    }

    @Test func theShippedModelsVerifyAndResultsNameTheirHashes() throws {
        let models = try ModelFiles(verifying: Self.modelsDirectory)
        #expect(models.directory.hasPrefix("/"))
        #expect(Set(models.ids.keys) == ["detector", "landmarks", "descriptor"])
        #expect(models.ids["detector"] == "mmod_human_face_detector.dat sha256:4cb19393e2fbaf2b1609a9319ad5386618c886a6234ec1b971f3e87c85d87fe6")
        for model in ModelFiles.known {
            #expect(try SHA256.hexOfFile(atPath: models.directory + "/" + model.file) == model.sha256)
        }
    }

    @Test func aRelativeDirectoryIsResolvedToAnAbsoluteOne() throws {
        let dir = try copyOfModels()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The same directory named relative to the working directory (which tests must not change).
        let depth = FileManager.default.currentDirectoryPath.split(separator: "/").count
        let relative = String(repeating: "../", count: depth) + dir.drop { $0 == "/" }
        #expect(!relative.hasPrefix("/"))
        let models = try ModelFiles(verifying: relative)
        let resolved = try #require(realpath(dir, nil))
        defer { free(resolved) }
        #expect(models.directory == String(cString: resolved))
    }

    @Test func aChangedWeightIsRefusedNamingFileHashesAndTheFix() throws {
        // One flipped bit in the middle of the landmark model: dlib's reader would load it happily.
        let file = "shape_predictor_5_face_landmarks.dat"
        let dir = try copyOfModels(changing: file) { $0[$0.count / 2] ^= 1 }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let actual = try SHA256.hexOfFile(atPath: dir + "/" + file)
        #expect {
            _ = try ModelFiles(verifying: dir)
        } throws: { error in
            guard let error = error as? ModelFileError else { return false }
            let text = error.description
            return error.file.hasSuffix("/" + file) && error.actual == actual
                && error.expected == "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888"
                && text.contains(actual) && text.contains(error.expected ?? "?") && text.contains("scripts/fetch-models.sh")
        }
    }

    @Test func aMissingFileOrDirectoryIsRefused() throws {
        let dir = try copyOfModels()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.removeItem(atPath: dir + "/" + ModelFiles.known[2].file)
        #expect(throws: ModelFileError.self) { _ = try ModelFiles(verifying: dir) }
        #expect(throws: ModelFileError.self) { _ = try ModelFiles(verifying: dir + "/nowhere") }
    }

    /// The engine loads beside the check: the shipped models give a working analyzer; a changed
    /// or truncated file, or a missing one, is refused with the check's error, whatever the
    /// loading made of it.
    @Test func theEngineLoadsBesideTheCheckAndTheCheckDecides() throws {
        let (files, analyzer) = try ModelFiles.verifiedAnalyzer(in: Self.modelsDirectory)
        #expect(files == (try ModelFiles(verifying: Self.modelsDirectory)))
        #expect(analyzer.detector.network.outputStride == 8)

        let flipped = try copyOfModels(changing: ModelFiles.known[0].file) { $0[$0.count / 2] ^= 1 }
        let truncated = try copyOfModels(changing: ModelFiles.known[2].file) { $0.removeLast($0.count / 2) }
        let missing = try copyOfModels()
        defer { for dir in [flipped, truncated, missing] { try? FileManager.default.removeItem(atPath: dir) } }
        try FileManager.default.removeItem(atPath: missing + "/" + ModelFiles.known[1].file)
        for (dir, file) in [(flipped, 0), (truncated, 2), (missing, 1)] {
            #expect {
                _ = try ModelFiles.verifiedAnalyzer(in: dir)
            } throws: { error in
                (error as? ModelFileError)?.file.hasSuffix("/" + ModelFiles.known[file].file) == true
            }
        }
        #expect(throws: ModelFileError.self) { _ = try ModelFiles.verifiedAnalyzer(in: missing + "/nowhere") }
    }
}
