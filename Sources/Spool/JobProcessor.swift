import Audit
import Basics
import Foundation
import Policy
import Results
import Store
import SystemCalls

/// One worker's hand: takes a claimed file from `active/` to its end, in one of two rooms.
///
/// - A job file (`<job>.json`) goes through the ``JobPipeline``: claim → policy decision →
///   search → result, final audit record, ledger, filing.
/// - A request about something that exists (an approval, a review, a resolution, an outcome, an
///   administrative request) goes to the ``RequestDesk``, which authenticates it by its file's owner,
///   applies or refuses it, and answers its author (``RequestAnswers``).
///
/// One processor is used by one worker thread (it owns a database connection).
public final class JobProcessor {
    /// What both rooms share.
    let services: SpoolServices
    /// The job room.
    let pipeline: JobPipeline
    /// The request room.
    let desk: RequestDesk

    /// The points between a job's hand-off steps, for crash tests.
    public enum HandOff: String, Sendable, CaseIterable {
        /// The job was claimed and its attempt recorded.
        case claimed
        /// The result file is in the outbox.
        case resultWritten
        /// The final audit record is written.
        case finalAuditWritten
        /// The ledger says finished; the job file is still in `active/`.
        case ledgerFinished
    }

    /// - Parameters:
    ///   - layout: the spool.
    ///   - searcher: the face search.
    ///   - gate: the policy.
    ///   - logger: for operators.
    ///   - maxAttempts: attempts before quarantine.
    ///   - clock: the time source.
    ///   - checkpoint: crash-test hook.
    ///   - bulkBatchSize: probes of a bulk job per batch; default `max(8, 4 × cores)`.
    ///   - administer: runs administrative requests (the command line gives it); `nil` refuses them.
    /// - Throws: `DatabaseError` when the database cannot be opened.
    public init(
        layout: SpoolLayout, searcher: any ProbeSearcher, gate: PolicyGate = PolicyGate(), logger: Logger = Logger(),
        maxAttempts: Int = 3, clock: @escaping @Sendable () -> Date = { Date() },
        checkpoint: (@Sendable (HandOff, String) throws -> Void)? = nil, bulkBatchSize: Int? = nil,
        administer: AdministrativeRunner? = nil, feed: FeedRunner? = nil
    ) throws {
        services = try SpoolServices(layout: layout, gate: gate, logger: logger, clock: clock, administer: administer,
                                     feed: feed)
        pipeline = JobPipeline(services: services, searcher: searcher, maxAttempts: maxAttempts, checkpoint: checkpoint,
                               bulkBatchSize: bulkBatchSize)
        desk = RequestDesk(services: services)
    }

    /// Processes one claimed file.
    /// - Throws: what made the attempt fail (I/O, database); the file then stays in `active/`
    ///   for a later attempt, and the failure is recorded in the ledger.
    public func process(_ claim: ClaimedJob) throws {
        do {
            if claim.kind == .job {
                try pipeline.process(claim)
            } else {
                try desk.process(claim)
            }
        } catch let crash as SimulatedCrash {
            throw crash
        } catch {
            services.logger.error("attempt failed", ["job": claim.id, "error": "\(error)"])
            try? services.ledger.recordError(claim.id, "\(error)", now: services.clock())
            throw error
        }
    }

    /// Whether the file with `inode`, dropped by `owner` as `name`, was answered (a job finished, a
    /// request's answer written): a directory answered in place is not taken up again.
    func isAnswered(inode: UInt64, name: String, owner: UInt32) throws -> Bool {
        if ClaimedJob.kind(of: name)?.0 != .job {
            return FileStatus.exists(services.layout.answers.file(request: name, uid: owner))
        }
        let ids = try services.ledger.ids(boundTo: inode, owner: owner, name: name)
        return try ids.contains { try services.ledger.entry($0)?.state == .finished }
    }

    /// Removes a job's drop folder (tests of the drop box call it directly).
    func discardDropFolder(job: String) { pipeline.discardDropFolder(job: job) }
}

/// What the daemon's rooms share for one worker: the spool, the policy, one database connection
/// and what is built on it, the audit log, the evidence store and the views (sheet and board).
final class SpoolServices {
    let layout: SpoolLayout
    let gate: PolicyGate
    let logger: Logger
    let clock: @Sendable () -> Date
    let database: Database
    let registry: Registry
    let ledger: JobLedger
    let audit: AuditLog
    let evidence: EvidenceStore
    let views: JobViews
    /// Runs administrative requests (RequestDesk+Admin.swift).
    let administer: AdministrativeRunner?
    /// Imports the booking feed's transactions and removals (RequestDesk+Feed.swift).
    let feed: FeedRunner?

    init(layout: SpoolLayout, gate: PolicyGate, logger: Logger, clock: @escaping @Sendable () -> Date,
         administer: AdministrativeRunner? = nil, feed: FeedRunner? = nil) throws {
        self.administer = administer
        self.feed = feed
        self.layout = layout
        self.gate = gate
        self.logger = logger
        self.clock = clock
        database = try SpoolDatabase.open(layout)
        registry = Registry(database: database)
        ledger = JobLedger(database: database)
        audit = try AuditLog(directory: layout.audit)
        evidence = EvidenceStore(root: layout.evidence, maximumProbeBytes: gate.config.maxProbeBytes)
        views = JobViews(layout: layout, database: database, evidence: evidence, policy: gate.config, logger: logger,
                         clock: clock)
        do {
            try PublishedPolicy(gate.config).publish(layout)
        } catch {
            logger.warning("outbox/policy.json not written: commands check less before they queue", ["error": "\(error)"])
        }
    }

    /// Appends an audit record at the worker's clock.
    func record(_ event: AuditEvent) throws {
        try audit.append(event, now: clock())
    }

    /// Renames a claimed file from `active/` into `directory` under ``filedName(_:in:)``, never
    /// over another file.
    func file(_ claim: ClaimedJob, into directory: String) throws {
        // Another account's directory stays where it was answered (ClaimedJob.leftInPlace).
        guard !claim.leftInPlace else { return }
        try DurableFile.renameNoReplace(claim.path, to: directory + "/" + filedName(claim, in: directory))
    }

    /// The name a finished claimed file is filed under in `done/` or `failed/`: a job file under
    /// the id it answered as (`<id>.json`), a request under its own name; a name already taken (a
    /// request dropped twice) gets its inode number appended, and a name too long for that is
    /// replaced by the inode number.
    func filedName(_ claim: ClaimedJob, in directory: String) -> String {
        var name = claim.kind == .job ? claim.id + ".json" : claim.name
        if FileStatus.exists(directory + "/" + name) {
            name += ".\(claim.status.inode)"
            if name.utf8.count > 200 { name = "inode-\(claim.status.inode)" }
        }
        return name
    }
}

/// Thrown by a test's checkpoint to stop processing as a crash would.
public struct SimulatedCrash: Error, Equatable {
    public var at: JobProcessor.HandOff
    public init(at: JobProcessor.HandOff) { self.at = at }
}

/// A room of the daemon (the job pipeline, the request desk): it works with one worker's
/// ``SpoolServices`` and reads them by their names.
protocol SpoolRoom {
    var services: SpoolServices { get }
}

extension SpoolRoom {
    var layout: SpoolLayout { services.layout }
    var gate: PolicyGate { services.gate }
    var logger: Logger { services.logger }
    var clock: @Sendable () -> Date { services.clock }
    var database: Database { services.database }
    var registry: Registry { services.registry }
    var ledger: JobLedger { services.ledger }
    var audit: AuditLog { services.audit }
    var evidence: EvidenceStore { services.evidence }
    var views: JobViews { services.views }

    /// Appends an audit record at the worker's clock.
    func record(_ event: AuditEvent) throws { try services.record(event) }

    /// Files a claimed file into `directory` (``SpoolServices/file(_:into:)``).
    func file(_ claim: ClaimedJob, into directory: String) throws { try services.file(claim, into: directory) }
}
