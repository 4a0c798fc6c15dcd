/// The rectifier `y = max(x, 0)` (dlib `relu_`).
public struct ReLU: Sendable, Equatable {
    public init() {}

    /// Applies `max(x, 0)` element-wise.
    /// - Complexity: O(x.values.count).
    public func forward(_ x: Tensor) -> Tensor {
        var y = x
        y.values.withUnsafeMutableBufferPointer { v in
            for i in v.indices { v[i] = Swift.max(v[i], 0) }
        }
        return y
    }
}
