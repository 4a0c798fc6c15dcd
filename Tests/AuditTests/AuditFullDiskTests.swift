@testable import Audit
import Foundation
import TestSupport
import Glibc
import Testing

/// The audit log on a file system that fills up: an append that cannot be written whole must
/// leave no torn line behind, and appends succeed again once space returns.
///
/// Needs permission to mount a small tmpfs (root, as CI runs); elsewhere the test is disabled.
@Suite("Audit log on a full disk")
struct AuditFullDiskTests {
    /// A tmpfs of `kibibytes` mounted on a fresh directory, or `nil` when mounting is not permitted.
    final class SmallDisk {
        let path: String

        init?(kibibytes: Int) {
            guard let made = try? TemporaryDirectory.make("audit-full") else { return nil }
            path = made
            guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kibibytes)k", "tmpfs", path]) == 0
            else {
                try? FileManager.default.removeItem(atPath: path)
                return nil
            }
        }

        deinit {
            _ = Self.run("/bin/umount", [path])
            try? FileManager.default.removeItem(atPath: path)
        }

        static func run(_ tool: String, _ arguments: [String]) -> Int32 {
            (try? Program.run(tool, arguments))?.status ?? -1
        }
    }

    static let canMount: Bool = SmallDisk(kibibytes: 64) != nil

    @Test(.enabled(if: canMount, "needs permission to mount a tmpfs"))
    func aFailedAppendLeavesNoTornRecordAndTheLogContinuesWhenSpaceReturns() throws {
        let disk = try #require(SmallDisk(kibibytes: 64))
        let directory = disk.path + "/audit"
        let log = try AuditLog(directory: directory)
        // 16 KiB held back, to give back once the disk is full.
        let ballast = disk.path + "/ballast"
        #expect(FileManager.default.createFile(atPath: ballast, contents: Data(count: 16 << 10)))
        // Records of ~3 KB (an odd size, so the last one straddles the end of the space).
        let pad = String(repeating: "x", count: 3001)
        func event(_ n: Int) -> AuditEvent {
            AuditEvent(event: "test.filled", actor: "t", outcome: "ok", details: ["n": "\(n)", "pad": pad])
        }
        var written = 0
        var failure: (any Error)?
        for n in 0..<1000 {
            do {
                try log.append(event(n), now: AuditFixtures.time(seconds: Double(n)))
                written += 1
            } catch {
                failure = error
                break
            }
        }
        #expect(failure != nil, "the disk never filled")
        #expect(written > 5)
        // Every record reported written is there, and nothing else: no torn tail.
        let full = AuditVerifier.verify(directory: directory)
        #expect(full.isIntact, "\(full.failure.map { "\($0)" } ?? "")")
        #expect(full.records == written)

        // Space returns: the chain goes on from the last whole record, with no recovery needed.
        try FileManager.default.removeItem(atPath: ballast)
        let next = try log.append(event(written), now: AuditFixtures.time(seconds: Double(written)))
        #expect(next.seq == written + 1)
        let after = AuditVerifier.verify(directory: directory)
        #expect(after.isIntact, "\(after.failure.map { "\($0)" } ?? "")")
        #expect(after.records == written + 1)
        #expect(try AuditReader(directory: directory).records().allSatisfy { $0.event.event == "test.filled" })
    }
}
