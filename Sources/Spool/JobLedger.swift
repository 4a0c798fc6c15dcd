import Foundation
import Store

/// The state of every job the daemons have seen, in the spool's database: the attempts made, the
/// supervisor's decision on a held job, and whether the job is finished.
///
/// The ledger is what makes finishing idempotent: a job is finished once its result file is in
/// the outbox and its final audit record is written, and ``markFinished(_:decision:now:)``
/// records that exactly once. A daemon that meets the job again (after a crash before the job
/// file left `active/`) sees it finished and only moves the file on.
public struct JobLedger {
    /// The connection.
    public let database: Database

    public init(database: Database) { self.database = database }

    /// Records one more attempt at `job` (created on first sight), state `active`.
    /// - Returns: the number of attempts including this one, and whether this is the first time
    ///   the job was seen.
    public func beginAttempt(_ job: String, now: Date) throws -> (attempt: Int, firstSeen: Bool) {
        try database.transaction {
            let time = Registry.timestamp(now)
            let existing = try entry(job)
            if let existing, existing.state == .finished { return (existing.attempts, false) }
            try database.query(
                """
                INSERT INTO jobs (id, state, attempts, received, updated) VALUES (?, 'active', 1, ?, ?)
                ON CONFLICT(id) DO UPDATE SET state = 'active', attempts = attempts + 1, updated = excluded.updated
                """, [.text(job), .text(time), .text(time)])
            return ((existing?.attempts ?? 0) + 1, existing == nil)
        }
    }

    /// Records why an attempt failed (the job stays in `active/` for the next attempt).
    public func recordError(_ job: String, _ message: String, now: Date) throws {
        try database.query("UPDATE jobs SET last_error = ?, updated = ? WHERE id = ?",
                           [.text(message), .text(Registry.timestamp(now)), .text(job)])
    }

    /// Records that the job waits in `held/`; the attempts start over when it is released.
    public func markHeld(_ job: String, now: Date) throws {
        try database.query("UPDATE jobs SET state = 'held', attempts = 0, updated = ? WHERE id = ? AND state != 'finished'",
                           [.text(Registry.timestamp(now)), .text(job)])
    }

    /// Records a supervisor's decision on a held job.
    public func recordApproval(_ job: String, approved: Bool, by supervisor: String, note: String?, now: Date) throws {
        try database.query(
            "UPDATE jobs SET approval = ?, approver = ?, approval_note = ?, state = 'queued', updated = ? WHERE id = ?",
            [.text(approved ? "approved" : "rejected"), .text(supervisor), note.map { .text($0) } ?? .null,
             .text(Registry.timestamp(now)), .text(job)])
    }

    /// Records that the job's result and final audit record are written. Idempotent.
    /// - Returns: whether this call finished the job (false when it was finished already).
    @discardableResult
    public func markFinished(_ job: String, decision: String, now: Date) throws -> Bool {
        let time = Registry.timestamp(now)
        try database.query(
            """
            INSERT INTO jobs (id, state, attempts, decision, received, updated) VALUES (?, 'finished', 1, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET state = 'finished', decision = excluded.decision, updated = excluded.updated
            WHERE jobs.state != 'finished'
            """, [.text(job), .text(decision), .text(time), .text(time)])
        return database.changes == 1
    }

    /// The ledger's entry for `job`.
    public func entry(_ job: String) throws -> LedgerEntry? {
        try database.query(
            "SELECT id, state, attempts, decision, last_error, approval, approver, approval_note, received, updated FROM jobs WHERE id = ?",
            [.text(job)]
        ).first.map(LedgerEntry.init(row:))
    }

    /// All entries, newest first.
    public func entries(limit: Int = 1000) throws -> [LedgerEntry] {
        try database.query(
            "SELECT id, state, attempts, decision, last_error, approval, approver, approval_note, received, updated FROM jobs ORDER BY updated DESC LIMIT ?",
            [.integer(Int64(limit))]
        ).map(LedgerEntry.init(row:))
    }
}

/// One job's line in the ledger.
public struct LedgerEntry: Sendable, Equatable {
    /// Where the job is in its life.
    public enum State: String, Sendable {
        /// Claimed by a daemon (or left behind by a dead one).
        case active
        /// Waiting for a supervisor in `held/`.
        case held
        /// Released by a supervisor, back in `incoming/`.
        case queued
        /// Result and final audit record written.
        case finished
    }

    public var job: String
    public var state: State
    public var attempts: Int
    /// `completed`, `denied` or `failed` once finished.
    public var decision: String?
    public var lastError: String?
    /// `approved` or `rejected`, when a supervisor decided on a held job.
    public var approval: String?
    public var approver: String?
    public var approvalNote: String?
    public var received: String
    public var updated: String

    init(row: Row) {
        job = row.text(0) ?? ""
        state = State(rawValue: row.text(1) ?? "") ?? .active
        attempts = Int(row.int(2) ?? 0)
        decision = row.text(3)
        lastError = row.text(4)
        approval = row.text(5)
        approver = row.text(6)
        approvalNote = row.text(7)
        received = row.text(8) ?? ""
        updated = row.text(9) ?? ""
    }
}
