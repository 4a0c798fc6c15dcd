import FaceEngine
import Foundation
import Imaging
import Matching
import Store

/// The daemon's face search: the face engine finds and describes the faces in a probe image, and
/// the matcher searches each usable face against the gallery matrix.
///
/// The gallery matrix is loaded from the cache file of the current gallery version
/// (`state/cache/gallery-<version>.matrix`), or built from the database and cached, and reloaded
/// when an enroll or removal changes the version (checked before each probe), so a removed subject
/// is never returned by a later search.
public final class FaceSearcher: ProbeSearcher, @unchecked Sendable {
    public let analyzer: FaceAnalyzer
    public let cacheDirectory: String
    public var modelIDs: [String: String] { FaceAnalyzer.modelIDs }

    // `lock` guards `store` (a SQLite connection is used by one thread at a time) and `matcher`.
    private let lock = NSLock()
    private let store: GalleryStore
    private var matcher: Matcher

    /// - Parameters:
    ///   - analyzer: the face engine.
    ///   - databasePath: the spool's SQLite database (the gallery tables).
    ///   - cacheDirectory: where gallery matrix cache files live.
    public init(analyzer: FaceAnalyzer, databasePath: String, cacheDirectory: String) throws {
        self.analyzer = analyzer
        self.cacheDirectory = cacheDirectory
        store = try GalleryStore(database: try Database(path: databasePath))
        matcher = try Self.loadMatcher(store: store, cacheDirectory: cacheDirectory)
    }

    public var galleryVersion: Int64 { lock.withLock { matcher.gallery.galleryVersion } }

    /// Loads the matrix of the store's current version from its cache file, or builds and caches it.
    static func loadMatcher(store: GalleryStore, cacheDirectory: String) throws -> Matcher {
        let version = try store.version()
        if let cached = try? GalleryCache.load(directory: cacheDirectory, galleryVersion: version) {
            return Matcher(gallery: cached)
        }
        let rows = try store.activeDescriptors()
        let matrix = try GalleryMatrix(dimension: rows.dimension, galleryVersion: rows.version,
                                       descriptors: rows.descriptors, faceIDs: rows.faceIDs, subjectIDs: rows.subjectIDs)
        try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        // A cache that cannot be written only costs the next start a rebuild.
        _ = try? GalleryCache.write(matrix, directory: cacheDirectory)
        GalleryCache.removeStale(directory: cacheDirectory, keeping: matrix.galleryVersion)
        return Matcher(gallery: matrix)
    }

    /// The matcher for the store's current version (reloaded if it changed).
    func currentMatcher() throws -> Matcher {
        try lock.withLock {
            if try store.version() != matcher.gallery.galleryVersion {
                matcher = try Self.loadMatcher(store: store, cacheDirectory: cacheDirectory)
            }
            return matcher
        }
    }

    public func search(imageBytes: [UInt8], maxCandidates: Int, threshold: Double) throws -> [FaceResult] {
        let found: ImageFaces
        do {
            found = try analyzer.analyze(jpeg: imageBytes)
        } catch {
            switch error.code {
            case .tooLarge: throw ProbeImageError.tooLarge(error.message)
            default: throw ProbeImageError.notImage(error.message)
            }
        }
        let matcher = try currentMatcher()
        var results: [FaceResult] = []
        for face in found.faces {
            var candidates: [FaceResult.Candidate] = []
            if face.quality.ok, let descriptor = face.descriptor, matcher.gallery.count > 0 {
                let matches = try matcher.search(descriptor, k: maxCandidates, threshold: threshold)
                let info = try lock.withLock { try store.faces(ids: matches.map(\.faceID)) }
                candidates = matches.compactMap { m in
                    info[m.faceID].map {
                        FaceResult.Candidate(rank: m.rank, subject: $0.subject, image: $0.imagePath,
                                             distance: (m.distance * 1e6).rounded() / 1e6)
                    }
                }
            }
            results.append(FaceResult(
                box: [face.box.left, face.box.top, face.box.right, face.box.bottom],
                landmarks: face.landmarks.map { [$0.x, $0.y] },
                quality: FaceResult.Quality(ok: face.quality.ok, reasons: face.quality.reasons.map(\.rawValue)),
                candidates: candidates))
        }
        return results
    }
}
