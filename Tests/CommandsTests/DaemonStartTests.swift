@testable import Commands
import TestSupport
import Foundation
import Glibc
import Testing

/// What `frs daemon` checks before it claims anything.
@Suite("Daemon start")
struct DaemonStartTests {
    static var modelsDirectory: String { (try? FixtureFiles.modelsDirectory()) ?? "models" }

    /// Issue #11 item 11: a model file with one changed byte is refused with the file, both hashes
    /// and the fix (before, it loaded and every result silently came from other weights).
    @Test func aTamperedModelFileIsRefusedBeforeLoading() throws {
        let dir = try TemporaryDirectory.make("daemon-models")
        try FileManager.default.createDirectory(atPath: dir + "/spool/state", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The model files copied by content, as this process's own writable files (copyItem keeps the
        // source's owner and read-only mode, which only root may then overwrite).
        let models = dir + "/models"
        try FileManager.default.createDirectory(atPath: models, withIntermediateDirectories: false)
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.modelsDirectory) where name.hasSuffix(".dat") {
            try Data(contentsOf: URL(fileURLWithPath: Self.modelsDirectory + "/" + name))
                .write(to: URL(fileURLWithPath: models + "/" + name))
        }
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

    /// Issue #19: a spool file the service cannot write (an audit head left root's by an older frs)
    /// stops the daemon before it claims anything, naming the file, its owner and the fix; the fix it
    /// names (`frs init --daemon-user`) removes the problem. Run as the service's uid with setpriv.
    @Test(.enabled(if: Privileges.canSwitchUser && FRSBinary.isBuilt, "needs root: runs frs as other accounts"))
    func anUnwritableSpoolFileIsNamedWithItsFixBeforeAnyClaim() throws {
        let tests = SpoolCommandTests()
        let dir = try tests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(chmod(dir, 0o755) == 0)
        #expect(try tests.frs(["init", "--daemon-user", "990"], in: dir).status == 0)
        let head = dir + "/spool/outbox/audit.head"
        #expect(chown(head, 0, 0) == 0 && chmod(head, 0o640) == 0)
        func daemonAsService() throws -> Program.Run {
            try tests.frs(["setpriv", "--reuid=990", "--regid=990", "--clear-groups", FRSBinary.path,
                           "--models", dir + "/no-models", "daemon", "--once"], in: dir, direct: true)
        }
        let refused = try daemonAsService()
        #expect(refused.status == 1)
        #expect(refused.error.contains("audit.head cannot be read and written by this account (uid 990)"), "\(refused.error)")
        #expect(refused.error.contains("owner uid 0") && refused.error.contains("frs init --daemon-user 990"), "\(refused.error)")
        #expect(try tests.frs(["init", "--daemon-user", "990"], in: dir).status == 0)
        // Past the check now: it stops only at the missing models it was given.
        let after = try daemonAsService()
        #expect(!after.error.contains("cannot be read and written"), "\(after.error)")
        #expect(after.error.contains("no-models"), "\(after.error)")
    }
}
