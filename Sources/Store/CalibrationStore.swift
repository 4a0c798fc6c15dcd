import Foundation

/// The table of gallery calibrations (`frs gallery calibrate`): one row per run, newest last.
///
/// A row keeps what an auditor needs to tie a result's `estimated_fpir` figures to the run that
/// produced them: when it ran, the gallery version and size it measured, the target false
/// positive identification rate, the threshold found for it, and the measured curves as JSON
/// (written and read by `FaceSearch.Calibration`; this type does not look inside).
///
/// Rows are never changed or deleted: a new calibration is a new row, and results name the id
/// they used.
///
/// Not `Sendable`: like ``Database``, use it from one thread at a time.
public final class CalibrationStore {
    /// The connection.
    public let database: Database

    /// Opens the calibration table in `database`, creating it if needed.
    /// - Throws: ``DatabaseError``.
    public init(database: Database) throws {
        self.database = database
        try Schema.migrate(database)
    }

    /// Adds a calibration and returns its id.
    /// - Throws: ``DatabaseError``.
    @discardableResult
    public func insert(_ row: StoredCalibration) throws -> Int64 {
        try database.query(
            """
            INSERT INTO gallery_calibrations (created_at, gallery_version, gallery_faces, target_fpir, threshold, curves)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
            [.text(row.created), .integer(row.galleryVersion), .integer(Int64(row.galleryFaces)), .real(row.targetFPIR),
             row.threshold.map(SQLValue.real) ?? .null, .text(row.curves)])
        return database.lastInsertRowID
    }

    /// The id of the newest calibration, or `nil` when the gallery was never calibrated (a cheap
    /// check, made before each search to notice a new calibration).
    public func newestID() throws -> Int64? {
        try database.query("SELECT MAX(id) FROM gallery_calibrations").first?.int(0)
    }

    /// The newest calibration, or `nil`.
    public func newest() throws -> StoredCalibration? {
        guard let id = try newestID() else { return nil }
        return try calibration(id: id)
    }

    /// The calibration with this id, or `nil`.
    public func calibration(id: Int64) throws -> StoredCalibration? {
        guard let row = try database.query(
            """
            SELECT id, created_at, gallery_version, gallery_faces, target_fpir, threshold, curves
            FROM gallery_calibrations WHERE id = ?
            """, [.integer(id)]).first,
            let id = row.int(0), let created = row.text(1), let version = row.int(2), let faces = row.int(3),
            let target = row.double(4), let curves = row.text(6)
        else { return nil }
        return StoredCalibration(id: id, created: created, galleryVersion: version, galleryFaces: Int(faces),
                                 targetFPIR: target, threshold: row.double(5), curves: curves)
    }
}

/// One row of the calibration table.
public struct StoredCalibration: Sendable, Equatable {
    /// The row id (0 before it is stored).
    public var id: Int64
    /// When it ran (UTC, ISO 8601).
    public var created: String
    /// The gallery version measured.
    public var galleryVersion: Int64
    /// Searchable faces in that version.
    public var galleryFaces: Int
    /// The false positive identification rate asked for.
    public var targetFPIR: Double
    /// The threshold found for it (`nil` when no threshold of the grid met it).
    public var threshold: Double?
    /// The measured curves and counts, as JSON.
    public var curves: String

    public init(id: Int64 = 0, created: String, galleryVersion: Int64, galleryFaces: Int, targetFPIR: Double,
                threshold: Double?, curves: String) {
        self.id = id
        self.created = created
        self.galleryVersion = galleryVersion
        self.galleryFaces = galleryFaces
        self.targetFPIR = targetFPIR
        self.threshold = threshold
        self.curves = curves
    }
}
