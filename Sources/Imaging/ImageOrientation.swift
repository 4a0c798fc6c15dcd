/// The eight EXIF orientations (tag 0x0112): how the stored pixels must be transformed for display.
///
/// The names say what to do to the stored image to show it upright, and match PIL's
/// `ImageOps.exif_transpose`.
public enum ImageOrientation: Int, Sendable, CaseIterable {
    /// 1: stored upright.
    case up = 1
    /// 2: mirror left–right.
    case mirrored = 2
    /// 3: rotate by 180°.
    case rotated180 = 3
    /// 4: mirror top–bottom.
    case mirroredVertically = 4
    /// 5: transpose (swap x and y).
    case transposed = 5
    /// 6: rotate 90° clockwise.
    case rotatedClockwise = 6
    /// 7: transverse (swap x and y, then rotate 180°).
    case transversed = 7
    /// 8: rotate 90° counter-clockwise.
    case rotatedCounterClockwise = 8

    /// Whether the displayed image has width and height swapped relative to the stored one.
    public var swapsAxes: Bool { rawValue >= 5 }
}

extension RGBImage {
    /// The image as it should be displayed for an EXIF orientation.
    ///
    /// - Parameter orientation: the orientation the stored pixels carry.
    /// - Returns: a new image (`self` for `.up`); width and height swap for orientations 5–8.
    /// - Complexity: O(width × height).
    public func oriented(_ orientation: ImageOrientation) -> RGBImage {
        if orientation == .up { return self }
        let w = width, h = height
        let outW = orientation.swapsAxes ? h : w
        let outH = orientation.swapsAxes ? w : h
        var out = [UInt8](repeating: 0, count: w * h * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<outH {
                    for x in 0..<outW {
                        // (sx, sy): the stored pixel shown at display position (x, y).
                        let sx: Int, sy: Int
                        switch orientation {
                        case .up: (sx, sy) = (x, y)
                        case .mirrored: (sx, sy) = (w - 1 - x, y)
                        case .rotated180: (sx, sy) = (w - 1 - x, h - 1 - y)
                        case .mirroredVertically: (sx, sy) = (x, h - 1 - y)
                        case .transposed: (sx, sy) = (y, x)
                        case .rotatedClockwise: (sx, sy) = (y, h - 1 - x)
                        case .transversed: (sx, sy) = (w - 1 - y, h - 1 - x)
                        case .rotatedCounterClockwise: (sx, sy) = (w - 1 - y, x)
                        }
                        let s = (sy * w + sx) * 3, d = (y * outW + x) * 3
                        dst[d] = src[s]
                        dst[d + 1] = src[s + 1]
                        dst[d + 2] = src[s + 2]
                    }
                }
            }
        }
        return RGBImage(width: outW, height: outH, pixels: out)
    }
}
