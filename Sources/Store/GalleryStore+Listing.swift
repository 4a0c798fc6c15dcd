import Basics
import Foundation

/// What the gallery holds, subject by subject: `frs gallery list`, the examiner's sheet beside a
/// candidate, and the subject ids of `frs gallery duplicates`. Removed subjects are not listed.
extension GalleryStore {
    /// The subjects that can be found (all, or the one named), in subject order.
    /// - Complexity: one query, O(images).
    public func subjects(_ only: String? = nil) throws -> [GallerySubjectSummary] {
        var out: [GallerySubjectSummary] = []
        try database.forEachRow(
            """
            SELECT s.subject, s.name, s.date_of_birth, s.created_at, COUNT(i.id), MIN(i.captured), MAX(i.captured),
                   GROUP_CONCAT(DISTINCT replace(i.source, ',', char(30))), (SELECT COUNT(*) FROM gallery_faces f JOIN gallery_images j
                   ON f.image_id = j.id WHERE j.subject_id = s.id)
            FROM gallery_subjects s LEFT JOIN gallery_images i ON i.subject_id = s.id
            WHERE s.removed_at IS NULL AND (? IS NULL OR s.subject = ?)
            GROUP BY s.id ORDER BY s.subject
            """, [only.map(SQLValue.text) ?? .null, only.map(SQLValue.text) ?? .null]
        ) { row in
            guard let subject = row.text(0) else { return }
            // Commas inside a source were sent as RS, so that GROUP_CONCAT's commas separate sources alone.
            let sources = (row.text(7) ?? "").split(separator: ",").map { $0.replacingOccurrences(of: "\u{1E}", with: ",") }.sorted()
            out.append(GallerySubjectSummary(
                subject: subject, name: row.text(1), dateOfBirth: row.text(2), createdAt: row.text(3) ?? "",
                images: Int(row.int(4) ?? 0), faces: Int(row.int(8) ?? 0), firstCaptured: row.text(5),
                lastCaptured: row.text(6), sources: sources))
        }
        return out
    }

    /// A subject's images with what is known of each and its enrolled face (the largest), oldest enrollment first.
    public func images(ofSubject subject: String) throws -> [GalleryImageSummary] {
        var out: [GalleryImageSummary] = []
        try database.forEachRow(
            """
            SELECT i.path, i.sha256, i.source, i.captured, i.profile, i.pose, i.enrolled_at,
                   (SELECT COUNT(*) FROM gallery_faces f WHERE f.image_id = i.id),
                   f.box_left, f.box_top, f.box_right, f.box_bottom
            FROM gallery_images i JOIN gallery_subjects s ON i.subject_id = s.id
            LEFT JOIN gallery_faces f ON f.id = (SELECT g.id FROM gallery_faces g WHERE g.image_id = i.id
                ORDER BY (g.box_right - g.box_left) * (g.box_bottom - g.box_top) DESC LIMIT 1)
            WHERE s.subject = ? AND s.removed_at IS NULL ORDER BY i.id
            """, [.text(subject)]
        ) { row in
            guard let path = row.text(0), let sha = row.text(1) else { return }
            let record = GalleryImageRecord(subject: subject, path: path, sha256: sha, source: row.text(2), captured: row.text(3),
                                            profile: row.text(4), pose: row.text(5))
            out.append(GalleryImageSummary(record: record, enrolledAt: row.text(6) ?? "", faces: Int(row.int(7) ?? 0),
                                           box: Self.box(row, at: 8)))
        }
        return out
    }

    /// The subject an enrolled image belongs to, summarized; `nil` when no such image is enrolled.
    public func subject(ofImage path: String) throws -> GallerySubjectSummary? {
        guard let subject = try database.query(
            "SELECT s.subject FROM gallery_images i JOIN gallery_subjects s ON i.subject_id = s.id WHERE i.path = ? AND s.removed_at IS NULL",
            [.text(path)]).first?.text(0)
        else { return nil }
        return try subjects(subject).first
    }

    /// Whether `subject` was removed (its id is retired).
    public func isRemoved(subject: String) throws -> Bool {
        try database.query("SELECT 1 FROM gallery_subjects WHERE subject = ? AND removed_at IS NOT NULL", [.text(subject)]).isEmpty == false
    }

    /// The subject ids (`gallery_subjects.subject`) of subject row ids (``GalleryDescriptors/subjectIDs``).
    public func subjectNames(rowIDs: Set<Int64>) throws -> [Int64: String] {
        var out: [Int64: String] = [:]
        try database.forEachRow("SELECT id, subject FROM gallery_subjects") { row in
            if let id = row.int(0), rowIDs.contains(id), let subject = row.text(1) { out[id] = subject }
        }
        return out
    }
}

/// One subject of the gallery, summarized.
public struct GallerySubjectSummary: Sendable, Equatable, Codable {
    public var subject: String
    /// The name from the booking record (imports only).
    public var name: String?
    /// The date of birth (YYYY-MM-DD; imports only).
    public var dateOfBirth: String?
    /// When the subject was first enrolled (ISO 8601).
    public var createdAt: String
    public var images: Int
    public var faces: Int
    /// The earliest and latest photo dates known.
    public var firstCaptured: String?
    public var lastCaptured: String?
    /// The images' sources (e.g. "ORI NY0303000 TOT CAR TCN 1234567890"), sorted.
    public var sources: [String]
}

/// One image of a subject: its record as enrolled (path, SHA-256, source, photo date, profile,
/// pose; read through as `summary.path` and so on), when, and its faces.
@dynamicMemberLookup
public struct GalleryImageSummary: Sendable, Equatable {
    /// The image as enrolled (its subject included).
    public var record: GalleryImageRecord
    public var enrolledAt: String
    public var faces: Int
    /// The enrolled face (the largest), `nil` when none was found.
    public var box: FaceBox?

    public subscript<T>(dynamicMember field: KeyPath<GalleryImageRecord, T>) -> T { record[keyPath: field] }
}
