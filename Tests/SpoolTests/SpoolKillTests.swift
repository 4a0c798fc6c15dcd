@testable import Spool
import Audit
import Basics
import Foundation
import Glibc
import Results
import SystemCalls
import SpoolTestSupport
import TestSupport
import Testing

/// Real crashes: a child process (`frs-test-child kill-at-handoff`, Tests/TestChild) runs a
/// daemon on a spool and is killed with SIGKILL right after a hand-off step of one job; then a
/// fresh daemon finishes everything. The kernel drops the dead daemon's locks, as in production.
@Suite("Spool survives kill -9")
struct SpoolKillTests {
    static let jobs = ["job0", "job1", "job2", "job3", "job4"]

    @Test(arguments: JobProcessor.HandOff.allCases)
    func killedAfterEachHandOffThenRestarted(step: JobProcessor.HandOff) throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        for id in Self.jobs {
            try spool.drop(id, id == "job3" ? "{ malformed" : TestSpool.jobJSON(probes: [probe]))
        }
        let child = try TestChild.run(["kill-at-handoff", spool.root, step.rawValue])
        #expect(child.terminationReason == .uncaughtSignal)
        #expect(child.terminationStatus == SIGKILL)
        #expect(spool.locations(of: "job2") == ["active"])

        try spool.drain(workers: 2)
        for id in Self.jobs {
            #expect(spool.locations(of: id) == ["done"], "\(id) after a kill at \(step)")
            let decision: JobOutcome = id == "job3" ? .denied : .completed
            #expect(try spool.result(id).decision == decision)
            #expect(try spool.finalRecords(for: id).map(\.event.event) == [decision.auditEvent], "\(id) at \(step)")
        }
        #expect(try spool.entries(spool.layout.active).isEmpty)
        // One result per job, and a sheet per completed job (job3 is denied).
        #expect(try spool.entries(spool.layout.results).sorted()
                == Self.jobs.flatMap { $0 == "job3" ? ["\($0).json"] : ["\($0).html", "\($0).json"] }.sorted())
        let verification = AuditVerifier.verify(directory: spool.layout.audit)
        #expect(verification.isIntact, "\(verification)")
    }
}

/// Several daemon processes on one spool: each job is claimed and finished exactly once.
@Suite("Daemon processes share a spool")
struct SpoolProcessesTests {
    @Test func threeProcessesDrainOneSpoolExactlyOnce() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        let ids = (0..<120).map { String(format: "p-%03d", $0) }
        for id in ids { try spool.drop(id, TestSpool.jobJSON(probes: [probe])) }
        let children = try (0..<3).map { _ in try TestChild.start(["drain", spool.root]) }
        for child in children {
            child.waitUntilExit()
            #expect(child.terminationReason == .exit)
            #expect(child.terminationStatus == 0)
        }
        #expect(try spool.entries(spool.layout.done).count == ids.count)
        #expect(try spool.entries(spool.layout.active).isEmpty)
        #expect(try spool.entries(spool.layout.incoming).isEmpty)
        let records = try spool.records()
        var byJob: [String: [String]] = [:]
        for record in records { if let job = record.event.job { byJob[job, default: []].append(record.event.event) } }
        for id in ids {
            #expect(byJob[id] == ["job.received", "job.claimed", "job.completed"], "\(id)")
        }
        // Records from several processes, one unbroken chain.
        #expect(AuditVerifier.verify(directory: spool.layout.audit).isIntact)
    }
}

/// SIGTERM to a daemon process: it stops claiming, finishes the job in flight and exits 0.
@Suite("Daemon stops on SIGTERM")
struct SpoolSignalTests {
    @Test func sigtermFinishesTheJobInFlightAndExitsZero() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        try spool.drop("job1", TestSpool.jobJSON(probes: [probe]))
        let child = Process()
        child.executableURL = URL(fileURLWithPath: TestChild.path)
        child.arguments = ["until-sigterm", spool.root]
        let output = Pipe()
        child.standardOutput = output
        child.standardError = FileHandle.nullDevice
        try child.run()
        // Block until the child says job1 is in flight (a pipe read, not a sleep).
        var seen = ""
        while !seen.contains("FRS-CLAIMED") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        #expect(seen.contains("FRS-CLAIMED"))
        try spool.drop("job2", TestSpool.jobJSON(probes: [probe]))
        kill(child.processIdentifier, SIGTERM)
        _ = output.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        #expect(child.terminationReason == .exit)
        #expect(child.terminationStatus == 0)
        #expect(spool.locations(of: "job1") == ["done"])
        #expect(try spool.result("job1").decision == .completed)
        #expect(spool.locations(of: "job2") == ["incoming"])
    }
}
