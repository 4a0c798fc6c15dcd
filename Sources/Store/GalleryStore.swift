import Basics
import Foundation

/// The gallery in SQLite: subjects, their enrolled images, the faces found in them (box,
/// landmarks, 128-d descriptor), and a gallery version that changes with every enroll or removal.
///
/// ## Removal
/// `removeSubject` is expungement: the subject's image and face rows, descriptors included, are
/// deleted in the same transaction that bumps the version, so no later search can find them. The
/// deletion runs with `PRAGMA secure_delete` (SQLite overwrites the deleted content with zeros in its
/// pages) and is followed by a `wal_checkpoint(TRUNCATE)`, so neither the database file nor its
/// write-ahead log keeps the descriptors (tested by searching the files' bytes). What this cannot
/// reach: disk blocks a filesystem freed earlier (an old WAL, an unlinked cache file) are not
/// overwritten — full-disk encryption covers those — and the daemon's matrix cache of the previous
/// version is unlinked when the new version is loaded. The subject's row is kept, marked removed with
/// the reason and time, with a row in `gallery_removals`, so an auditor can see that and why a
/// removal happened. A removed subject id is retired: enrolling it again is refused (an old
/// manifest run again must not bring an expunged person back); a new booking takes a new id.
///
/// ## Identities
/// A subject is a person. Booking imports (`frs gallery import`) name the person by an identifying
/// field of the booking record (a state id, a UCN) and keep the name and date of birth on the
/// subject (``GallerySubjectIdentity``); a person booked again gains an image under the same
/// subject. A date of birth never changes: an enrollment that gives another one for the same
/// subject is refused (`identity-conflict`), since two people then share an id. The name and date
/// of birth are erased with the subject's faces on removal.
///
/// ## Schema
/// The tables are in ``Schema`` with every other table of the spool's database, which ``migrate()``
/// brings up to date. Descriptors and
/// landmarks are float32 little-endian blobs.
///
/// Not `Sendable`: like ``Database``, use it from one thread at a time.
public final class GalleryStore {
    /// The connection.
    public let database: Database

    /// Opens the gallery tables in `database`, creating them if needed.
    /// - Throws: ``DatabaseError``.
    public init(database: Database) throws {
        self.database = database
        try migrate()
    }

    /// Brings the database's schema up to date (``Schema``): the gallery's tables are there.
    public func migrate() throws {
        try Schema.migrate(database)
    }

    /// The current gallery version: 0 for a new gallery, +1 with every enroll or removal.
    public func version() throws -> Int64 {
        try database.query("SELECT version FROM gallery_state WHERE id = 1").first?.int(0) ?? 0
    }

    /// The id of the image with this SHA-256 if it is already enrolled (enrolling is idempotent).
    public func enrolledImage(sha256: String) throws -> Int64? {
        try database.query("SELECT id FROM gallery_images WHERE sha256 = ?", [.text(sha256.lowercased())]).first?.int(0)
    }

    /// Enrolls one image of a subject with the faces found in it, in one transaction: the subject
    /// is created if new, the image and faces are added, the version goes up by one.
    ///
    /// - Parameters:
    ///   - image: the image and its subject.
    ///   - faces: the faces found (may be empty: the image is recorded, nothing becomes searchable).
    ///   - identity: who the subject is (name, date of birth), when known: kept on the subject (a
    ///     value given replaces the one stored; one not given keeps it).
    ///   - date: the enrollment time.
    /// - Returns: `.enrolled` with the new ids and version, or `.alreadyEnrolled` when an image
    ///   with the same SHA-256 is there (nothing changes, the version stays).
    /// - Throws: ``GalleryStoreError`` for a removed subject, a date of birth other than the
    ///   subject's (`identity-conflict`) or a malformed record; ``DatabaseError``.
    public func enroll(_ image: GalleryImageRecord, faces: [GalleryFaceRecord], identity: GallerySubjectIdentity? = nil,
                       at date: Date = Date()) throws -> EnrollOutcome {
        try image.validate()
        for (i, face) in faces.enumerated() { try face.validate(index: i) }
        let sha = image.sha256.lowercased()
        let now = Self.timestamp(date)
        return try database.transaction { () throws -> EnrollOutcome in
            let outcome = try insert(image, faces: faces, sha: sha, now: now, identity: identity)
            guard case .enrolled(let imageID, let faceIDs, _) = outcome else { return outcome }
            return .enrolled(imageID: imageID, faceIDs: faceIDs, version: try bumpVersion())
        }
    }

    /// Enrolls many images in one transaction with one version change (for bulk loads such as
    /// `frs bench gallery`); each image as ``enroll(_:faces:at:)`` would, and an image already
    /// enrolled is skipped.
    /// - Returns: the gallery version after the batch (unchanged when nothing was added).
    /// - Throws: as ``enroll(_:faces:at:)``; nothing of the batch is kept on an error.
    public func enroll(batch: [(image: GalleryImageRecord, faces: [GalleryFaceRecord])], at date: Date = Date()) throws -> Int64 {
        for item in batch {
            try item.image.validate()
            for (i, face) in item.faces.enumerated() { try face.validate(index: i) }
        }
        let now = Self.timestamp(date)
        return try database.transaction { () throws -> Int64 in
            var added = false
            for item in batch {
                if case .enrolled = try insert(item.image, faces: item.faces, sha: item.image.sha256.lowercased(), now: now) {
                    added = true
                }
            }
            return added ? try bumpVersion() : try version()
        }
    }

    /// The inserts of one enrollment, inside the caller's transaction (the version is the
    /// caller's to bump; `.enrolled` carries version 0).
    private func insert(_ image: GalleryImageRecord, faces: [GalleryFaceRecord], sha: String, now: String,
                        identity: GallerySubjectIdentity? = nil) throws -> EnrollOutcome {
        if let existing = try database.query("SELECT id FROM gallery_images WHERE sha256 = ?", [.text(sha)]).first?.int(0) {
            return .alreadyEnrolled(imageID: existing)
        }
        let subjectID: Int64
        if let row = try database.query(
            "SELECT id, removed_at, date_of_birth FROM gallery_subjects WHERE subject = ?", [.text(image.subject)]
        ).first, let id = row.int(0) {
            if row.text(1) != nil {
                throw GalleryStoreError(.subjectRemoved, "subject \(image.subject) was removed from the gallery; its id is retired, enroll a new booking under a new id")
            }
            if let stored = row.text(2), let given = identity?.dateOfBirth, stored != given {
                throw GalleryStoreError(.identityConflict, "subject \(image.subject) has another date of birth in the gallery than this record gives: two people may share the id; check the booking record's identifying fields")
            }
            subjectID = id
        } else {
            try database.query(
                "INSERT INTO gallery_subjects (subject, created_at) VALUES (?, ?)", [.text(image.subject), .text(now)])
            subjectID = database.lastInsertRowID
        }
        if let identity {
            try database.query(
                "UPDATE gallery_subjects SET name = COALESCE(?, name), date_of_birth = COALESCE(?, date_of_birth) WHERE id = ?",
                [identity.name.map(SQLValue.text) ?? .null, identity.dateOfBirth.map(SQLValue.text) ?? .null, .integer(subjectID)])
        }
        try database.query(
            """
            INSERT INTO gallery_images (subject_id, path, sha256, source, captured, enrolled_at, profile, pose)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.integer(subjectID), .text(image.path), .text(sha), image.source.map(SQLValue.text) ?? .null,
             image.captured.map(SQLValue.text) ?? .null, .text(now), image.profile.map(SQLValue.text) ?? .null,
             image.pose.map(SQLValue.text) ?? .null])
        let imageID = database.lastInsertRowID
        var faceIDs: [Int64] = []
        for face in faces {
            try database.query(
                """
                INSERT INTO gallery_faces (image_id, box_left, box_top, box_right, box_bottom, landmarks, descriptor)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [.integer(imageID), .integer(Int64(face.box.left)), .integer(Int64(face.box.top)),
                 .integer(Int64(face.box.right)), .integer(Int64(face.box.bottom)),
                 .blob(Self.encode(face.landmarks)), .blob(Self.encode(face.descriptor))])
            faceIDs.append(database.lastInsertRowID)
        }
        return .enrolled(imageID: imageID, faceIDs: faceIDs, version: 0)
    }


    /// Removes a subject from every later search (expungement, dismissal, acquittal): deletes its
    /// images and faces, erases its name and date of birth, marks the subject removed with `reason`,
    /// records the removal and bumps the version, in one transaction. The removal lists the image
    /// paths, for the caller to delete the files it keeps (imported booking photos).
    ///
    /// Authorization (an administrator) and the audit record are the caller's: see
    /// `frs gallery remove`.
    /// - Throws: ``GalleryStoreError`` (`.unknownSubject`, `.alreadyRemoved`, `.invalidRecord` for an
    ///   empty reason); ``DatabaseError``.
    public func removeSubject(_ subject: String, reason: String, at date: Date = Date()) throws -> GalleryRemoval {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw GalleryStoreError(.invalidRecord, "a removal needs a reason") }
        let now = Self.timestamp(date)
        try database.execute("PRAGMA secure_delete=ON")
        defer {
            // Copy the zeroed pages into the database file and empty the log, so the WAL keeps no
            // earlier image of the deleted rows. A reader holding an old snapshot may keep a few
            // frames until the next checkpoint; the daemon's readers are short.
            try? database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        return try database.transaction { () throws -> GalleryRemoval in
            guard let row = try database.query(
                "SELECT id, removed_at FROM gallery_subjects WHERE subject = ?", [.text(subject)]
            ).first, let id = row.int(0) else {
                throw GalleryStoreError(.unknownSubject, "no subject \(subject) in the gallery")
            }
            if let when = row.text(1) {
                throw GalleryStoreError(.alreadyRemoved, "subject \(subject) was already removed at \(when)")
            }
            let faces = try database.query(
                "SELECT COUNT(*) FROM gallery_faces f JOIN gallery_images i ON f.image_id = i.id WHERE i.subject_id = ?",
                [.integer(id)]).first?.int(0) ?? 0
            let paths = try database.query("SELECT path FROM gallery_images WHERE subject_id = ? ORDER BY id", [.integer(id)])
                .compactMap { $0.text(0) }
            try database.query(
                "DELETE FROM gallery_faces WHERE image_id IN (SELECT id FROM gallery_images WHERE subject_id = ?)",
                [.integer(id)])
            try database.query("DELETE FROM gallery_images WHERE subject_id = ?", [.integer(id)])
            let images = Int64(database.changes)
            try database.query(
                "UPDATE gallery_subjects SET removed_at = ?, removal_reason = ?, name = NULL, date_of_birth = NULL WHERE id = ?",
                [.text(now), .text(reason), .integer(id)])
            let version = try bumpVersion()
            try database.query(
                "INSERT INTO gallery_removals (subject_id, removed_at, reason, images, faces, version) VALUES (?, ?, ?, ?, ?, ?)",
                [.integer(id), .text(now), .text(reason), .integer(images), .integer(faces), .integer(version)])
            return GalleryRemoval(subject: subject, images: Int(images), faces: Int(faces), version: version, removedAt: now,
                                  imagePaths: paths)
        }
    }

    /// Counts and the version, read in one snapshot.
    public func stats() throws -> GalleryStats {
        try database.readTransaction { () throws -> GalleryStats in
            func count(_ sql: String) throws -> Int { Int(try database.query(sql).first?.int(0) ?? 0) }
            return GalleryStats(
                subjects: try count("SELECT COUNT(*) FROM gallery_subjects WHERE removed_at IS NULL"),
                removedSubjects: try count("SELECT COUNT(*) FROM gallery_subjects WHERE removed_at IS NOT NULL"),
                images: try count("SELECT COUNT(*) FROM gallery_images"),
                faces: try count("SELECT COUNT(*) FROM gallery_faces"),
                version: try version())
        }
    }

    /// Every searchable face's descriptor with its face and subject ids, and the version they
    /// belong to, read in one snapshot (the input of the matching matrix), in face id order.
    ///
    /// - Parameter dimension: the descriptor length expected (128).
    /// - Throws: ``GalleryStoreError`` (`.invalidRecord`) when a stored descriptor has another
    ///   length; ``DatabaseError``.
    /// - Complexity: O(faces x dimension); rows are streamed, not collected.
    public func activeDescriptors(dimension: Int = 128) throws -> GalleryDescriptors {
        try database.readTransaction { () throws -> GalleryDescriptors in
            var result = GalleryDescriptors(version: try version(), dimension: dimension)
            try readSearchableFaces(after: nil, into: &result)
            return result
        }
    }

    /// What changed since `version`, for updating a matrix of that version in place of rebuilding
    /// it: the subjects removed since (from `gallery_removals`), and the searchable faces added
    /// since, read in one snapshot with the current version.
    ///
    /// Added faces are found by id: every face added after `version` has an id greater than every
    /// face of that version that is still present. (SQLite gives a new row `max(id) + 1`; faces are
    /// deleted only with their subject, so the largest id the caller keeps — a face that was in
    /// the table throughout — was there when each new face was inserted.) The caller says which id
    /// that is once it knows the removals: `lastKeptFaceID(removedSubjects)` is the largest face id
    /// of its rows whose subject is not among them (0 when none is left).
    ///
    /// - Parameters:
    ///   - version: the version the caller's rows belong to.
    ///   - dimension: the descriptor length expected (128).
    ///   - lastKeptFaceID: given the removed subjects' ids, the largest face id the caller keeps.
    /// - Returns: the changes, or nil when `version` is newer than the store's (a replaced
    ///   database: rebuild).
    /// - Throws: ``GalleryStoreError`` (`.invalidRecord`) for a stored descriptor of another
    ///   length; ``DatabaseError``.
    /// - Complexity: O(removals since `version` + faces added x dimension), with the primary keys.
    public func changes(
        since version: Int64, dimension: Int = 128, lastKeptFaceID: (Set<Int64>) -> Int64
    ) throws -> GalleryChanges? {
        try database.readTransaction { () throws -> GalleryChanges? in
            let current = try self.version()
            guard version <= current else { return nil }
            var removed = Set<Int64>()
            try database.forEachRow(
                "SELECT subject_id FROM gallery_removals WHERE version > ?", [.integer(version)]
            ) { row in
                if let id = row.int(0) { removed.insert(id) }
            }
            let after = lastKeptFaceID(removed)
            var added = GalleryDescriptors(version: current, dimension: dimension)
            try readSearchableFaces(after: after, into: &added)
            return GalleryChanges(version: current, removedSubjectIDs: removed, added: added)
        }
    }

    /// What a search result shows about faces: subject, image and box, by face id.
    public func faces(ids: [Int64]) throws -> [Int64: GalleryFaceInfo] {
        var out: [Int64: GalleryFaceInfo] = [:]
        for id in Set(ids) {
            guard let row = try database.query(
                """
                SELECT s.subject, i.path, i.sha256, f.box_left, f.box_top, f.box_right, f.box_bottom
                FROM gallery_faces f JOIN gallery_images i ON f.image_id = i.id
                JOIN gallery_subjects s ON i.subject_id = s.id WHERE f.id = ?
                """, [.integer(id)]).first,
                let subject = row.text(0), let path = row.text(1), let sha = row.text(2), let box = Self.box(row, at: 3)
            else { continue }
            out[id] = GalleryFaceInfo(faceID: id, subject: subject, imagePath: path, imageSHA256: sha, box: box)
        }
        return out
    }

    /// The enrolled face of the gallery image at `path` (the largest, for an image with several
    /// faces), with what the store knows of the image; `nil` when no such image is enrolled.
    public func enrolledFace(imagePath path: String) throws -> GalleryImageFace? {
        guard let row = try database.query(
            """
            SELECT f.box_left, f.box_top, f.box_right, f.box_bottom, i.sha256, i.source, i.captured
            FROM gallery_faces f JOIN gallery_images i ON f.image_id = i.id WHERE i.path = ?
            ORDER BY (f.box_right - f.box_left) * (f.box_bottom - f.box_top) DESC LIMIT 1
            """, [.text(path)]).first,
            let box = Self.box(row, at: 0), let sha = row.text(4)
        else { return nil }
        return GalleryImageFace(box: box, imageSHA256: sha, source: row.text(5), captured: row.text(6))
    }

    // MARK: - Helpers

    /// Appends the searchable faces (subject not removed) with an id above `after` (all when `nil`)
    /// to `descriptors`, in face id order, streamed row by row.
    /// - Throws: ``GalleryStoreError`` (`.invalidRecord`) for a stored descriptor of another length.
    private func readSearchableFaces(after: Int64?, into descriptors: inout GalleryDescriptors) throws {
        let dimension = descriptors.dimension
        var bad: Int64?
        try database.forEachRow(
            """
            SELECT f.id, i.subject_id, f.descriptor FROM gallery_faces f
            JOIN gallery_images i ON f.image_id = i.id
            JOIN gallery_subjects s ON i.subject_id = s.id
            WHERE f.id > ? AND s.removed_at IS NULL ORDER BY f.id
            """, [.integer(after ?? Int64.min)]
        ) { row in
            guard bad == nil, let face = row.int(0), let subject = row.int(1), let blob = row.blob(2),
                  blob.count == dimension * 4
            else {
                if bad == nil { bad = row.int(0) ?? -1 }
                return
            }
            descriptors.faceIDs.append(face)
            descriptors.subjectIDs.append(subject)
            Self.decode(blob, into: &descriptors.descriptors)
        }
        if let bad {
            throw GalleryStoreError(.invalidRecord, "face \(bad) has no \(dimension)-value descriptor")
        }
    }

    /// The box stored in four columns (`box_left, box_top, box_right, box_bottom`) from `first` on.
    static func box(_ row: Row, at first: Int) -> FaceBox? {
        guard let l = row.int(first), let t = row.int(first + 1), let r = row.int(first + 2), let b = row.int(first + 3)
        else { return nil }
        return FaceBox(left: Int(l), top: Int(t), right: Int(r), bottom: Int(b))
    }

    private func bumpVersion() throws -> Int64 {
        try database.query("UPDATE gallery_state SET version = version + 1 WHERE id = 1")
        return try version()
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// Float32 values as little-endian bytes.
    static func encode(_ values: [Float]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 4)
        for v in values {
            let bits = v.bitPattern
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift))) }
        }
        return bytes
    }

    /// Appends the float32 values of little-endian `bytes` to `out`.
    static func decode(_ bytes: [UInt8], into out: inout [Float]) {
        var i = 0
        while i + 4 <= bytes.count {
            let bits = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            out.append(Float(bitPattern: bits))
            i += 4
        }
    }
}

/// Who a subject is, from a booking record: kept in the gallery, never in the audit log.
public struct GallerySubjectIdentity: Sendable, Equatable {
    /// The name as the booking record writes it (ANSI/NIST-ITL `2.018`: LAST,FIRST MIDDLE).
    public var name: String?
    /// The date of birth (YYYY-MM-DD).
    public var dateOfBirth: String?

    public init(name: String?, dateOfBirth: String?) {
        self.name = name
        self.dateOfBirth = dateOfBirth
    }
}

/// A gallery image's enrolled face, for showing it beside a probe face.
public struct GalleryImageFace: Sendable, Equatable {
    /// The face's rectangle in the image.
    public var box: FaceBox
    /// The image's SHA-256 at enrollment (hex): a file that no longer matches is not shown.
    public var imageSHA256: String
    /// Where the image came from (e.g. a booking system), when the manifest said.
    public var source: String?
    /// When it was taken, when the manifest said.
    public var captured: String?
}

/// An image to enroll and the subject it shows.
public struct GalleryImageRecord: Sendable, Equatable {
    /// The subject's id (a booking number).
    public var subject: String
    /// Where the image is.
    public var path: String
    /// The image file's SHA-256, hex.
    public var sha256: String
    /// Where it came from (e.g. a booking system), optional.
    public var source: String?
    /// When it was taken (ISO 8601 date), optional.
    public var captured: String?
    /// The subject acquisition profile of a booking photo (ANSI/NIST-ITL `10.013 SAP`), optional.
    public var profile: String?
    /// The pose (`10.020 POS`: F frontal, L/R profile, A angled), optional.
    public var pose: String?

    public init(subject: String, path: String, sha256: String, source: String? = nil, captured: String? = nil,
                profile: String? = nil, pose: String? = nil) {
        self.subject = subject
        self.path = path
        self.sha256 = sha256
        self.source = source
        self.captured = captured
        self.profile = profile
        self.pose = pose
    }

    func validate() throws(GalleryStoreError) {
        guard !subject.isEmpty else { throw GalleryStoreError(.invalidRecord, "empty subject id") }
        guard !path.isEmpty else { throw GalleryStoreError(.invalidRecord, "empty image path") }
        guard sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else {
            throw GalleryStoreError(.invalidRecord, "sha256 must be 64 hex digits, not \"\(sha256)\"")
        }
    }
}

/// A face found in a gallery image.
public struct GalleryFaceRecord: Sendable, Equatable {
    public var box: FaceBox
    /// 5 landmarks as x, y pairs (10 values).
    public var landmarks: [Float]
    /// The 128-d descriptor.
    public var descriptor: [Float]

    public init(box: FaceBox, landmarks: [Float], descriptor: [Float]) {
        self.box = box
        self.landmarks = landmarks
        self.descriptor = descriptor
    }

    func validate(index: Int) throws(GalleryStoreError) {
        guard landmarks.count == 10 else { throw GalleryStoreError(.invalidRecord, "face \(index): \(landmarks.count) landmark values, not 10") }
        guard descriptor.count == 128 else { throw GalleryStoreError(.invalidRecord, "face \(index): \(descriptor.count) descriptor values, not 128") }
        guard descriptor.allSatisfy(\.isFinite), landmarks.allSatisfy(\.isFinite) else {
            throw GalleryStoreError(.invalidRecord, "face \(index): NaN or infinite value")
        }
    }
}

/// What ``GalleryStore/enroll(_:faces:at:)`` did.
public enum EnrollOutcome: Sendable, Equatable {
    /// The image was added with these faces; the gallery is now at `version`.
    case enrolled(imageID: Int64, faceIDs: [Int64], version: Int64)
    /// An image with the same SHA-256 was already enrolled; nothing changed.
    case alreadyEnrolled(imageID: Int64)
}

/// What ``GalleryStore/removeSubject(_:reason:at:)`` removed.
public struct GalleryRemoval: Sendable, Equatable {
    public var subject: String
    public var images: Int
    public var faces: Int
    /// The gallery version after the removal.
    public var version: Int64
    /// When (ISO 8601 UTC).
    public var removedAt: String
    /// The removed images' paths (their files are the caller's to delete, where it owns them).
    public var imagePaths: [String] = []
}

/// Gallery counts.
public struct GalleryStats: Sendable, Equatable {
    /// Subjects that can be found.
    public var subjects: Int
    /// Subjects removed (their faces are gone).
    public var removedSubjects: Int
    public var images: Int
    public var faces: Int
    public var version: Int64
}

/// The searchable faces of one gallery version, row-major.
public struct GalleryDescriptors: Sendable, Equatable {
    public var version: Int64
    public var dimension: Int
    public var faceIDs: [Int64] = []
    /// The subjects' row ids (`gallery_subjects.id`).
    public var subjectIDs: [Int64] = []
    /// `faceIDs.count x dimension` values.
    public var descriptors: [Float] = []

    public init(version: Int64, dimension: Int) {
        self.version = version
        self.dimension = dimension
    }
}

/// What changed in the gallery since a version (``GalleryStore/changes(since:dimension:lastKeptFaceID:)``).
public struct GalleryChanges: Sendable, Equatable {
    /// The current version.
    public var version: Int64
    /// Subjects removed since (their faces must leave every later search).
    public var removedSubjectIDs: Set<Int64>
    /// Searchable faces added since, in face id order.
    public var added: GalleryDescriptors
}

/// A gallery face as a result shows it.
public struct GalleryFaceInfo: Sendable, Equatable {
    public var faceID: Int64
    public var subject: String
    public var imagePath: String
    public var imageSHA256: String
    public var box: FaceBox
}

/// Why a gallery change was refused.
public struct GalleryStoreError: Error, Equatable, CustomStringConvertible {
    /// A closed set.
    public enum Code: String, Sendable {
        /// No such subject.
        case unknownSubject = "unknown-subject"
        /// The subject was removed already.
        case alreadyRemoved = "already-removed"
        /// The subject was removed; its id cannot be enrolled again.
        case subjectRemoved = "subject-removed"
        /// A record's field is missing or malformed.
        case invalidRecord = "invalid-record"
        /// The record gives the subject another date of birth than the gallery has.
        case identityConflict = "identity-conflict"
    }

    public var code: Code
    /// What went wrong and what to do.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
