@testable import Spool
import Audit
import Basics
import Foundation
import Glibc
import Results
import SystemCalls
import Testing

/// Real crashes: a child process (this test binary, running only the child test below) runs a
/// daemon on a spool and is killed with SIGKILL right after a hand-off step of one job; then a
/// fresh daemon finishes everything. The kernel drops the dead daemon's locks, as in production.
@Suite("Spool survives kill -9")
struct SpoolKillTests {
    static let environment = ProcessInfo.processInfo.environment
    static var isChild: Bool { environment["FRS_KILL_SPOOL"] != nil }
    static let jobs = ["job0", "job1", "job2", "job3", "job4"]

    /// Runs in the child only: process the spool and SIGKILL ourselves after `FRS_KILL_STEP` of job2.
    @Test(.enabled(if: isChild))
    func childDaemonKilledAtHandOff() throws {
        let layout = SpoolLayout(root: Self.environment["FRS_KILL_SPOOL"] ?? "")
        let step = JobProcessor.HandOff(rawValue: Self.environment["FRS_KILL_STEP"] ?? "")
        let now = TestSpool.now
        let daemon = SpoolDaemon(
            layout: layout, searcher: FakeSearcher(), configuration: .init(workers: 2, once: true),
            logger: Logger(level: .error, sink: MemorySink()), clock: { now },
            checkpoint: { point, job in
                if point == step, job == "job2" { kill(getpid(), SIGKILL) }
            })
        _ = try daemon.run()
    }

    @Test(.enabled(if: !isChild), arguments: JobProcessor.HandOff.allCases)
    func killedAfterEachHandOffThenRestarted(step: JobProcessor.HandOff) throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        for id in Self.jobs {
            try spool.drop(id, id == "job3" ? "{ malformed" : TestSpool.jobJSON(probes: [probe]))
        }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["--testing-library", "swift-testing", "--filter", "childDaemonKilledAtHandOff"]
        var environment = Self.environment
        environment["FRS_KILL_SPOOL"] = spool.root
        environment["FRS_KILL_STEP"] = step.rawValue
        child.environment = environment
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        child.waitUntilExit()
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
    static let environment = ProcessInfo.processInfo.environment

    /// Runs in a child only: drain the spool named by `FRS_DRAIN_SPOOL` with two workers.
    @Test(.enabled(if: environment["FRS_DRAIN_SPOOL"] != nil))
    func childDrain() throws {
        let layout = SpoolLayout(root: Self.environment["FRS_DRAIN_SPOOL"] ?? "")
        let now = TestSpool.now
        let daemon = SpoolDaemon(layout: layout, searcher: FakeSearcher(), configuration: .init(workers: 2, once: true),
                                 logger: Logger(level: .error, sink: MemorySink()), clock: { now })
        _ = try daemon.run()
    }

    @Test(.enabled(if: environment["FRS_DRAIN_SPOOL"] == nil && environment["FRS_KILL_SPOOL"] == nil))
    func threeProcessesDrainOneSpoolExactlyOnce() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        let ids = (0..<120).map { String(format: "p-%03d", $0) }
        for id in ids { try spool.drop(id, TestSpool.jobJSON(probes: [probe])) }
        var environment = Self.environment
        environment["FRS_DRAIN_SPOOL"] = spool.root
        let children = (0..<3).map { _ in
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = ["--testing-library", "swift-testing", "--filter", "childDrain"]
            child.environment = environment
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            return child
        }
        for child in children { try child.run() }
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
    static let environment = ProcessInfo.processInfo.environment

    /// Runs in a child only: a daemon (not draining) that reports on stdout when job1 is claimed,
    /// then holds job1 in flight until SIGTERM has arrived.
    @Test(.enabled(if: environment["FRS_SIGNAL_SPOOL"] != nil))
    func childDaemonUntilSIGTERM() throws {
        let layout = SpoolLayout(root: Self.environment["FRS_SIGNAL_SPOOL"] ?? "")
        let now = TestSpool.now
        // The daemon logs the signal after it has stopped claiming; that line releases job1.
        let sink = SignalLogSink()
        let daemon = SpoolDaemon(
            layout: layout, searcher: FakeSearcher(), configuration: .init(workers: 1, once: false),
            logger: Logger(level: .info, sink: sink), clock: { now },
            checkpoint: { point, job in
                guard point == .claimed, job == "job1" else { return }
                FileHandle.standardOutput.write(Data("FRS-CLAIMED\n".utf8))
                sink.signalled.wait()
            })
        let summary = try daemon.run(stoppingOn: [SIGTERM])
        #expect(summary.processed == 1)
    }

    @Test(.enabled(if: environment["FRS_SIGNAL_SPOOL"] == nil && environment["FRS_DRAIN_SPOOL"] == nil
                   && environment["FRS_KILL_SPOOL"] == nil))
    func sigtermFinishesTheJobInFlightAndExitsZero() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        try spool.drop("job1", TestSpool.jobJSON(probes: [probe]))
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["--testing-library", "swift-testing", "--filter", "childDaemonUntilSIGTERM"]
        var environment = Self.environment
        environment["FRS_SIGNAL_SPOOL"] = spool.root
        child.environment = environment
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

/// Signals a semaphore when the daemon logs that a signal arrived.
final class SignalLogSink: LogSink {
    let signalled = DispatchSemaphore(value: 0)
    func write(_ line: String) {
        if line.contains("signal received") { signalled.signal() }
    }
}
