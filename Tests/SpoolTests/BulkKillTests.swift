@testable import Spool
import Basics
import Foundation
import Glibc
import Results
import Synchronization
import SystemCalls
import SpoolTestSupport
import TestSupport
import Testing

/// An overnight bulk job killed with SIGKILL at several points resumes where it stopped: no probe
/// lost, none recorded twice, and nothing already recorded searched again.
@Suite("Bulk jobs survive kill -9")
struct BulkKillTests {
    static let probes = 30
    /// Probes per batch in the killed child: records are appended after each batch.
    static let batchSize = 4

    @Test(arguments: [2, 11, 20, 29])
    func killedDuringABulkJobThenResumed(killAt: Int) throws {
        let spool = try TestSpool()
        for i in 0..<Self.probes { try spool.addEvidence("backlog", "p\(i).jpg", bytes: Array("face \(i)".utf8)) }
        try spool.drop("bulk", TestSpool.jobJSON(probes: [], extra: ", \"probe_dir\": \"SCPD/backlog\""))
        let child = try TestChild.run(["bulk-kill", spool.root, "\(killAt)", "\(Self.batchSize)"])
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
