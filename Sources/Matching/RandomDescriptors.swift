import Foundation

/// Deterministic random unit vectors for benchmarks and tests: SplitMix64 seeded, Gaussian
/// components (Box–Muller), each vector scaled to unit length.
public struct RandomDescriptors: Sendable {
    private var state: UInt64

    /// - Parameter seed: the same seed gives the same vectors on every machine.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits (SplitMix64).
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in (0, 1].
    private mutating func unit() -> Double {
        Double((next() >> 11) + 1) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `count` unit vectors of `dimension` values, row-major.
    /// - Complexity: O(count x dimension).
    public mutating func unitVectors(count: Int, dimension: Int) -> [Float] {
        var out = [Float](repeating: 0, count: count * dimension)
        var row = [Double](repeating: 0, count: dimension)
        for r in 0..<count {
            var k = 0
            var norm = 0.0
            while k < dimension {
                let radius = (-2 * log(unit())).squareRoot()
                let angle = 2 * Double.pi * unit()
                row[k] = radius * cos(angle)
                if k + 1 < dimension { row[k + 1] = radius * sin(angle) }
                k += 2
            }
            for v in row { norm += v * v }
            let scale = 1 / norm.squareRoot()
            for k in 0..<dimension { out[r * dimension + k] = Float(row[k] * scale) }
        }
        return out
    }
}
