import Foundation
import Matching

/// A synthetic gallery with known mated and non-mated structure, for timing and checking
/// calibrations (`frs bench calibrate`, the tests): subjects with 1–4 photos, all unit vectors.
///
/// Construction (everything exactly unit length, fixed seed):
/// - a common direction `m` (descriptors of real faces share one: dlib's non-mates lie near 0.9,
///   not at the √2 of random directions);
/// - each subject's centre `c = cos φ · m + sin φ · v` with `v ⊥ m` random, `√2 sin φ ~ N(0.9, 0.113)`;
///   two centres are then about `√(2 − 2 cos φ₁ cos φ₂)` apart, so non-mate distances come out
///   near N(0.9, 0.08);
/// - each photo `x = cos θ · c + sin θ · u` with `u ⊥ c` random, `√2 sin θ ~ N(0.35, 0.113)`, so two
///   photos of one subject are near N(0.35, 0.08) apart.
///
/// In 128 dimensions random directions are nearly orthogonal, which is what makes those
/// distances come out as stated; ``distanceSample(pairs:)`` measures what was actually built.
public struct CalibrationSyntheticGallery: Sendable {
    /// Row-major unit vectors, `count × dimension`.
    public var descriptors: [Float]
    /// Each row's subject.
    public var subjectIDs: [Int64]
    /// Each row's face id (its row number).
    public var faceIDs: [Int64]
    public let dimension: Int

    /// Rows.
    public var count: Int { subjectIDs.count }

    /// Builds about `faces` rows (the last subject is cut to fit exactly).
    /// - Parameters:
    ///   - faces: rows wanted.
    ///   - dimension: descriptor length (128).
    ///   - mate: mean and spread of the distance between two photos of one subject.
    ///   - nonMate: mean and spread of the distance between two subjects' centres.
    ///   - seed: the random seed.
    public init(faces: Int, dimension: Int = 128, mate: (mean: Double, sd: Double) = (0.35, 0.08),
                nonMate: (mean: Double, sd: Double) = (0.9, 0.08), seed: UInt64 = 0xCA11_B8A7) {
        self.dimension = dimension
        var random = RandomDescriptors(seed: seed)
        func gaussian() -> Double {
            let u1 = Double((random.next() >> 11) + 1) / 9_007_199_254_740_993.0
            let u2 = Double(random.next() >> 11) / 9_007_199_254_740_992.0
            return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        }
        /// A random unit vector (the optimized generator of the Matching module).
        func direction() -> [Double] {
            random.unitVectors(count: 1, dimension: dimension).map(Double.init)
        }
        /// cos α · a + sin α · (a random unit vector orthogonal to a), for unit `a`.
        func rotate(_ a: [Double], by alpha: Double) -> [Double] {
            var u = direction()
            var dot = 0.0
            for i in 0..<dimension { dot += u[i] * a[i] }
            var n2 = 0.0
            for i in 0..<dimension {
                u[i] -= dot * a[i]
                n2 += u[i] * u[i]
            }
            let c = cos(alpha), s = sin(alpha) / n2.squareRoot()
            var out = a
            var norm2 = 0.0
            for i in 0..<dimension {
                out[i] = c * a[i] + s * u[i]
                norm2 += out[i] * out[i]
            }
            let scale = 1 / norm2.squareRoot()
            for i in 0..<dimension { out[i] *= scale }
            return out
        }
        /// The angle whose offset gives pairs at distance ~ N(mean, sd): √2 sin α ~ N(mean, √2 sd).
        func angle(_ spec: (mean: Double, sd: Double)) -> Double {
            let d = min(1.4, max(0.02, spec.mean + 2.0.squareRoot() * spec.sd * gaussian()))
            return asin(d / 2.0.squareRoot())
        }
        let common = direction()
        var descriptors: [Float] = []
        descriptors.reserveCapacity(faces * dimension)
        var subjects: [Int64] = []
        subjects.reserveCapacity(faces)
        var subject: Int64 = 0
        while subjects.count < faces {
            subject += 1
            let centre = rotate(common, by: angle(nonMate))
            let photos = min(faces - subjects.count, Int(random.next() % 4) + 1)
            for _ in 0..<photos {
                descriptors += rotate(centre, by: angle(mate)).map(Float.init)
                subjects.append(subject)
            }
        }
        self.descriptors = descriptors
        subjectIDs = subjects
        faceIDs = (0..<Int64(subjects.count)).map { $0 }
    }

    /// The matrix of these rows.
    public func matrix(galleryVersion: Int64 = 1) throws(MatchingError) -> GalleryMatrix {
        try GalleryMatrix(dimension: dimension, galleryVersion: galleryVersion, descriptors: descriptors,
                          faceIDs: faceIDs, subjectIDs: subjectIDs)
    }

    /// Mean and standard deviation of mate and non-mate distances over up to `pairs` pairs of
    /// consecutive rows (what was built, to report beside the stated design).
    public func distanceSample(pairs: Int = 20_000) -> (mate: (mean: Double, sd: Double), nonMate: (mean: Double, sd: Double)) {
        var mates: [Double] = [], others: [Double] = []
        var r = 0
        while r + 1 < count, mates.count + others.count < pairs {
            var s = 0.0
            for k in 0..<dimension {
                let d = Double(descriptors[r * dimension + k]) - Double(descriptors[(r + 1) * dimension + k])
                s += d * d
            }
            if subjectIDs[r] == subjectIDs[r + 1] { mates.append(s.squareRoot()) } else { others.append(s.squareRoot()) }
            r += 1
        }
        func stats(_ v: [Double]) -> (mean: Double, sd: Double) {
            guard !v.isEmpty else { return (0, 0) }
            let mean = v.reduce(0, +) / Double(v.count)
            let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, v.count - 1))
            return (mean, variance.squareRoot())
        }
        return (stats(mates), stats(others))
    }
}
