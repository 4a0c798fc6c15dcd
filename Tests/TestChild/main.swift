// frs-test-child: the processes the spool's tests start and kill (a program of its own, not a test
// run in a second copy of the test binary).
//
//   frs-test-child kill-at-handoff SPOOL STEP   a daemon that SIGKILLs itself after STEP of job2
//   frs-test-child drain SPOOL                  a daemon that drains the spool (two workers)
//   frs-test-child until-sigterm SPOOL          a daemon that prints FRS-CLAIMED when job1 is claimed
//                                               and holds it until SIGTERM arrives
//   frs-test-child bulk-kill SPOOL N BATCH      a daemon whose searcher SIGKILLs it at the N-th search
import Basics
import Foundation
import Glibc
import Spool
import SpoolTestSupport
import SpoolTestSupport
import TestSupport

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: frs-test-child kill-at-handoff|drain|until-sigterm|bulk-kill SPOOL ...\n".utf8))
    exit(2)
}
let layout = SpoolLayout(root: arguments[2])
let now = TestClock.now
let quiet = Logger(level: .error, sink: MemorySink())
do {
    switch arguments[1] {
    case "kill-at-handoff":
        let step = JobProcessor.HandOff(rawValue: arguments.count > 3 ? arguments[3] : "")
        _ = try SpoolDaemon(layout: layout, searcher: FakeSearcher(), configuration: .init(workers: 2, once: true),
                            logger: quiet, clock: { now },
                            checkpoint: { point, job in if point == step, job == "job2" { kill(getpid(), SIGKILL) } }).run()
    case "drain":
        _ = try SpoolDaemon(layout: layout, searcher: FakeSearcher(), configuration: .init(workers: 2, once: true),
                            logger: quiet, clock: { now }).run()
    case "until-sigterm":
        // The daemon logs the signal after it has stopped claiming; that line releases job1.
        let sink = SignalLogSink()
        let summary = try SpoolDaemon(
            layout: layout, searcher: FakeSearcher(), configuration: .init(workers: 1, once: false),
            logger: Logger(level: .info, sink: sink), clock: { now },
            checkpoint: { point, job in
                guard point == .claimed, job == "job1" else { return }
                FileHandle.standardOutput.write(Data("FRS-CLAIMED\n".utf8))
                sink.signalled.wait()
            }).run(stoppingOn: [SIGTERM])
        exit(summary.processed == 1 ? 0 : 3)
    case "bulk-kill":
        let killAt = Int(arguments.count > 3 ? arguments[3] : "") ?? 1
        let batch = Int(arguments.count > 4 ? arguments[4] : "") ?? 4
        _ = try SpoolDaemon(layout: layout, searcher: KillingSearcher(killAt: killAt),
                            configuration: .init(workers: 1, once: true, bulkBatchSize: batch), logger: quiet,
                            clock: { now }).run()
    default:
        FileHandle.standardError.write(Data("frs-test-child: unknown mode \(arguments[1])\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("frs-test-child: \(error)\n".utf8))
    exit(1)
}
