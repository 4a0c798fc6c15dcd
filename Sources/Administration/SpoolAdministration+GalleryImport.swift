import ANSINIST
import Audit
import FaceEngine
import FaceSearch
import Foundation
import Glibc
import Spool
import Store
import SystemCalls

extension SpoolAdministration {
    /// Where imported booking photos are kept: `state/gallery/` (0700, the spool owner's), one JPEG
    /// per image named by its SHA-256. Removing a subject deletes its files here.
    public var galleryImageDirectory: String { layout.state + "/gallery" }

    /// What `frs gallery import` did: one report per file, and the gallery version after.
    public struct GalleryImportRun: Sendable {
        public var reports: [BookingImportReport]
        public var version: Int64
    }

    /// The transaction files named: files as given, and the `.an2`, `.eft`, `.ebts`, `.nist` files
    /// of directories (not their subdirectories), in order.
    /// - Throws: `SystemCallError` for a path that does not exist or a directory that cannot be listed.
    public static func transactionFiles(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            let status = try FileStatus.of(path)
            if status.mode & S_IFMT == S_IFDIR {
                files += try BookingImport.transactionFiles(in: path)
            } else {
                files.append(path)
            }
        }
        return files
    }

    /// `frs gallery import FILE|DIR…`: booking transactions (ANSI/NIST-ITL) into the gallery, through
    /// the booking pipeline of `gallery enroll` (see ``FaceSearch/BookingImport``), the person named by
    /// the policy's `identity_fields`. Administrators only; the run is audited as `gallery.imported`
    /// with its counts and the reasons of refusals (never a name or a date of birth).
    /// - Parameters:
    ///   - files: the transaction files (``transactionFiles(_:)``).
    ///   - analyzer: the face engine.
    ///   - pipeline: how faces are found (booking photos by default).
    ///   - workers: files imported at once.
    ///   - progress: called after each file, from worker threads.
    /// - Throws: ``AdministrationError/notAdmin(_:)``; `PolicyConfigError` for a bad policy file.
    public func importGallery(
        files: [String], analyzer: FaceAnalyzer, pipeline: DetectionPipeline = .bookingPhoto, workers: Int = 2,
        progress: @escaping @Sendable (GalleryEnrollment.Progress) -> Void = { _ in }
    ) throws -> GalleryImportRun {
        try requireAdmin("gallery.import")
        let importer = try bookingImport(analyzer: analyzer, pipeline: pipeline)
        let reports = importer.importFiles(files, workers: workers, progress: progress)
        let run = GalleryImportRun(reports: reports, version: try importer.version())
        try recordImport(run.reports, version: run.version)
        return run
    }

    /// The importer for this spool, as `frs gallery import` uses it: the policy's identity fields,
    /// images kept in ``galleryImageDirectory`` (created if needed), given the spool owner's
    /// account when root imports. The booking feed can import with it (bytes and a name in, a
    /// ``FaceSearch/BookingImportReport`` out) and audit with ``recordImport(_:version:)``.
    /// - Throws: `PolicyConfigError`, `SystemCallError`, `DatabaseError`.
    public func bookingImport(analyzer: FaceAnalyzer, pipeline: DetectionPipeline = .bookingPhoto) throws -> BookingImport {
        let policy = try layout.loadPolicy()
        let fields = policy.identityFields.compactMap(NISTFieldReference.init)
        let state = try FileStatus.of(layout.state)
        try Directory.create(galleryImageDirectory, mode: 0o700)
        let owner: (uid: UInt32, gid: UInt32)? = getuid() == 0 && state.owner != 0 ? (state.owner, state.group) : nil
        if let owner { try Accounts.changeOwner(galleryImageDirectory, uid: owner.uid, gid: owner.gid) }
        return BookingImport(store: try GalleryStore(database: try Database(path: layout.database)), analyzer: analyzer,
                             pipeline: pipeline,
                             options: BookingImport.Options(identityFields: fields, imageDirectory: galleryImageDirectory,
                                                            owner: owner))
    }

    /// Audits an import as `gallery.imported`: files, transactions imported and refused, images
    /// enrolled, already enrolled, without a face, refused; Type-10 images skipped; the refusals'
    /// reason codes. Subject ids, names and dates of birth are not written.
    public func recordImport(_ reports: [BookingImportReport], version: Int64) throws {
        let images = reports.flatMap(\.images)
        func count(_ outcome: BookingImportReport.Image.Outcome) -> Int { images.filter { $0.outcome == outcome }.count }
        let reasons = Set((reports.compactMap(\.reason) + images.compactMap(\.reason)).map(\.rawValue)).sorted()
        try audit.append(AuditEvent(.galleryImported, actor: actor, outcome: "ok", reasons: reasons,
            details: [
                "files": "\(reports.count)", "imported": "\(reports.filter { $0.status == .imported }.count)",
                "refused": "\(reports.filter { $0.status == .refused }.count)",
                "enrolled": "\(count(.enrolled) + count(.multipleFaces))", "already_enrolled": "\(count(.alreadyEnrolled))",
                "no_face": "\(count(.noFace))", "multiple_faces": "\(count(.multipleFaces))",
                "images_refused": "\(count(.refused) + count(.failed))",
                "skipped_images": "\(reports.reduce(0) { $0 + $1.skipped.count })", "gallery_version": "\(version)",
            ]), now: clock())
    }

    /// `frs gallery list [--subject S]`: the subjects that can be found, with their names and dates of
    /// birth, image counts, photo dates and sources; with a subject, its images too. Administrators
    /// only (the list names people); audited as `gallery.listed` (the subject asked for, the count).
    /// - Throws: ``AdministrationError/notAdmin(_:)``; `DatabaseError`.
    public func listGallery(subject: String? = nil) throws -> (subjects: [GallerySubjectSummary], images: [GalleryImageSummary]) {
        try requireAdmin("gallery.list")
        let store = try GalleryStore(database: database)
        let subjects = try store.subjects(subject)
        let images = try subject.map { try store.images(ofSubject: $0) } ?? []
        var details = ["subjects": "\(subjects.count)"]
        if let subject { details["subject"] = subject }
        try record(.galleryListed, details: details)
        return (subjects, images)
    }

    /// `frs gallery duplicates [--threshold T]`: pairs of different subjects with faces closer than
    /// `threshold` (see ``FaceSearch/GalleryDuplicates``). Administrators only; audited as
    /// `gallery.duplicates` with the threshold and the number of pairs.
    /// - Throws: ``AdministrationError/notAdmin(_:)``; `DatabaseError`, `MatchingError`.
    public func galleryDuplicates(threshold: Double, workers: Int? = nil) throws -> [GalleryDuplicates.Pair] {
        try requireAdmin("gallery.duplicates")
        let store = try GalleryStore(database: database)
        let duplicates = try GalleryDuplicates(store: store, workers: workers)
        let pairs = try duplicates.pairs(threshold: threshold,
                                         names: try store.subjectNames(rowIDs: Set(duplicates.matcher.gallery.subjectIDs)))
        try record(.galleryDuplicates, details: ["threshold": "\(threshold)", "pairs": "\(pairs.count)",
                                                   "faces": "\(duplicates.matcher.gallery.count)"])
        return pairs
    }
}

extension SpoolAdministration {
    /// One booking transaction from the nightly feed (a file the feed account dropped into
    /// `incoming/`): imported as `frs gallery import` would, by the feed account (role
    /// `booking-feed`) or an administrator, and audited as `gallery.imported`.
    /// - Returns: the import report (subject ids, never names or dates of birth).
    /// - Throws: ``AdministrationError/notPermitted(_:)`` for another account.
    public func importFromFeed(_ bytes: [UInt8], source: String, analyzer: FaceAnalyzer) throws -> BookingImportReport {
        let authority = try authority()
        try require(authority.isAdministrator || authority.isBookingFeed, "gallery.import \(source)",
                    because: .notPermitted("\(authority.description) may not import into the gallery: the booking feed "
                                           + "(role booking-feed) and administrators may"))
        let importer = try bookingImport(analyzer: analyzer)
        let report = importer.importTransaction(bytes, source: source)
        try recordImport([report], version: try importer.version())
        return report
    }
}
