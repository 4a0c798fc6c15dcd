import Audit
import Foundation
import Glibc
@testable import Spool
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
        #expect(try spool.entries(spool.layout.results).sorted() == Self.jobs.map { "\($0).json" })
        let verification = AuditVerifier.verify(directory: spool.layout.audit)
        #expect(verification.isIntact, "\(verification)")
    }
}
