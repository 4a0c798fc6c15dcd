/// Why a gallery matrix could not be built or a search could not run. A closed set.
public enum MatchingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The dimension must be a positive multiple of 4 (the kernels step by 4); descriptors are 128-d.
    case invalidDimension(Int)
    /// The descriptor array's length is not `count x dimension`, or the id arrays' lengths differ.
    case countMismatch(expected: Int, actual: Int)
    /// A descriptor value is NaN or infinite (the row, or -1 for a probe).
    case nonFinite(row: Int)
    /// A descriptor's squared norm exceeds ``GalleryMatrix/maximumSquaredNorm`` (the row, or -1
    /// for a probe): far outside any face descriptor, and large enough to overflow float32 sums.
    case outOfRange(row: Int)
    /// A probe's length is not the gallery's dimension.
    case probeDimension(expected: Int, actual: Int)
    /// `k` must be at least 1.
    case invalidK(Int)
    /// The threshold must be a finite non-negative number.
    case invalidThreshold(Double)

    public var description: String {
        switch self {
        case .invalidDimension(let d): "invalid descriptor dimension \(d) (must be a positive multiple of 4)"
        case .countMismatch(let e, let a): "expected \(e) values, got \(a)"
        case .nonFinite(let row): row < 0 ? "the probe has a NaN or infinite value" : "gallery row \(row) has a NaN or infinite value"
        case .outOfRange(let row): row < 0 ? "the probe's values are implausibly large" : "gallery row \(row) has implausibly large values"
        case .probeDimension(let e, let a): "probe has \(a) values, the gallery \(e)"
        case .invalidK(let k): "k must be at least 1, not \(k)"
        case .invalidThreshold(let t): "threshold must be finite and non-negative, not \(t)"
        }
    }
}
