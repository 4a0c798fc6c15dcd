import Basics

/// dlib's rounding and rectangle conventions (DLIB-FORMAT.md, "Notation").
///
/// Rectangles are inclusive: `(left, top, right, bottom)` covers `right − left + 1` columns.
/// `lround` (half away from zero) turns a double rectangle into an integer one; `rhu`
/// (`floor(x + 0.5)`, half up) turns a double point into an integer one; interpolated pixel
/// values are truncated.
public enum DlibRounding {
    /// C `lround`: the nearest integer, halves away from zero.
    @inlinable
    public static func lround(_ x: Double) -> Int { Int(x.rounded(.toNearestOrAwayFromZero)) }

    /// `floor(x + 0.5)`: the nearest integer, halves up (dlib's point conversion).
    @inlinable
    public static func rhu(_ x: Double) -> Int { Int((x + 0.5).rounded(.down)) }
}

/// An integer pixel position.
public struct FacePoint: Sendable, Hashable, Codable, CustomStringConvertible {
    public var x: Int
    public var y: Int

    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }

    public var description: String { "(\(x), \(y))" }
}

/// A real-valued point.
public struct DPoint: Sendable, Hashable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    /// dlib's conversion to an integer point: `floor(v + 0.5)` per coordinate.
    public var rounded: FacePoint { FacePoint(x: DlibRounding.rhu(x), y: DlibRounding.rhu(y)) }
}

/// dlib's `drectangle`: real-valued corners, same inclusive convention for areas.
public struct DRect: Sendable, Hashable {
    public var left: Double
    public var top: Double
    public var right: Double
    public var bottom: Double

    public init(left: Double, top: Double, right: Double, bottom: Double) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
    }

    public init(_ box: FaceBox) {
        self.init(left: Double(box.left), top: Double(box.top), right: Double(box.right), bottom: Double(box.bottom))
    }

    /// `right − left + 1`.
    public var width: Double { right - left + 1 }
    /// `bottom − top + 1`.
    public var height: Double { bottom - top + 1 }
    /// `width × height`, or 0 when `left > right` or `top > bottom`.
    public var area: Double { left > right || top > bottom ? 0 : width * height }
    /// The centre `((l + r)/2, (t + b)/2)`.
    public var center: DPoint { DPoint(x: (left + right) / 2, y: (top + bottom) / 2) }

    /// Each corner rounded with `lround` (dlib's drectangle → rectangle).
    public var rounded: FaceBox {
        FaceBox(left: DlibRounding.lround(left), top: DlibRounding.lround(top),
                right: DlibRounding.lround(right), bottom: DlibRounding.lround(bottom))
    }

    /// pyramid_down<2>'s `rect_down`: each corner `p/2 − (1.25, 0.75)`.
    public var down2: DRect {
        DRect(left: left / 2 - 1.25, top: top / 2 - 0.75, right: right / 2 - 1.25, bottom: bottom / 2 - 0.75)
    }
}
