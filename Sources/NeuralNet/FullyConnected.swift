/// A fully connected layer without bias (dlib `fc_no_bias`): `y[o] = Σ_i x[i] · W[i][o]`.
///
/// Each sample is flattened in (channel, row, column) order to a vector of `inputs` values.
public struct FullyConnected: Sendable, Equatable {
    /// Input vector length.
    public let inputs: Int
    /// Output vector length.
    public let outputs: Int
    /// `inputs × outputs` weights, row-major (`W[i][o]` at `i * outputs + o`), dlib's layout.
    public let weights: [Float]

    /// - Precondition: `weights.count == inputs * outputs`.
    public init(inputs: Int, outputs: Int, weights: [Float]) {
        precondition(inputs >= 0 && outputs >= 0 && weights.count == inputs * outputs, "bad fully connected weights")
        self.inputs = inputs
        self.outputs = outputs
        self.weights = weights
    }

    /// Returns an `N × outputs × 1 × 1` tensor.
    /// - Precondition: `x.sampleSize == inputs`.
    /// - Complexity: O(N · inputs · outputs).
    public func forward(_ x: Tensor) -> Tensor {
        precondition(x.sampleSize == inputs, "fully connected layer expects \(inputs) inputs, got \(x.sampleSize)")
        var y = Tensor(samples: x.samples, channels: outputs, rows: 1, columns: 1)
        x.values.withUnsafeBufferPointer { src in
            weights.withUnsafeBufferPointer { w in
                y.values.withUnsafeMutableBufferPointer { dst in
                    for n in 0..<x.samples {
                        let out = dst.baseAddress! + n * outputs
                        for i in 0..<inputs {
                            let v = src[n * inputs + i]
                            let row = w.baseAddress! + i * outputs
                            for o in 0..<outputs { out[o] += v * row[o] }
                        }
                    }
                }
            }
        }
        return y
    }
}
