import Basics
import FaceEngine
import Foundation
import Hashing
import Imaging
import Store
import Synchronization

/// `frs gallery enroll`: booking photos into the gallery.
///
/// Images are read and analysed in parallel on a pool of workers; the database writes are serial
/// (one SQLite connection behind a lock). Enrollment is idempotent: an image whose SHA-256 is
/// already in the gallery is skipped. A booking photo should show one face: with none, the image is
/// reported and nothing is enrolled; with several, the largest face is enrolled and the others
/// reported. No problem with one row stops the run. Who may enroll, and the audit record of the run,
/// are the administration's (`SpoolAdministration.enrollGallery`).
///
/// Workers share this object: `store` (one SQLite connection) is only touched inside its mutex,
/// and the analyzer is immutable.
public final class GalleryEnrollment: Sendable {
    /// What happened to one manifest row.
    public struct Outcome: Sendable, Equatable {
        public enum Kind: String, Sendable {
            case enrolled, alreadyEnrolled = "already-enrolled", noFace = "no-face"
            case multipleFaces = "multiple-faces", failed
        }
        public var line: Int
        public var image: String
        public var kind: Kind
        /// Why (for no-face, multiple-faces and failed rows).
        public var message: String?
    }

    /// The whole run.
    public struct Report: Sendable {
        public var outcomes: [Outcome] = []
        public var version: Int64 = 0
        public func count(_ kind: Outcome.Kind) -> Int { outcomes.filter { $0.kind == kind }.count }
    }

    /// Progress after each image.
    public struct Progress: Sendable {
        public var done: Int
        public var total: Int
        public var elapsed: Double
        public var rate: Double { elapsed > 0 ? Double(done) / elapsed : 0 }
        public var eta: Double { rate > 0 ? Double(total - done) / rate : 0 }
    }

    let analyzer: FaceAnalyzer
    let store: Mutex<GalleryStore>
    /// How faces are found (booking photos: ``DetectionPipeline/bookingPhoto``, which falls back to
    /// the full pipeline by itself when a photo is not one).
    let pipeline: DetectionPipeline

    /// - Parameters:
    ///   - store: the gallery (its connection is used only by this object from now on).
    ///   - analyzer: the face engine.
    ///   - pipeline: how faces are found.
    public init(store: sending GalleryStore, analyzer: FaceAnalyzer, pipeline: DetectionPipeline = .bookingPhoto) {
        self.analyzer = analyzer
        self.pipeline = pipeline
        self.store = Mutex(store)
    }

    /// Enrolls every row of `manifest`.
    /// - Parameters:
    ///   - manifest: parsed rows (rows with errors are reported as failed).
    ///   - baseDirectory: relative image paths are taken from here (the manifest's folder).
    ///   - workers: images analysed at once.
    ///   - progress: called after each image, from worker threads.
    /// - Throws: `DatabaseError` when the gallery version cannot be read at the end.
    public func enroll(manifest: GalleryManifest, baseDirectory: String, workers: Int = 2,
                       progress: @escaping @Sendable (Progress) -> Void = { _ in }) throws -> Report {
        let entries = manifest.entries
        let start = Date()
        let outcomes = ParallelWork.map(count: entries.count, workers: workers, finished: { done in
            progress(Progress(done: done, total: entries.count, elapsed: Date().timeIntervalSince(start)))
        }) { i in self.enrollOne(entries[i], baseDirectory: baseDirectory) }
        var report = Report()
        report.outcomes = manifest.errors.map {
            Outcome(line: $0.line, image: "", kind: .failed, message: $0.description)
        } + outcomes
        report.outcomes.sort { $0.line < $1.line }
        report.version = try store.withLock { try $0.version() }
        return report
    }

    /// An image to analyse: a JPEG file's bytes, or decoded pixels.
    enum ImageInput {
        case jpeg([UInt8])
        case decoded(RGBImage)
    }

    /// The booking pipeline for one image, shared by `gallery enroll` and `gallery import`: skips
    /// an image already enrolled (by `record.sha256`), finds the faces, and enrolls the largest.
    /// - Parameters:
    ///   - image: what to analyse.
    ///   - record: the image's gallery record.
    ///   - identity: who the subject is, when known.
    ///   - beforeStoring: run once a face was found and before the gallery changes (e.g. writing
    ///     the image file the record names).
    /// - Returns: the outcome (`enrolled`, `already-enrolled`, `no-face`, `multiple-faces`) and why.
    /// - Throws: `ImageError` for an undecodable JPEG; `GalleryStoreError`, `DatabaseError`; what
    ///   `beforeStoring` throws.
    func enrollLargestFace(of image: ImageInput, record: GalleryImageRecord, identity: GallerySubjectIdentity? = nil,
                           beforeStoring: () throws -> Void = {}) throws -> (Outcome.Kind, String?) {
        if try store.withLock({ try $0.enrolledImage(sha256: record.sha256) }) != nil { return (.alreadyEnrolled, nil) }
        let found: ImageFaces
        switch image {
        case .jpeg(let bytes): found = try analyzer.analyze(jpeg: bytes, path: record.path, pipeline: pipeline)
        case .decoded(let pixels):
            switch pipeline {
            case .bookingPhoto: found = analyzer.analyzeBookingPhoto(pixels).faces
            case .full: found = analyzer.analyze(pixels)
            }
        }
        guard let largest = found.faces.max(by: { $0.box.area < $1.box.area }), let descriptor = largest.descriptor else {
            return (.noFace, "no face found")
        }
        let face = GalleryFaceRecord(box: largest.box,
                                     landmarks: largest.landmarks.flatMap { [Float($0.x), Float($0.y)] },
                                     descriptor: descriptor)
        try beforeStoring()
        switch try store.withLock({ try $0.enroll(record, faces: [face], identity: identity) }) {
        case .alreadyEnrolled: return (.alreadyEnrolled, nil)
        case .enrolled:
            if found.faces.count > 1 { return (.multipleFaces, "\(found.faces.count) faces; the largest was enrolled") }
            return (.enrolled, nil)
        }
    }

    func enrollOne(_ entry: GalleryManifest.Entry, baseDirectory: String) -> Outcome {
        // Stored canonical (absolute, no `..`, links resolved): results and examiner sheets read
        // gallery images by this path from whatever directory the daemon runs in.
        let given = entry.image.hasPrefix("/") ? entry.image : (baseDirectory as NSString).appendingPathComponent(entry.image)
        let path = URL(fileURLWithPath: given).standardizedFileURL.resolvingSymlinksInPath().path
        func outcome(_ kind: Outcome.Kind, _ message: String? = nil) -> Outcome {
            Outcome(line: entry.line, image: entry.image, kind: kind, message: message)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return outcome(.failed, "cannot read \(path)")
        }
        let bytes = [UInt8](data)
        let sha = SHA256.hex(bytes)
        let record = GalleryImageRecord(subject: entry.subject, path: path, sha256: sha,
                                        source: entry.source, captured: entry.captured)
        do {
            let (kind, message) = try enrollLargestFace(of: .jpeg(bytes), record: record)
            return outcome(kind, message)
        } catch let error as ImageError {
            return outcome(.failed, "\(error.code.rawValue): \(error.message)")
        } catch {
            return outcome(.failed, "\(error)")
        }
    }
}
