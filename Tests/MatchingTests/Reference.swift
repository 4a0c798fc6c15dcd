@testable import Matching

/// An independent brute-force reference: double-precision distances from row-major data.
struct Reference {
    var dimension: Int
    var rows: [Float]
    var faceIDs: [Int64]
    var subjectIDs: [Int64]

    var count: Int { faceIDs.count }

    func search(_ probe: [Float], k: Int, threshold: Double?) -> [Match] {
        var scored: [(Double, Int)] = []
        for r in 0..<count {
            var sum = 0.0
            for j in 0..<dimension {
                let d = Double(probe[j]) - Double(rows[r * dimension + j])
                sum += d * d
            }
            scored.append((sum, r))
        }
        scored.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        var out: [Match] = []
        for (d2, r) in scored {
            let distance = d2.squareRoot()
            if let threshold, distance > threshold { break }
            out.append(Match(rank: out.count + 1, row: r, faceID: faceIDs[r], subjectID: subjectIDs[r], distance: distance))
            if out.count == k { break }
        }
        return out
    }

    func matrix(version: Int64 = 1, precision: ScanPrecision = .float32) throws -> GalleryMatrix {
        try GalleryMatrix(
            dimension: dimension, galleryVersion: version, descriptors: rows, faceIDs: faceIDs, subjectIDs: subjectIDs,
            precision: precision)
    }

    /// Random vectors with norms around 1.4 (like dlib descriptors); face ids 1000+row, subjects row/3.
    static func random(count: Int, dimension: Int = 128, seed: UInt64) -> Reference {
        var rng = RandomDescriptors(seed: seed)
        var rows = rng.unitVectors(count: count, dimension: dimension)
        for r in 0..<count {
            let scale = Float(1.3 + Double(rng.next() % 1000) / 5000)
            for j in 0..<dimension { rows[r * dimension + j] *= scale }
        }
        return Reference(
            dimension: dimension, rows: rows, faceIDs: (0..<count).map { 1000 + Int64($0) },
            subjectIDs: (0..<count).map { Int64($0 / 3) })
    }

    /// A probe near row `near` (or random when nil).
    static func probes(_ count: Int, dimension: Int = 128, seed: UInt64, near reference: Reference? = nil) -> [[Float]] {
        var rng = RandomDescriptors(seed: seed)
        let noise = rng.unitVectors(count: count, dimension: dimension)
        return (0..<count).map { i in
            var p = (0..<dimension).map { Float(1.4) * noise[i * dimension + $0] }
            if let reference, reference.count > 0 {
                let r = Int(rng.next() % UInt64(reference.count))
                for j in 0..<dimension { p[j] = reference.rows[r * dimension + j] + 0.15 * noise[i * dimension + j] }
            }
            return p
        }
    }
}
