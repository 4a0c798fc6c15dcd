/// Max or average pooling over `windowRows × windowColumns` windows (dlib `max_pool_2` /
/// `avg_pool_2`), including dlib's "pool everything" form.
///
/// Output size: `1 + (H + 2·padY − windowRows) / strideY` (integer division), likewise for
/// columns. The window of output `(r, c)` covers input rows `r·strideY − padY …` for
/// `windowRows` rows, clipped to the input; max takes the maximum over the clipped window and
/// average divides by the number of cells in the clipped window (padding is not counted).
/// A window size of 0 × 0 means the whole plane (`avg_pool_everything`), giving a 1 × 1 output.
public struct Pooling: Sendable, Equatable {
    /// The reduction applied to each window.
    public enum Kind: Sendable, Equatable {
        /// The largest value in the window.
        case max
        /// The mean of the window's cells.
        case average
    }

    public let kind: Kind
    public let windowRows: Int
    public let windowColumns: Int
    public let strideY: Int
    public let strideX: Int
    public let paddingY: Int
    public let paddingX: Int

    /// - Precondition: strides ≥ 1, paddings ≥ 0, window sizes ≥ 0 (0 × 0 = whole plane).
    public init(kind: Kind, windowRows: Int, windowColumns: Int, strideY: Int, strideX: Int, paddingY: Int = 0, paddingX: Int = 0) {
        precondition(strideY >= 1 && strideX >= 1 && paddingY >= 0 && paddingX >= 0 && windowRows >= 0 && windowColumns >= 0,
                     "bad pooling geometry")
        self.kind = kind
        self.windowRows = windowRows
        self.windowColumns = windowColumns
        self.strideY = strideY
        self.strideX = strideX
        self.paddingY = paddingY
        self.paddingX = paddingX
    }

    /// Whether this pools each whole plane to one value.
    public var poolsEverything: Bool { windowRows == 0 && windowColumns == 0 }

    /// Output plane size for an input plane of `rows × columns`.
    public func outputSize(rows: Int, columns: Int) -> (rows: Int, columns: Int) {
        if poolsEverything { return (1, 1) }
        let kh = windowRows == 0 ? rows : windowRows
        let kw = windowColumns == 0 ? columns : windowColumns
        return (1 + (rows + 2 * paddingY - kh) / strideY, 1 + (columns + 2 * paddingX - kw) / strideX)
    }

    /// Pools every plane of `x`.
    /// - Complexity: O(output size × window size).
    public func forward(_ x: Tensor) -> Tensor {
        let kh = windowRows == 0 ? x.rows : windowRows
        let kw = windowColumns == 0 ? x.columns : windowColumns
        let sy = poolsEverything ? 1 : strideY, sx = poolsEverything ? 1 : strideX
        let py = poolsEverything ? 0 : paddingY, px = poolsEverything ? 0 : paddingX
        let (oh, ow) = outputSize(rows: x.rows, columns: x.columns)
        var y = Tensor(samples: x.samples, channels: x.channels, rows: max(oh, 0), columns: max(ow, 0))
        guard oh > 0, ow > 0 else { return y }
        let planes = x.samples * x.channels
        let h = x.rows, w = x.columns
        x.values.withUnsafeBufferPointer { src in
            y.values.withUnsafeMutableBufferPointer { dst in
                for plane in 0..<planes {
                    let s = plane * h * w, d = plane * oh * ow
                    for r in 0..<oh {
                        let r0 = max(r * sy - py, 0), r1 = min(r * sy - py + kh, h)
                        for c in 0..<ow {
                            let c0 = max(c * sx - px, 0), c1 = min(c * sx - px + kw, w)
                            var acc: Float = kind == .max ? -.infinity : 0
                            if r0 < r1 && c0 < c1 {
                                for yy in r0..<r1 {
                                    for xx in c0..<c1 {
                                        let v = src[s + yy * w + xx]
                                        acc = kind == .max ? Swift.max(acc, v) : acc + v
                                    }
                                }
                                if kind == .average { acc /= Float((r1 - r0) * (c1 - c0)) }
                            } else {
                                acc = 0
                            }
                            dst[d + r * ow + c] = acc
                        }
                    }
                }
            }
        }
        return y
    }
}
