import Basics
import FaceEngine
import Foundation
import Imaging
import Matching
import Results
import Store
import Synchronization

/// The daemon's face search: the face engine finds and describes the faces in a probe image, and
/// the matcher searches each usable face against the gallery matrix.
///
/// The gallery matrix is loaded from the cache file of the current gallery version
/// (`state/cache/gallery-<version>.matrix`), or built from the database and cached, and reloaded
/// when an enroll or removal changes the version (checked before each probe), so a removed subject
/// is never returned by a later search.
///
/// The matcher scans the gallery in ``scanPrecision`` (float16 by default: half the memory a
/// one-probe scan reads and keeps resident, with the exact re-rank, so candidates are those of a
/// float32 scan); every result names it (`scan_precision`).
public final class FaceSearcher: ProbeSearcher {
    public let analyzer: FaceAnalyzer
    public let cacheDirectory: String
    /// The models by role, as results record them: with ``ModelFiles``, each file's name and
    /// SHA-256 (`"mmod_human_face_detector.dat sha256:4cb1…"`); without, the fixed labels.
    public let modelIDs: [String: String]
    /// Most processor seconds one probe may take (the policy's `max_probe_cpu_seconds`).
    public let maxProbeCPUSeconds: Double
    /// The panels the matcher scans (see ``ScanPrecision``).
    public let precision: ScanPrecision

    /// The gallery connection (a SQLite connection is used by one thread at a time) and the matcher
    /// of the version last seen, behind one mutex: workers of the daemon share this object.
    private struct Gallery {
        var store: GalleryStore
        var matcher: Matcher
        /// The newest calibration (its FPIR curve gives each candidate's `estimated_fpir`).
        var calibrations: CalibrationStore
        var calibration: Calibration?
    }
    private let gallery: Mutex<Gallery>

    /// - Parameters:
    ///   - analyzer: the face engine.
    ///   - databasePath: the spool's SQLite database (the gallery tables).
    ///   - cacheDirectory: where gallery matrix cache files live.
    ///   - models: the checked model files the analyzer was loaded from (the daemon passes them,
    ///     so results name the exact weights).
    ///   - maxProbeCPUSeconds: the policy's `max_probe_cpu_seconds` (its default, 60, when not given).
    ///   - precision: the panels the matcher scans (results are the same either way).
    public init(
        analyzer: FaceAnalyzer, databasePath: String, cacheDirectory: String, models: ModelFiles? = nil,
        maxProbeCPUSeconds: Double = 60, precision: ScanPrecision = .float16
    ) throws {
        self.analyzer = analyzer
        self.maxProbeCPUSeconds = maxProbeCPUSeconds
        self.modelIDs = models?.ids ?? FaceAnalyzer.modelIDs
        self.cacheDirectory = cacheDirectory
        self.precision = precision
        let store = try GalleryStore(database: try Database(path: databasePath))
        let matcher = try Self.loadMatcher(store: store, cacheDirectory: cacheDirectory, precision: precision)
        let calibrations = try CalibrationStore(database: store.database)
        gallery = Mutex(Gallery(store: store, matcher: matcher, calibrations: calibrations,
                                calibration: try Calibration.newest(in: calibrations)))
    }

    public var galleryVersion: Int64 { gallery.withLock { $0.matcher.gallery.galleryVersion } }

    public var scanPrecision: String? { precision.rawValue }

    /// The detector's pyramid and row buffers kept between probes (``FaceEngine/FaceDetector/releaseKeptMemory()``).
    public func releaseKeptMemory() { FaceDetector.releaseKeptMemory() }

    /// Faces in the gallery version last loaded.
    public var galleryFaces: Int { gallery.withLock { $0.matcher.gallery.count } }

    /// The newest calibration and the warnings for results (none, or the gallery has grown since).
    /// The gallery and the calibration are brought up to date first (as a search would), so the
    /// job about to run chooses its threshold from a calibration stored since the last search.
    public var calibration: CalibrationStatus {
        // A failure here is met again, and reported, by the search itself.
        _ = try? currentMatcher()
        return gallery.withLock { Calibration.status($0.calibration, galleryFaces: $0.matcher.gallery.count) }
    }

    /// Loads the matrix of the store's current version from its cache file, or updates `previous`
    /// with the store's changes since its version (cached in the background), or builds and caches it;
    /// the matrix scans `precision` panels (an updated one keeps `previous`'s).
    public static func loadMatcher(
        store: GalleryStore, cacheDirectory: String, previous: GalleryMatrix? = nil, precision: ScanPrecision = .float16
    ) throws -> Matcher {
        let version = try store.version()
        if let cached = try? GalleryCache.load(directory: cacheDirectory, galleryVersion: version, precision: precision) {
            return Matcher(gallery: cached)
        }
        if let previous, let changes = try store.changes(since: previous.galleryVersion, lastKeptFaceID: previous.lastFaceID) {
            let matrix = try previous.applying(GalleryUpdate(
                galleryVersion: changes.version, removedSubjects: changes.removedSubjectIDs,
                descriptors: changes.added.descriptors, faceIDs: changes.added.faceIDs, subjectIDs: changes.added.subjectIDs))
            GalleryCache.writeInBackground(matrix, directory: cacheDirectory)
            return Matcher(gallery: matrix)
        }
        let rows = try store.activeDescriptors()
        let matrix = try GalleryMatrix(dimension: rows.dimension, galleryVersion: rows.version,
                                       descriptors: rows.descriptors, faceIDs: rows.faceIDs, subjectIDs: rows.subjectIDs)
        try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        // A cache that cannot be written only costs the next start a rebuild.
        let written = try? GalleryCache.write(matrix, directory: cacheDirectory)
        GalleryCache.removeStale(directory: cacheDirectory, keeping: matrix.galleryVersion)
        // A compact scan loads what was just written, so the float32 rows stay in the file.
        if written != nil, precision != .float32,
           let cached = try? GalleryCache.load(directory: cacheDirectory, galleryVersion: matrix.galleryVersion, precision: precision) {
            return Matcher(gallery: cached)
        }
        return Matcher(gallery: matrix.converted(to: precision))
    }

    /// The matcher for the store's current version (reloaded if it changed), and the newest
    /// calibration (reloaded when a newer one was stored).
    func currentMatcher() throws -> (matcher: Matcher, calibration: Calibration?) {
        try gallery.withLock { gallery in
            if try gallery.store.version() != gallery.matcher.gallery.galleryVersion {
                gallery.matcher = try Self.loadMatcher(
                    store: gallery.store, cacheDirectory: cacheDirectory, previous: gallery.matcher.gallery,
                    precision: precision)
            }
            if try gallery.calibrations.newestID() != gallery.calibration?.id {
                gallery.calibration = try Calibration.newest(in: gallery.calibrations)
            }
            return (gallery.matcher, gallery.calibration)
        }
    }

    /// The nearest gallery face of each of the `count` nearest subjects within `threshold`.
    ///
    /// A subject with several booking photos has several rows; a candidate list names each person
    /// once, at their nearest face. Rows are fetched in growing batches until `count` subjects are
    /// found or the gallery within the threshold is exhausted, so the answer is exact. An infinite
    /// threshold (a ranked list) sets no limit.
    static func nearestSubjects(_ matcher: Matcher, _ probe: [Float], count: Int, threshold: Double) throws -> [Match] {
        var k = count
        while true {
            let rows = try matcher.search(probe, k: min(k, max(matcher.gallery.count, 1)), threshold: limit(threshold))
            var seen = Set<Int64>()
            let firstPerSubject = rows.filter { seen.insert($0.subjectID).inserted }
            if firstPerSubject.count >= count || rows.count < k || k >= matcher.gallery.count {
                return Array(firstPerSubject.prefix(count))
            }
            k *= 4
        }
    }

    /// The matcher's distance limit for a threshold: none for an infinite one (a ranked list).
    static func limit(_ threshold: Double) -> Double? { threshold.isFinite ? threshold : nil }

    /// A bulk batch: the images are analysed in parallel, then every usable face of the batch is
    /// matched in one call of the blocked many-probe kernel.
    public func searchBatch(_ images: [[UInt8]], maxCandidates: Int, threshold: Double, workers: Int)
        -> [Result<[FaceResult], any Error>]
    {
        let account = JobCPUAccount.current  // the workers' threads add to the job's account too
        let found = ParallelWork.map(count: images.count, workers: workers) { i in
            Result { try self.analyze(images[i], account: account) }
        }
        do {
            let (matcher, calibration) = try currentMatcher()
            var probes: [[Float]] = []
            var owners: [(image: Int, face: Int)] = []
            for (i, result) in found.enumerated() {
                guard case .success(let faces) = result else { continue }
                for (j, face) in faces.faces.enumerated() where face.quality.ok {
                    if let d = face.descriptor { probes.append(d); owners.append((i, j)) }
                }
            }
            var matches = [[Match]](repeating: [], count: probes.count)
            if !probes.isEmpty, matcher.gallery.count > 0 {
                // Twice the list length covers most subjects with several photos; a probe whose
                // list may be short after naming each subject once is searched again exactly.
                let k = min(2 * maxCandidates, matcher.gallery.count)
                let rows = try matcher.search(probes: probes, k: k, threshold: Self.limit(threshold))
                for (p, list) in rows.enumerated() {
                    var seen = Set<Int64>()
                    let distinct = list.filter { seen.insert($0.subjectID).inserted }
                    if distinct.count >= maxCandidates || list.count < k || k >= matcher.gallery.count {
                        matches[p] = Array(distinct.prefix(maxCandidates))
                    } else {
                        matches[p] = try Self.nearestSubjects(matcher, probes[p], count: maxCandidates, threshold: threshold)
                    }
                }
            }
            var byFace: [Int: [Int: [Match]]] = [:]
            for (p, owner) in owners.enumerated() { byFace[owner.image, default: [:]][owner.face] = matches[p] }
            return try found.enumerated().map { i, result in
                switch result {
                case .failure(let error): return .failure(error)
                case .success(let faces):
                    return .success(try self.results(faces, matches: byFace[i] ?? [:], calibration: calibration))
                }
            }
        } catch {
            return found.map { _ in .failure(error) }
        }
    }

    /// The face engine on one probe, with image errors mapped to the requester's input errors.
    ///
    /// The probe gets ``maxProbeCPUSeconds`` of this thread's processor time: the decoder stops at
    /// the next row once they are spent, and a probe whose analysis overran them is refused
    /// (`input.probe-cpu-budget`) before it is matched.
    func analyze(_ imageBytes: [UInt8], account: JobCPUAccount? = JobCPUAccount.current) throws -> ImageFaces {
        let budget = ProcessorBudget(seconds: maxProbeCPUSeconds)
        defer { account?.add(budget.used) }  // the job's processor time, whatever the outcome
        do {
            let faces = try budget.run { () throws(ImageError) -> ImageFaces in try analyzer.analyze(jpeg: imageBytes) }
            try budget.check()
            return faces
        } catch {
            switch error.code {
            case .tooLarge: throw ProbeImageError.tooLarge(error.message)
            case .tooManyScans: throw ProbeImageError.tooManyScans(error.message)
            case .tooMuchWork: throw ProbeImageError.tooMuchDecodeWork(error.message)
            case .overBudget: throw ProbeImageError.overBudget(error.message)
            default: throw ProbeImageError.notImage(error.message)
            }
        }
    }

    /// Result records for the faces of one image, given each searched face's matches.
    func results(_ found: ImageFaces, matches: [Int: [Match]], calibration: Calibration?) throws -> [FaceResult] {
        var results: [FaceResult] = []
        for (j, face) in found.faces.enumerated() {
            let list = matches[j] ?? []
            let info = list.isEmpty ? [:] : try gallery.withLock { try $0.store.faces(ids: list.map(\.faceID)) }
            let candidates = list.compactMap { m in info[m.faceID].map { (m, $0) } }.enumerated().map { i, pair in
                FaceResult.Candidate(rank: i + 1, subject: pair.1.subject, image: pair.1.imagePath,
                                     distance: (pair.0.distance * 1e6).rounded() / 1e6,
                                     estimatedFPIR: calibration?.estimatedFPIR(atDistance: pair.0.distance)
                                         .map { ($0 * 1e8).rounded() / 1e8 },
                                     estimatedFPIRUpper95: calibration?.estimatedFPIRUpper95(atDistance: pair.0.distance)
                                         .map { ($0 * 1e8).rounded() / 1e8 })
            }
            results.append(FaceResult(
                box: [face.box.left, face.box.top, face.box.right, face.box.bottom],
                landmarks: face.landmarks.map { [$0.x, $0.y] },
                quality: FaceResult.Quality(ok: face.quality.ok, reasons: face.quality.reasons.map(\.rawValue)),
                candidates: candidates))
        }
        return results
    }

    public func search(imageBytes: [UInt8], maxCandidates: Int, threshold: Double) throws -> [FaceResult] {
        let found = try analyze(imageBytes)
        let (matcher, calibration) = try currentMatcher()
        var matches: [Int: [Match]] = [:]
        for (j, face) in found.faces.enumerated() where face.quality.ok {
            guard let descriptor = face.descriptor else { continue }
            matches[j] = try Self.candidates(matcher, descriptor, maxCandidates: maxCandidates, threshold: threshold)
        }
        return try results(found, matches: matches, calibration: calibration)
    }

    /// The gallery rows one probe face's candidate list is made from: what ``search(imageBytes:maxCandidates:threshold:)``
    /// does for each usable face once it has its descriptor (the gallery's current version; the
    /// nearest face of each of the `maxCandidates` nearest subjects within `threshold`).
    public func candidates(descriptor: [Float], maxCandidates: Int, threshold: Double) throws -> [Match] {
        try Self.candidates(try currentMatcher().matcher, descriptor, maxCandidates: maxCandidates, threshold: threshold)
    }

    static func candidates(_ matcher: Matcher, _ descriptor: [Float], maxCandidates: Int, threshold: Double) throws -> [Match] {
        guard matcher.gallery.count > 0 else { return [] }
        return try nearestSubjects(matcher, descriptor, count: maxCandidates, threshold: threshold)
    }
}
