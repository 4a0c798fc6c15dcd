/// dlib's `add_prev` layer: the sum of two tensors of possibly different shapes.
///
/// The result has the element-wise maximum of both shapes, and each operand counts as zero
/// outside its own extent (zero padding in samples, channels, rows and columns). The face
/// network relies on this where a 3 × 3 block output meets a 4 × 4 pooled shortcut
/// (DLIB-FORMAT.md §3, §4).
public enum AddPrev {
    /// Returns `a ⊕ b`, optionally followed by `max(·, 0)`.
    /// - Parameters:
    ///   - a: one operand.
    ///   - b: the other operand.
    ///   - relu: apply the rectifier to the sum (fuses the `relu` that follows every add_prev in
    ///     the face network).
    /// - Complexity: O(size of the result).
    public static func forward(_ a: Tensor, _ b: Tensor, relu: Bool = false) -> Tensor {
        let n = max(a.samples, b.samples), k = max(a.channels, b.channels)
        let h = max(a.rows, b.rows), w = max(a.columns, b.columns)
        var out: Tensor
        if a.samples == n && a.channels == k && a.rows == h && a.columns == w {
            out = a
            accumulate(b, into: &out)
        } else if b.samples == n && b.channels == k && b.rows == h && b.columns == w {
            out = b
            accumulate(a, into: &out)
        } else {
            out = Tensor(samples: n, channels: k, rows: h, columns: w)
            accumulate(a, into: &out)
            accumulate(b, into: &out)
        }
        if relu {
            out.values.withUnsafeMutableBufferPointer { v in
                for i in v.indices { v[i] = Swift.max(v[i], 0) }
            }
        }
        return out
    }

    /// Adds `x` into the top-left-front corner of `out` (which is at least as large).
    private static func accumulate(_ x: Tensor, into out: inout Tensor) {
        x.values.withUnsafeBufferPointer { src in
            out.values.withUnsafeMutableBufferPointer { dst in
                for n in 0..<x.samples {
                    for k in 0..<x.channels {
                        for r in 0..<x.rows {
                            let s = ((n * x.channels + k) * x.rows + r) * x.columns
                            let d = ((n * out.channels + k) * out.rows + r) * out.columns
                            for c in 0..<x.columns { dst[d + c] += src[s + c] }
                        }
                    }
                }
            }
        }
    }
}
