@testable import Spool
import Basics
import Foundation
import Glibc
import Results
import Synchronization
import SystemCalls
import Testing

/// A searcher that SIGKILLs its own process at the `killAt`-th search (counting from 1).
final class KillingSearcher: ProbeSearcher {
    let killAt: Int
    let count = Mutex<Int>(0)
    init(killAt: Int) { self.killAt = killAt }
    var galleryVersion: Int64 { 1 }
    var modelIDs: [String: String] { [:] }
    func search(imageBytes: [UInt8], maxCandidates: Int, threshold: Double) throws -> [FaceResult] {
        if count.withLock({ $0 += 1; return $0 }) == killAt { kill(getpid(), SIGKILL) }
        return try FakeSearcher().search(imageBytes: imageBytes, maxCandidates: maxCandidates, threshold: threshold)
    }
}

/// An overnight bulk job killed with SIGKILL at several points resumes where it stopped: no probe
/// lost, none recorded twice, and nothing already recorded searched again.
@Suite("Bulk jobs survive kill -9")
struct BulkKillTests {
    static let environment = ProcessInfo.processInfo.environment
    static let probes = 30
    /// Probes per batch in the killed child: records are appended after each batch.
    static let batchSize = 4

    /// Runs in a child only: process the spool until the searcher kills the process.
    @Test(.enabled(if: environment["FRS_BULK_KILL_SPOOL"] != nil))
    func childBulkDaemonKilledMidJob() throws {
        let layout = SpoolLayout(root: Self.environment["FRS_BULK_KILL_SPOOL"] ?? "")
        let now = TestSpool.now
        let daemon = SpoolDaemon(
            layout: layout, searcher: KillingSearcher(killAt: Int(Self.environment["FRS_BULK_KILL_AT"] ?? "") ?? 1),
            configuration: .init(workers: 1, once: true, bulkBatchSize: Self.batchSize),
            logger: Logger(level: .error, sink: MemorySink()),
            clock: { now })
        _ = try daemon.run()
    }

    @Test(.enabled(if: environment["FRS_BULK_KILL_SPOOL"] == nil), arguments: [2, 11, 20, 29])
    func killedDuringABulkJobThenResumed(killAt: Int) throws {
        let spool = try TestSpool()
        for i in 0..<Self.probes { try spool.addEvidence("backlog", "p\(i).jpg", bytes: Array("face \(i)".utf8)) }
        try spool.drop("bulk", TestSpool.jobJSON(probes: [], extra: ", \"probe_dir\": \"SCPD/backlog\""))
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["--testing-library", "swift-testing", "--filter", "childBulkDaemonKilledMidJob"]
        var environment = Self.environment
        environment["FRS_BULK_KILL_SPOOL"] = spool.root
        environment["FRS_BULK_KILL_AT"] = "\(killAt)"
        child.environment = environment
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        child.waitUntilExit()
        #expect(child.terminationReason == .uncaughtSignal && child.terminationStatus == SIGKILL)

        // What the killed run recorded.
        let progressPath = spool.layout.bulkProgress(for: "bulk")
        let before = (try? DurableFile.read(progressPath)) ?? []
        let recorded = Set(before.split(separator: 0x0a).compactMap { try? JSONDecoder().decode(ProbeRecord.self, from: Data($0)).image })
        // Every batch searched in full before the kill was recorded (appended, not yet synced:
        // the page cache outlives the process): later kill points did record probes.
        #expect(recorded.count == Self.batchSize * ((killAt - 1) / Self.batchSize), "kill at \(killAt): \(recorded.count) recorded")

        let searcher = FlakySearcher(failOn: "never")
        _ = try spool.drain(searcher: searcher)
        let searchedAgain = searcher.state.withLock { Set($0.searched.keys) }
        let recordedBytes = Set(recorded.map { "face " + $0.dropFirst("SCPD/backlog/p".count).dropLast(".jpg".count) })
        #expect(searchedAgain.isDisjoint(with: recordedBytes), "recorded before the kill, searched again: \(searchedAgain.intersection(recordedBytes))")

        let lines = try DurableFile.read(spool.layout.resultLines("bulk")).split(separator: 0x0a)
        let images = try lines.map { try JSONDecoder().decode(ProbeRecord.self, from: Data($0)).image }
        #expect(images.count == Self.probes, "kill at search \(killAt): \(images.count) records")
        #expect(Set(images) == Set((0..<Self.probes).map { "SCPD/backlog/p\($0).jpg" }))
        #expect(try spool.result("bulk").probeCount == Self.probes)
        let finals = try spool.finalRecords(for: "bulk")
        #expect(finals.count == 1)
        // The final record counts every record's candidates (the annual report's "candidates returned").
        let candidates = try lines.reduce(0) { total, line in
            total + (try JSONDecoder().decode(ProbeRecord.self, from: Data(line))).faces.reduce(0) { $0 + $1.candidates.count }
        }
        #expect(candidates > 0)
        #expect(finals.first?.event.candidates == candidates)
    }
}
