import ANSINIST
import Basics
import FaceEngine
import Foundation
import Hashing
import Imaging
import Store
import SystemCalls

/// `frs gallery import`, and the booking feed: ANSI/NIST-ITL transactions into the gallery.
///
/// One transaction (one file) at a time: the file is read whole and checked (``ANSINIST/NISTReader``);
/// a file that is not one well-formed transaction is refused with its reason and nothing of it is
/// enrolled. The person is named by the policy's identifying Type-2 fields (default `2.015` SID,
/// then `2.014` UCN), else by the originating agency and transaction control number; the subject id
/// is that field's short name and value (`sid:NY12345678`). Each facial image then goes through the
/// booking pipeline `frs gallery enroll` uses (``GalleryEnrollment``): an image already in the
/// gallery (same SHA-256: judged by content, never by file name or TCN, which reference files
/// reuse) adds nothing; otherwise its largest face is enrolled under the subject with the name
/// and date of birth (kept in the gallery only), the photo date, the acquisition profile and the
/// pose. The image is kept as a JPEG file named by its SHA-256 in ``Options/imageDirectory``
/// (written durably before the gallery row that names it): an uncompressed (NONE) image is
/// encoded once, losslessly enough for display (quality 95), and is analysed from its own pixels.
///
/// ``importTransaction(_:source:)`` is the entry point for a caller with bytes in hand (the daemon's
/// booking feed); ``importFiles(_:workers:progress:)`` reads files for the command line. Neither
/// checks who may import nor writes the audit log: that is the caller's.
public final class BookingImport: Sendable {
    /// How transactions are read and where their images go.
    public struct Options: Sendable {
        /// The Type-2 fields identifying a person, in order of preference (the policy's `identity_fields`).
        public var identityFields: [NISTFieldReference]
        /// Where imported images are kept (one JPEG per image, named by its SHA-256).
        public var imageDirectory: String
        /// The reader's limits (file size, records, fields).
        public var limits: NISTReader.Limits
        /// The most facial images taken from one transaction.
        public var maxFaces: Int
        /// The owner (uid, gid) given to each image file written (the spool's, when root imports); `nil` keeps the writer's.
        public var owner: (uid: UInt32, gid: UInt32)?

        public init(identityFields: [NISTFieldReference] = BookingImport.defaultIdentityFields, imageDirectory: String,
                    limits: NISTReader.Limits = NISTReader.Limits(), maxFaces: Int = 32, owner: (uid: UInt32, gid: UInt32)? = nil) {
            self.identityFields = identityFields
            self.imageDirectory = imageDirectory
            self.limits = limits
            self.maxFaces = maxFaces
            self.owner = owner
        }
    }

    /// `2.015` SID, then `2.014` FBI number / UCN.
    public static let defaultIdentityFields = [NISTFieldReference(type: 2, number: 15), NISTFieldReference(type: 2, number: 14)]

    /// The file name endings taken from a directory (a file named on its own is read whatever its name).
    public static let fileExtensions: Set<String> = ["an2", "eft", "ebts", "nist"]

    let enrollment: GalleryEnrollment
    let options: Options
    let reader: NISTReader

    /// - Parameters:
    ///   - store: the gallery (its connection is used only by this object from now on).
    ///   - analyzer: the face engine.
    ///   - pipeline: how faces are found (booking photos, as `gallery enroll`).
    ///   - options: identity fields, image directory, limits.
    public init(store: sending GalleryStore, analyzer: FaceAnalyzer, pipeline: DetectionPipeline = .bookingPhoto,
                options: Options) {
        enrollment = GalleryEnrollment(store: store, analyzer: analyzer, pipeline: pipeline)
        self.options = options
        reader = NISTReader(limits: options.limits)
    }

    /// Imports one transaction.
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - source: its name, for the report (a file name; never used to judge whether it was imported).
    /// - Returns: what became of it and of each of its images. Never throws: a problem is a refusal in the report.
    public func importTransaction(_ bytes: [UInt8], source: String) -> BookingImportReport {
        var report = BookingImportReport(source: source, sha256: SHA256.hex(bytes))
        let booking: BookingTransaction
        do {
            booking = BookingTransaction(try reader.read(bytes))
        } catch {
            report.refuse(.reader(error.code), error.description)
            return report
        }
        report.transaction = booking.source
        report.skipped = booking.skipped
        guard booking.faces.count <= options.maxFaces else {
            report.refuse(.importer(.tooManyFaces), "\(booking.faces.count) facial images, over the limit of \(options.maxFaces) in one transaction")
            return report
        }
        guard let identity = booking.identity(fields: options.identityFields) else {
            report.refuse(.importer(.noIdentity), "none of the identifying fields (\(options.identityFields.map(\.description).joined(separator: ", "))) nor a transaction control number (1.009) is present")
            return report
        }
        let subject = identity.subject
        guard subject.count <= 160, subject.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            report.refuse(.importer(.invalidIdentity), "the identifying field \(identity.field) holds control characters or is over 160 characters")
            return report
        }
        report.subject = subject
        do {
            if try enrollment.store.withLock({ try $0.isRemoved(subject: subject) }) {
                report.refuse(.importer(.subjectRemoved), "subject \(subject) was removed from the gallery (expunged); its id is retired and its bookings are not enrolled again")
                return report
            }
        } catch {
            report.refuse(.importer(.failed), "the gallery cannot be read: \(error)")
            return report
        }
        let who = GallerySubjectIdentity(name: booking.name, dateOfBirth: booking.dateOfBirth)
        for note in booking.refused {
            report.images.append(.init(record: note.record, idc: note.idc, outcome: .refused,
                                       reason: note.reason.map(BookingImportReport.Reason.reader), message: note.message))
        }
        for face in booking.faces {
            report.images.append(importFace(face, subject: subject, identity: who, source: booking.source))
        }
        report.images.sort { $0.record < $1.record }
        // A gallery refusal of the subject (removed, another date of birth) refuses the transaction.
        if let refusal = report.images.first(where: { $0.reason == .importer(.subjectRemoved) || $0.reason == .importer(.identityConflict) }),
           !report.images.contains(where: { $0.outcome == .enrolled || $0.outcome == .multipleFaces }) {
            report.refuse(refusal.reason ?? .importer(.failed), refusal.message ?? "")
        }
        return report
    }

    /// One facial image through the booking pipeline.
    func importFace(_ face: BookingTransaction.FacialImage, subject: String, identity: GallerySubjectIdentity,
                    source: BookingTransaction.Source) -> BookingImportReport.Image {
        var result = BookingImportReport.Image(record: face.record, idc: face.idc, outcome: .failed)
        var written: String?
        defer {
            // A file written for an enrollment the gallery then refused is not kept.
            if let written, result.outcome == .refused || result.outcome == .failed { try? DurableFile.remove(written) }
        }
        do {
            let file: [UInt8]
            let input: GalleryEnrollment.ImageInput
            switch face.coding {
            case .jpeg:
                file = Array(face.data)
                input = .jpeg(file)
            case .raw(let width, let height, let channels):
                var pixels = [UInt8](repeating: 0, count: width * height * 3)
                if channels == 3 {
                    pixels = Array(face.data)
                } else {
                    for (i, v) in face.data.enumerated() { pixels[3 * i] = v; pixels[3 * i + 1] = v; pixels[3 * i + 2] = v }
                }
                let image = RGBImage(width: width, height: height, pixels: pixels)
                file = try JPEGEncoder(quality: 95).encode(image)
                input = .decoded(image)
            }
            let sha = SHA256.hex(file)
            let path = options.imageDirectory + "/" + sha + ".jpg"
            result.sha256 = sha
            let record = GalleryImageRecord(subject: subject, path: path, sha256: sha, source: source.summary.isEmpty ? nil : source.summary,
                                            captured: face.photoDate, profile: face.profile, pose: face.pose)
            let (kind, message) = try enrollment.enrollLargestFace(of: input, record: record, identity: identity) {
                if !FileStatus.exists(path) {
                    try DurableFile.write(file, to: path, via: options.imageDirectory, mode: 0o600)
                    written = path
                    if let owner = options.owner { try Accounts.changeOwner(path, uid: owner.uid, gid: owner.gid) }
                }
            }
            switch kind {
            case .enrolled: result.outcome = .enrolled
            case .alreadyEnrolled: result.outcome = .alreadyEnrolled
            case .noFace: result.outcome = .noFace
            case .multipleFaces: result.outcome = .multipleFaces
            case .failed: result.outcome = .failed
            }
            result.message = message
        } catch let error as ImageError {
            result.outcome = .refused
            result.reason = .importer(.imageUnreadable)
            result.message = "the JPEG of record \(face.record) cannot be decoded: \(error.code.rawValue): \(error.message)"
        } catch let error as GalleryStoreError {
            result.outcome = .refused
            switch error.code {
            case .subjectRemoved: result.reason = .importer(.subjectRemoved)
            case .identityConflict: result.reason = .importer(.identityConflict)
            default: result.reason = .importer(.failed)
            }
            result.message = error.message
        } catch {
            result.reason = .importer(.failed)
            result.message = "\(error)"
        }
        return result
    }

    /// Imports files, in parallel, one report per file in the order given.
    /// - Parameters:
    ///   - paths: the files (directories already expanded: ``transactionFiles(in:)``).
    ///   - workers: files imported at once.
    ///   - progress: called after each file, from worker threads.
    public func importFiles(_ paths: [String], workers: Int = 2,
                            progress: @escaping @Sendable (GalleryEnrollment.Progress) -> Void = { _ in }) -> [BookingImportReport] {
        let start = Date()
        let limit = options.limits.maxFileBytes
        return ParallelWork.map(count: paths.count, workers: workers, finished: { done in
            progress(GalleryEnrollment.Progress(done: done, total: paths.count, elapsed: Date().timeIntervalSince(start)))
        }) { i in
            let bytes: [UInt8]
            do {
                bytes = try DurableFile.read(paths[i], limit: limit)
            } catch {
                var report = BookingImportReport(source: paths[i], sha256: "")
                if (error as? SystemCallError)?.errno == EFBIG {
                    report.refuse(.reader(.tooLarge), "the file is over the limit of \(limit) bytes")
                } else {
                    report.refuse(.importer(.unreadable), "cannot read the file: \(error)")
                }
                return report
            }
            return self.importTransaction(bytes, source: paths[i])
        }
    }

    /// Removes a subject (a removal request of the feed: expungement, dismissal, acquittal) as
    /// `frs gallery remove` does: its faces, images, name and date of birth leave the gallery, and
    /// its image files in ``Options/imageDirectory`` are deleted. Who may ask, and the audit record,
    /// are the caller's.
    /// - Throws: `GalleryStoreError` (unknown or already removed subject, empty reason), `DatabaseError`,
    ///   `SystemCallError` when a file cannot be deleted (the gallery rows are gone by then).
    public func removeSubject(_ subject: String, reason: String) throws -> GalleryRemoval {
        let removal = try enrollment.store.withLock { try $0.removeSubject(subject, reason: reason) }
        for path in removal.imagePaths where path.hasPrefix(options.imageDirectory + "/") {
            try DurableFile.remove(path)
        }
        return removal
    }

    /// The gallery version now.
    public func version() throws -> Int64 { try enrollment.store.withLock { try $0.version() } }

    /// The transaction files of a directory: its entries ending `.an2`, `.eft`, `.ebts` or `.nist`
    /// (any case), sorted, not descending into subdirectories.
    /// - Throws: `SystemCallError` when the directory cannot be listed.
    public static func transactionFiles(in directory: String) throws -> [String] {
        try Directory.entries(directory).filter { name in
            guard let dot = name.lastIndex(of: ".") else { return false }
            return fileExtensions.contains(name[name.index(after: dot)...].lowercased())
        }.map { (directory.hasSuffix("/") ? String(directory.dropLast()) : directory) + "/" + $0 }
    }
}
