/// A per-channel affine map `y = gamma[k] * x + beta[k]` (dlib `affine_` in CONV_MODE).
///
/// Batch normalisation layers (`bn_con2`) are converted to this form when a model is loaded;
/// see ``init(batchNormGamma:beta:runningMean:runningVariance:epsilon:)``.
public struct Affine: Sendable, Equatable {
    /// Per-channel scale.
    public let gamma: [Float]
    /// Per-channel offset.
    public let beta: [Float]

    /// - Precondition: `gamma.count == beta.count`.
    public init(gamma: [Float], beta: [Float]) {
        precondition(gamma.count == beta.count, "affine gamma and beta differ in length")
        self.gamma = gamma
        self.beta = beta
    }

    /// The affine layer dlib uses in place of a trained batch-normalisation layer:
    /// `g = gamma / sqrt(running_variance + Float(epsilon))`, `b = beta − g · running_mean`,
    /// all in float32 (DLIB-FORMAT.md §3).
    public init(batchNormGamma gamma: [Float], beta: [Float], runningMean: [Float], runningVariance: [Float], epsilon: Double) {
        precondition(gamma.count == beta.count && gamma.count == runningMean.count && gamma.count == runningVariance.count,
                     "batch-norm parameter lengths differ")
        let eps = Float(epsilon)
        var g = [Float](repeating: 0, count: gamma.count)
        var b = [Float](repeating: 0, count: gamma.count)
        for i in gamma.indices {
            g[i] = gamma[i] / (runningVariance[i] + eps).squareRoot()
            b[i] = beta[i] - g[i] * runningMean[i]
        }
        self.gamma = g
        self.beta = b
    }

    /// Number of channels.
    public var channels: Int { gamma.count }

    /// Applies the map to every sample of `x`.
    /// - Precondition: `x.channels == channels`.
    /// - Complexity: O(x.values.count).
    public func forward(_ x: Tensor) -> Tensor {
        precondition(x.channels == channels, "affine layer has \(channels) channels, input has \(x.channels)")
        var y = x
        let plane = x.planeSize
        y.values.withUnsafeMutableBufferPointer { v in
            for n in 0..<x.samples {
                for k in 0..<channels {
                    let g = gamma[k], b = beta[k]
                    let base = (n * channels + k) * plane
                    for i in base..<base + plane { v[i] = g * v[i] + b }
                }
            }
        }
        return y
    }
}
