import Basics
import Dispatch
import Foundation
import Glibc
import Policy
import Results
import Store
import Audit
import Synchronization
import SystemCalls

/// The daemon: a fixed pool of Dispatch workers that claim requests from `incoming/`, recover
/// what dead daemons left in `active/`, and process each with a ``JobProcessor``.
///
/// Any number of daemons, in one process or several, may run on one spool (see ``JobClaimer``).
/// ``stop()`` (wired to SIGTERM and SIGINT by `frs daemon`) makes workers stop claiming; the jobs
/// in flight finish, then ``run()`` returns.
public final class SpoolDaemon: Sendable {
    /// How the daemon runs.
    public struct Configuration: Sendable {
        /// Worker threads.
        public var workers: Int
        /// Drain what is queued (and recoverable), then return.
        public var once: Bool
        /// Seconds between looks at an empty `incoming/`.
        public var pollInterval: Double
        /// Seconds between looks for jobs left in `active/` (besides at start and when draining).
        public var recoveryInterval: Double
        /// Attempts before a failing job is quarantined.
        public var maxAttempts: Int
        /// Probes of a bulk job per batch (`nil`: the processor's default).
        public var bulkBatchSize: Int?

        public init(workers: Int = ProcessInfo.processInfo.activeProcessorCount, once: Bool = false,
                    pollInterval: Double = 1, recoveryInterval: Double = 30, maxAttempts: Int = 3,
                    bulkBatchSize: Int? = nil) {
            self.bulkBatchSize = bulkBatchSize
            self.workers = max(1, workers)
            self.once = once
            self.pollInterval = pollInterval
            self.recoveryInterval = recoveryInterval
            self.maxAttempts = maxAttempts
        }
    }

    /// What a run did.
    public struct Summary: Sendable, Equatable {
        /// Files claimed from `incoming/` or recovered from `active/` and processed to an end or a hold.
        public var processed: Int
        /// Attempts that failed (the job stayed in `active/` for another attempt).
        public var failedAttempts: Int
    }

    public let layout: SpoolLayout
    public let searcher: any ProbeSearcher
    public let gate: PolicyGate
    public let logger: Logger
    public let configuration: Configuration
    let clock: @Sendable () -> Date
    let checkpoint: (@Sendable (JobProcessor.HandOff, String) throws -> Void)?
    /// Runs administrative requests from the drop box (the command line gives it).
    let administer: AdministrativeRunner?
    /// Imports the booking feed (the command line gives it, with the face engine).
    let feed: FeedRunner?

    /// Set once by ``stop()``; workers read it between jobs.
    private let stopping = Atomic<Bool>(false)
    /// Signaled by ``stop()`` to wake idle workers at once.
    private let wake = DispatchSemaphore(value: 0)
    /// Counters for the summary; workers add to them.
    private let processed = Atomic<Int>(0)
    private let failedAttempts = Atomic<Int>(0)
    /// Workers handling a job or request now: memory the searcher keeps is released only when none is.
    private let busyWorkers = Atomic<Int>(0)
    /// When `active/` was last searched for left-behind jobs (seconds since 1970); guarded so one
    /// worker per interval does it.
    private let lastRecovery = Mutex<Double>(0)
    /// The UTC day of the last account housekeeping.
    private let lastHousekeeping = Mutex<Int>(Int.min)

    public init(
        layout: SpoolLayout, searcher: any ProbeSearcher, gate: PolicyGate = PolicyGate(),
        configuration: Configuration = Configuration(), logger: Logger = Logger(),
        clock: @escaping @Sendable () -> Date = { Date() },
        checkpoint: (@Sendable (JobProcessor.HandOff, String) throws -> Void)? = nil,
        administer: AdministrativeRunner? = nil, feed: FeedRunner? = nil
    ) {
        self.administer = administer
        self.feed = feed
        self.layout = layout
        self.searcher = searcher
        self.gate = gate
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        self.checkpoint = checkpoint
    }

    /// Asks the workers to stop after the jobs in flight. Safe from any thread, any number of times.
    public func stop() {
        if stopping.exchange(true, ordering: .sequentiallyConsistent) == false {
            for _ in 0..<configuration.workers { wake.signal() }
        }
    }

    /// Whether ``stop()`` was called.
    public var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

    /// Stack of each worker thread (the engine's recursion is shallow; the pyramid and tensors
    /// live on the heap): the usual 8 MiB.
    static let workerStackBytes = 8 << 20

    /// Runs the workers until stopped (or, with `once`, until nothing is left to do).
    /// - Returns: what was done.
    /// - Throws: ``DaemonError`` when any worker stopped on an error (it could not start, or, when
    ///   draining, gave up after failed attempts in a row), even if other workers processed jobs:
    ///   `frs daemon --once` then exits 1. The message gives the counts.
    public func run() throws -> Summary {
        let group = DispatchGroup()
        let startErrors = Mutex<[String]>([])
        logger.info("daemon starting", ["workers": "\(configuration.workers)", "once": "\(configuration.once)"])
        // What this account must be able to write, checked before any job is taken.
        let problems = SpoolReadiness.check(layout)
        for problem in problems where !problem.fatal { logger.error("\(problem)") }
        let fatal = problems.filter(\.fatal)
        guard fatal.isEmpty else {
            throw DaemonError(message: "the daemon cannot run on this spool: " + fatal.map(\.description).joined(separator: "; "))
        }
        do {
            let services = try SpoolServices(layout: layout, gate: gate, logger: logger, clock: clock)
            let published = try services.views.publishMissing(ledger: services.ledger, registry: services.registry)
            if published > 0 { logger.info("published status records missed while a board could not be written",
                                           ["records": "\(published)"]) }
        } catch {
            logger.warning("cannot look for status records missed", ["error": "\(error)"])
        }
        housekeep()
        do {
            let swept = try SpoolJanitor(layout: layout).sweep(now: clock())
            if swept != SpoolJanitor.Report() { logger.info("swept the drop boxes", ["report": "\(swept)"]) }
        } catch {
            logger.warning("cannot sweep the drop boxes", ["error": "\(error)"])
        }
        // Each worker is a thread of its own: a worker blocks for a whole job, and on a Dispatch
        // queue the second one waited about a second for the pool to add a thread.
        for index in 0..<configuration.workers {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                do {
                    try self.work(index)
                } catch {
                    self.logger.error("worker stopped", ["worker": "\(index)", "error": "\(error)"])
                    startErrors.withLock { $0.append("\(error)") }
                }
            }
            thread.name = "frs worker \(index)"
            thread.stackSize = Self.workerStackBytes
            thread.start()
        }
        group.wait()
        let summary = Summary(processed: processed.load(ordering: .relaxed),
                              failedAttempts: failedAttempts.load(ordering: .relaxed))
        logger.info("daemon stopped", ["processed": "\(summary.processed)", "failed_attempts": "\(summary.failedAttempts)"])
        let errors = startErrors.withLock { $0 }
        if !errors.isEmpty {
            throw DaemonError(message: "\(errors.count) of \(configuration.workers) workers stopped: "
                + errors.joined(separator: "; ")
                + " (processed \(summary.processed), failed attempts \(summary.failedAttempts))")
        }
        return summary
    }

    /// Runs as ``run()``, stopping gracefully when one of `signals` arrives (`frs daemon` passes
    /// SIGTERM and SIGINT).
    ///
    /// The signals are ignored by the default handler and delivered to Dispatch signal sources,
    /// whose handlers run on a queue (not in an async-signal context), so ``stop()`` is safe there.
    public func run(stoppingOn signals: [Int32]) throws -> Summary {
        let sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                self?.stop()
                self?.logger.info("signal received; finishing the jobs in flight", ["signal": "\(number)"])
            }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        return try run()
    }

    /// One worker's loop.
    private func work(_ index: Int) throws {
        let log = logger.with("worker", "\(index)")
        let processor = try JobProcessor(layout: layout, searcher: searcher, gate: gate, logger: log,
                                         maxAttempts: configuration.maxAttempts, clock: clock, checkpoint: checkpoint,
                                         bulkBatchSize: configuration.bulkBatchSize, administer: administer, feed: feed)
        let claimer = JobClaimer(layout: layout, perAccountLimit: gate.config.maxQueuedPerAccount)
        // Failed attempts in a row by this worker: when draining, a spool where nothing succeeds
        // (a broken database) must not keep the worker spinning.
        var failuresInARow = 0
        let giveUpAfter = 3 * configuration.maxAttempts + 3
        let handle: (ClaimedJob) throws -> Void = { claim in
            do {
                self.busyWorkers.add(1, ordering: .relaxed)
                defer { self.busyWorkers.subtract(1, ordering: .relaxed) }
                try processor.process(claim)
            } catch let crash as SimulatedCrash {
                throw crash
            } catch {
                self.failedAttempts.add(1, ordering: .relaxed)
                failuresInARow += 1
                if self.configuration.once, failuresInARow >= giveUpAfter {
                    throw DaemonError(message: "giving up after \(failuresInARow) failed attempts in a row: \(error)")
                }
                return
            }
            failuresInARow = 0
            self.processed.add(1, ordering: .relaxed)
        }
        // This worker's listing of incoming/, worked through before listing again.
        var queued = JobClaimer.Listing()
        // The file this worker recovered last: the next recovery starts after it.
        var lastRecovered: String?
        let recover: (ClaimedJob) throws -> Void = { claim in
            lastRecovered = claim.name
            try handle(claim)
        }
        // When draining: how many times in a row recovery passed over a file whose lock someone held.
        var busyPasses = 0
        while !isStopping {
            var busy = false
            do {
                if try claimer.claimNext(from: &queued, handle) { continue }
                housekeep()
                if recoveryDue(), try claimer.recoverNext(after: lastRecovered, busy: &busy, recover)
                    || claimer.recoverLeftInPlace(isAnswered: processor.isAnswered, handle) {
                    // A recovered job went through: look for the next one now, not an interval
                    // later, so a backlog left by a fault (a full disk) drains once it is gone.
                    if failuresInARow == 0 { lastRecovery.withLock { $0 = 0 } }
                    continue
                }
            } catch let crash as SimulatedCrash {
                throw crash
            } catch let error as DaemonError {
                throw error
            } catch {
                log.error("cannot claim", ["error": "\(error)"])
                if configuration.once { throw error }
            }
            if configuration.once {
                // A file in active/ whose lock is held: another daemon's job in flight, or a child
                // process of ours between fork and exec still holding the descriptor of the job just
                // handled. A drain waits a little (up to 5 s) for it rather than leaving it behind.
                guard busy, busyPasses < 50 else { return }
                busyPasses += 1
                usleep(100_000)
                continue
            }
            // Nothing to do anywhere: what the searcher keeps between probes (a detector's pyramid and
            // row buffers, some 250 MB a worker) is given back until work comes. Not while another
            // worker runs a job (one bulk job keeps its batches' buffers while the other workers idle).
            if busyWorkers.load(ordering: .relaxed) == 0 { searcher.releaseKeptMemory() }
            _ = wake.wait(timeout: .now() + configuration.pollInterval)
        }
    }

    /// The daily housekeeping (idle accounts, ``AccountHousekeeping``): at start, then once a day
    /// across the workers. A failure is logged; jobs go on.
    func housekeep() {
        let day = UTCDay.number(of: clock())
        guard lastHousekeeping.withLock({ last in
            guard last != day else { return false }
            last = day
            return true
        }) else { return }
        do {
            let database = try SpoolDatabase.open(layout)
            let disabled = try AccountHousekeeping.disableInactive(
                registry: Registry(database: database), audit: try AuditLog(directory: layout.audit), board: layout.board,
                policy: gate.config, now: clock())
            for person in disabled {
                logger.warning("account disabled after \(gate.config.inactiveDisableDays) days without activity",
                               ["user": person.id, "uid": "\(person.uid)", "last_active": person.lastActive ?? "?"])
            }
        } catch {
            logger.error("account housekeeping failed", ["error": "\(error)"])
        }
    }

    /// Whether this worker should look in `active/` now: always when draining, otherwise at
    /// start and once per recovery interval across the workers.
    private func recoveryDue() -> Bool {
        if configuration.once { return true }
        let now = clock().timeIntervalSince1970
        return lastRecovery.withLock { last in
            guard now - last >= configuration.recoveryInterval else { return false }
            last = now
            return true
        }
    }
}

/// The daemon could not run.
public struct DaemonError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
