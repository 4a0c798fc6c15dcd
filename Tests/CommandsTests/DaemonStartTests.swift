@testable import Commands
import FixtureFiles
import Foundation
import Testing

/// What `frs daemon` checks before it claims anything.
@Suite("Daemon start")
struct DaemonStartTests {
    static var modelsDirectory: String { (try? FixtureFiles.modelsDirectory()) ?? "models" }

    /// Issue #11 item 11: a model file with one changed byte is refused with the file, both hashes
    /// and the fix (before, it loaded and every result silently came from other weights).
    @Test func aTamperedModelFileIsRefusedBeforeLoading() throws {
        let dir = NSTemporaryDirectory() + "frs-daemon-models-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/spool/state", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let models = dir + "/models"
        try FileManager.default.copyItem(atPath: Self.modelsDirectory, toPath: models)
        let file = models + "/dlib_face_recognition_resnet_model_v1.dat"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        bytes[bytes.count - 1000] ^= 0x40 // a weight near the end, which dlib's reader cannot notice
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let context = CommandContext(spool: dir + "/spool", models: models)
        #expect {
            _ = try DaemonSearcher.make(context)
        } throws: { error in
            let text = "\(error)"
            return text.contains("dlib_face_recognition_resnet_model_v1.dat")
                && text.contains("55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30")
                && text.contains("fetch-models.sh")
        }
    }
}
