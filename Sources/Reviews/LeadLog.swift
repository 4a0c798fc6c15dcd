import Foundation
import Store

/// Supervisors' resolutions of disputed leads and the outcomes recorded on leads, in their own
/// tables of the spool's database (beside ``ReviewLog``'s reviews).
///
/// A request handed over through the drop box is keyed by its ``RequestKey`` (file name, owner and
/// content), so applying the same file again after a crash records nothing new, and another file
/// under the same name is a new request (rows from before hold the bare name).
public struct LeadLog {
    /// The connection.
    public let database: Database

    /// Wraps `database`, its schema brought up to date (``Store/Schema``).
    /// - Throws: `DatabaseError`.
    public init(database: Database) throws {
        self.database = database
        try Schema.migrate(database)  // the tables are in Store.Schema
    }

    /// A supervisor's resolution of a disputed lead.
    public struct Resolution: Sendable, Equatable {
        public var job: String
        public var face: Int
        public var candidate: String
        public var supervisor: String
        public var supervisorUID: UInt32?
        public var disposition: ReviewRequest.Disposition
        public var note: String
        public var request: String?
        /// When it was recorded (UTC, ISO 8601).
        public var recorded: String
    }

    /// An outcome recorded on a lead.
    public struct Outcome: Sendable, Equatable {
        public var job: String
        public var face: Int
        public var candidate: String
        public var recordedBy: String
        public var recorderUID: UInt32?
        public var action: OutcomeRequest.Action
        public var corroboration: String?
        public var request: String?
        /// When it was recorded (UTC, ISO 8601).
        public var recorded: String
    }

    /// Records a resolution.
    /// - Returns: `false` when one from the same request was recorded before.
    @discardableResult
    public func record(_ resolution: ResolutionRequest, supervisorUID: UInt32?, request: String?, key: String? = nil,
                       now: Date) throws -> Bool {
        let columns = RequestKey.columns(request: request, key: key)
        try database.query(
            """
            INSERT OR IGNORE INTO resolutions
                (job, face, candidate, supervisor, supervisor_uid, disposition, note, request, request_name, recorded)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(resolution.job), .integer(Int64(resolution.face)), .text(resolution.candidate),
             .text(resolution.supervisor), supervisorUID.map { .integer(Int64($0)) } ?? .null,
             .text(resolution.disposition.rawValue), .text(resolution.note), columns.stored, columns.name,
             .text(now.formatted(.iso8601))])
        return database.changes == 1
    }

    /// Records an outcome.
    /// - Returns: `false` when one from the same request was recorded before.
    @discardableResult
    public func record(_ outcome: OutcomeRequest, recorderUID: UInt32?, request: String?, key: String? = nil,
                       now: Date) throws -> Bool {
        let columns = RequestKey.columns(request: request, key: key)
        try database.query(
            """
            INSERT OR IGNORE INTO outcomes
                (job, face, candidate, recorded_by, recorder_uid, action, corroboration, request, request_name, recorded)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(outcome.job), .integer(Int64(outcome.face)), .text(outcome.candidate), .text(outcome.recordedBy),
             recorderUID.map { .integer(Int64($0)) } ?? .null, .text(outcome.action.rawValue),
             outcome.corroboration.map { .text($0) } ?? .null, columns.stored, columns.name,
             .text(now.formatted(.iso8601))])
        return database.changes == 1
    }

    /// Every resolution of `job`, oldest first.
    public func resolutions(job: String) throws -> [Resolution] {
        try database.query(
            """
            SELECT job, face, candidate, supervisor, supervisor_uid, disposition, note, COALESCE(request_name, request),
                   recorded
            FROM resolutions WHERE job = ? ORDER BY id
            """, [.text(job)]
        ).compactMap { row in
            guard let disposition = row.text(5).flatMap(ReviewRequest.Disposition.init(rawValue:)) else { return nil }
            return Resolution(job: row.text(0) ?? "", face: Int(row.int(1) ?? 0), candidate: row.text(2) ?? "",
                              supervisor: row.text(3) ?? "", supervisorUID: row.int(4).flatMap { UInt32(exactly: $0) },
                              disposition: disposition, note: row.text(6) ?? "", request: row.text(7),
                              recorded: row.text(8) ?? "")
        }
    }

    /// Every outcome of `job`, oldest first.
    public func outcomes(job: String) throws -> [Outcome] {
        try database.query(
            """
            SELECT job, face, candidate, recorded_by, recorder_uid, action, corroboration, COALESCE(request_name, request),
                   recorded
            FROM outcomes WHERE job = ? ORDER BY id
            """, [.text(job)]
        ).compactMap { row in
            guard let action = row.text(5).flatMap(OutcomeRequest.Action.init(rawValue:)) else { return nil }
            return Outcome(job: row.text(0) ?? "", face: Int(row.int(1) ?? 0), candidate: row.text(2) ?? "",
                           recordedBy: row.text(3) ?? "", recorderUID: row.int(4).flatMap { UInt32(exactly: $0) },
                           action: action, corroboration: row.text(6), request: row.text(7), recorded: row.text(8) ?? "")
        }
    }

    /// Whether a resolution or an outcome from this drop-box request (this file: name, owner and
    /// content) is recorded. A row from before keys were kept counts when its name and uid agree.
    public func hasRequest(_ key: RequestKey) throws -> Bool {
        try !database.query(
            """
            SELECT 1 FROM resolutions
            WHERE request = ?1 OR (request = ?2 AND request_name IS NULL AND supervisor_uid = ?3)
            UNION ALL
            SELECT 1 FROM outcomes WHERE request = ?1 OR (request = ?2 AND request_name IS NULL AND recorder_uid = ?3)
            """, [.text(key.stored), .text(key.name), .integer(Int64(key.owner))]).isEmpty
    }
}
