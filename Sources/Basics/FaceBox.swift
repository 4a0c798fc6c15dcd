/// A face's rectangle in image pixels: dlib's `rectangle`, integer, inclusive corners.
///
/// Shared by the face engine (detections) and the store (enrolled faces), which do not depend on
/// each other.
public struct FaceBox: Sendable, Hashable, Codable, CustomStringConvertible {
    public var left: Int
    public var top: Int
    public var right: Int
    public var bottom: Int

    public init(left: Int, top: Int, right: Int, bottom: Int) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
    }

    /// `right − left + 1` (≤ 0 when empty).
    public var width: Int { right - left + 1 }
    /// `bottom − top + 1` (≤ 0 when empty).
    public var height: Int { bottom - top + 1 }
    /// Whether the box covers no pixel.
    public var isEmpty: Bool { left > right || top > bottom }
    /// Pixels covered; 0 when empty.
    public var area: Int { isEmpty ? 0 : width * height }

    /// The pixels both boxes cover (possibly empty).
    public func intersection(_ other: FaceBox) -> FaceBox {
        FaceBox(left: max(left, other.left), top: max(top, other.top),
                right: min(right, other.right), bottom: min(bottom, other.bottom))
    }

    /// The smallest box covering both (dlib's `rect + rect` for non-empty boxes).
    public func enclosing(_ other: FaceBox) -> FaceBox {
        FaceBox(left: min(left, other.left), top: min(top, other.top),
                right: max(right, other.right), bottom: max(bottom, other.bottom))
    }

    /// Whether the pixel `(x, y)` lies inside.
    public func contains(x: Int, y: Int) -> Bool { x >= left && x <= right && y >= top && y <= bottom }

    public var description: String { "[\(left), \(top), \(right), \(bottom)]" }
}
