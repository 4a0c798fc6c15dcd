import Matching
import Store

/// `frs gallery duplicates`: pairs of different subjects whose faces are closer than a threshold
/// (the same person enrolled under two identities, or look-alikes) for the records unit to check.
/// Nothing is merged.
///
/// Every searchable face is a probe against the whole gallery with the many-probe kernel
/// (``Matching/Matcher/search(probes:k:threshold:)``), in slices so that memory stays bounded by
/// the slice; a face's own subject's faces are passed over. Exact: the kernel returns every row
/// within the threshold up to `k`, and `k` exceeds the most faces any one subject has by
/// ``extraNeighbours``, so a face's nearest other subjects within the threshold are found unless
/// more than ``extraNeighbours`` other subjects' faces are within it (then the nearest of them are).
public struct GalleryDuplicates: Sendable {
    /// Two subjects with faces closer than the threshold.
    public struct Pair: Sendable, Equatable, Codable {
        /// The two subjects, in id order.
        public var subjects: [String]
        /// The closest distance between a face of one and a face of the other.
        public var distance: Double
        /// Those two faces (`gallery_faces.id`), in the subjects' order.
        public var faces: [Int64]
    }

    /// Neighbours looked at beyond a subject's own faces.
    public static let extraNeighbours = 16
    /// Probes searched at once.
    public static let sliceSize = 8192

    public let matcher: Matcher

    public init(matcher: Matcher) {
        self.matcher = matcher
    }

    /// Builds the matrix from the gallery's searchable faces.
    /// - Throws: `DatabaseError`, ``Matching/MatchingError``.
    public init(store: GalleryStore, workers: Int? = nil) throws {
        let rows = try store.activeDescriptors()
        let matrix = try GalleryMatrix(dimension: rows.dimension, galleryVersion: rows.version, descriptors: rows.descriptors,
                                       faceIDs: rows.faceIDs, subjectIDs: rows.subjectIDs)
        self.init(matcher: Matcher(gallery: matrix, workers: workers))
    }

    /// The pairs closer than `threshold`, nearest first, each pair once.
    /// - Parameter names: the subject ids of the subjects' row ids (``Store/GalleryStore/subjectNames(rowIDs:)``).
    /// - Throws: ``Matching/MatchingError`` for a bad threshold.
    /// - Complexity: O(faces² x dimension) in the kernel.
    public func pairs(threshold: Double, names: [Int64: String]) throws -> [Pair] {
        let gallery = matcher.gallery
        guard gallery.count > 1 else { return [] }
        var perSubject: [Int64: Int] = [:]
        for id in gallery.subjectIDs { perSubject[id, default: 0] += 1 }
        let k = min(gallery.count, (perSubject.values.max() ?? 1) + Self.extraNeighbours)
        var best: [PairKey: (distance: Double, faces: (Int64, Int64))] = [:]
        var start = 0
        while start < gallery.count {
            let end = min(start + Self.sliceSize, gallery.count)
            let probes = (start..<end).map { gallery.row($0) }
            let found = try matcher.search(probes: probes, k: k, threshold: threshold)
            for (offset, matches) in found.enumerated() {
                let row = start + offset
                let subject = gallery.subjectIDs[row], face = gallery.faceIDs[row]
                for match in matches where match.subjectID != subject && match.distance < threshold {
                    let key = PairKey(subject, match.subjectID)
                    let faces = subject < match.subjectID ? (face, match.faceID) : (match.faceID, face)
                    if let old = best[key], old.distance <= match.distance { continue }
                    best[key] = (match.distance, faces)
                }
            }
            start = end
        }
        return best.map { key, value in
            Pair(subjects: [names[key.a] ?? "#\(key.a)", names[key.b] ?? "#\(key.b)"], distance: value.distance,
                 faces: [value.faces.0, value.faces.1])
        }.sorted { ($0.distance, $0.subjects[0], $0.subjects[1]) < ($1.distance, $1.subjects[0], $1.subjects[1]) }
    }

    struct PairKey: Hashable {
        var a: Int64, b: Int64
        init(_ x: Int64, _ y: Int64) { (a, b) = x < y ? (x, y) : (y, x) }
    }
}
