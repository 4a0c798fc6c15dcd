import Foundation
import Store

/// Examiners' dispositions on candidates, in their own table of the spool's database.
///
/// Every recorded review is kept (a later review of the same candidate does not erase an
/// earlier one); ``LeadState`` works out from them which dispositions are in force and the
/// lead's state. Each review keeps the examiner's OS account (uid), so peer review can tell
/// people apart even when one person holds two user ids.
/// A review handed over through the drop box is keyed by its ``RequestKey`` (file name, owner and
/// content), so applying the same file again after a crash records nothing new, and another file
/// under the same name is a new request. Rows recorded before the key was kept hold the bare file
/// name in `request`.
public struct ReviewLog {
    /// The connection.
    public let database: Database

    /// Wraps `database`, its schema brought up to date (``Store/Schema``).
    /// - Throws: `DatabaseError`.
    public init(database: Database) throws {
        self.database = database
        try Schema.migrate(database)  // the table is in Store.Schema
    }

    /// One recorded review.
    public struct Entry: Sendable, Equatable {
        public var job: String
        public var face: Int
        public var candidate: String
        public var examiner: String
        /// The examiner's OS account when the review was recorded; `nil` for reviews recorded
        /// before it was kept.
        public var examinerUID: UInt32?
        public var disposition: ReviewRequest.Disposition
        public var note: String?
        /// The drop-box request it came from; `nil` when recorded directly.
        public var request: String?
        /// When it was recorded (UTC, ISO 8601).
        public var recorded: String
    }

    /// Records a review.
    /// - Parameters:
    ///   - examinerUID: the OS account the review came from.
    ///   - request: the drop-box file name, when it came through the drop box.
    ///   - key: the request's key (``RequestKey/stored``); without one the bare name is the key.
    /// - Returns: `false` when a review from the same request was recorded before (nothing changed).
    @discardableResult
    public func record(_ review: ReviewRequest, examinerUID: UInt32?, request: String?, key: String? = nil,
                       now: Date) throws -> Bool {
        let columns = RequestKey.columns(request: request, key: key)
        try database.query(
            """
            INSERT OR IGNORE INTO reviews
                (job, face, candidate, examiner, examiner_uid, disposition, note, request, request_name, recorded)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(review.job), .integer(Int64(review.face)), .text(review.candidate), .text(review.examiner),
             examinerUID.map { .integer(Int64($0)) } ?? .null,
             .text(review.disposition.rawValue), review.note.map { .text($0) } ?? .null,
             columns.stored, columns.name,
             .text(now.formatted(.iso8601))])
        return database.changes == 1
    }

    /// Every review of `job`, oldest first.
    public func reviews(job: String) throws -> [Entry] {
        try database.query(
            """
            SELECT job, face, candidate, examiner, disposition, note, COALESCE(request_name, request), recorded, examiner_uid
            FROM reviews
            WHERE job = ? ORDER BY id
            """, [.text(job)]
        ).compactMap { row in
            guard let disposition = row.text(4).flatMap(ReviewRequest.Disposition.init(rawValue:)) else { return nil }
            return Entry(job: row.text(0) ?? "", face: Int(row.int(1) ?? 0), candidate: row.text(2) ?? "",
                         examiner: row.text(3) ?? "", examinerUID: row.int(8).flatMap { UInt32(exactly: $0) },
                         disposition: disposition, note: row.text(5), request: row.text(6), recorded: row.text(7) ?? "")
        }
    }

    /// The disposition in force for each reviewed face and candidate of `job` (the latest),
    /// ordered by face number, then candidate.
    public func latest(job: String) throws -> [Entry] {
        var latest: [String: Entry] = [:]
        for entry in try reviews(job: job) { latest["\(entry.face)\u{0}\(entry.candidate)"] = entry }
        return latest.values.sorted { ($0.face, $0.candidate) < ($1.face, $1.candidate) }
    }

    /// Whether a review from this drop-box request (this file: name, owner and content) is recorded.
    /// A row from before keys were kept counts when its name and examiner's uid agree.
    public func hasRequest(_ key: RequestKey) throws -> Bool {
        try !database.query(
            "SELECT 1 FROM reviews WHERE request = ?1 OR (request = ?2 AND request_name IS NULL AND examiner_uid = ?3)",
            [.text(key.stored), .text(key.name), .integer(Int64(key.owner))]).isEmpty
    }
}
