import Basics
import Foundation
import Imaging

/// Where a face chip is cut from an image: a rotated rectangle and the chip size
/// (dlib's `chip_details`).
public struct ChipDetails: Sendable, Equatable {
    /// The rectangle in the image, before rotation about its centre.
    public var rect: DRect
    /// Rotation in radians (the chip's x axis in image coordinates).
    public var angle: Double
    public var rows: Int
    public var cols: Int
}

/// The aligned face chip that the descriptor network reads: dlib's `get_face_chip_details`
/// (5-point branch, DLIB-FORMAT.md §7.1) and `extract_image_chip` with bilinear sampling (§7.2),
/// bit-exact.
public struct FaceChip: Sendable {
    /// Chip side in pixels (150 for the ResNet).
    public var size: Int
    /// Border around the landmark template, as a fraction of it (0.25 for the ResNet).
    public var padding: Double

    /// dlib's 5-point template in the unit square: eye corners (image-right eye outer, inner;
    /// image-left eye outer, inner), nose base.
    public static let template: [DPoint] = [
        DPoint(x: 0.8595674595992, y: 0.2134981538014), DPoint(x: 0.6460604764104, y: 0.2289674387677),
        DPoint(x: 0.1205750620789, y: 0.2137274526848), DPoint(x: 0.3340850613712, y: 0.2290642403242),
        DPoint(x: 0.4901123135679, y: 0.6277975316475),
    ]

    public init(size: Int = 150, padding: Double = 0.25) {
        precondition(size > 1)
        self.size = size
        self.padding = padding
    }

    /// The chip for five landmarks.
    ///
    /// - Parameters:
    ///   - image: the whole image.
    ///   - landmarks: the 5 points of ``ShapePredictor/landmarks(in:box:)``.
    /// - Returns: a `size`×`size` RGB image; parts outside the image are black.
    /// - Complexity: O(size²) plus, for faces much larger than the chip, O(face area) for the
    ///   image pyramid.
    public func extract(from image: RGBImage, landmarks: [FacePoint]) -> RGBImage {
        extract(from: image, details: details(for: landmarks))
    }

    /// dlib's `get_face_chip_details(det, size, padding)` for a 5-point shape.
    /// - Precondition: `landmarks.count == 5`.
    public func details(for landmarks: [FacePoint]) -> ChipDetails {
        precondition(landmarks.count == 5, "face chips need the 5-point landmarks")
        let s = Double(size)
        let chipPoints = Self.template.map { t in
            DPoint(x: ((padding + t.x) / (2 * padding + 1)) * s, y: ((padding + t.y) / (2 * padding + 1)) * s)
        }
        let m = Similarity(from: chipPoints, to: landmarks.map { DPoint(x: Double($0.x), y: Double($0.y)) })
        let angle = atan2(m.b, m.a)
        let scale = hypot(m.a, m.b)
        let cx = m.a * (s / 2) + (-m.b) * (s / 2) + m.tx
        let cy = m.b * (s / 2) + m.a * (s / 2) + m.ty
        let half = (s * scale - 1) / 2
        return ChipDetails(rect: DRect(left: cx - half, top: cy - half, right: cx + half, bottom: cy + half),
                           angle: angle, rows: size, cols: size)
    }

    /// dlib's `extract_image_chip(img, details, chip)` with bilinear interpolation.
    ///
    /// Large rectangles are first reduced with dlib's 5-tap `pyramid_down<2>` until one more
    /// halving would make them smaller than the chip, then sampled bilinearly; samples whose
    /// 2×2 neighbourhood leaves the source are black.
    public func extract(from image: RGBImage, details: ChipDetails) -> RGBImage {
        let rows = details.rows, cols = details.cols
        let n = Double(rows * cols)
        let rect = details.rect
        // 1. How many halvings the bounding box must be grown for.
        var grow = 2
        var q = rect.down2
        while q.area > n {
            q = q.down2
            grow = 2 * grow + 2
        }
        // 2. The rotated rectangle's bounding box, grown and clipped to the image.
        let c = rect.center
        let corners = [DPoint(x: rect.left, y: rect.top), DPoint(x: rect.right, y: rect.top),
                       DPoint(x: rect.left, y: rect.bottom), DPoint(x: rect.right, y: rect.bottom)]
            .map { Self.rotate($0, about: c, by: details.angle) }
        let g = Double(grow)
        let bbox = DRect(
            left: max(corners.map(\.x).min()! - g, 0), top: max(corners.map(\.y).min()! - g, 0),
            right: min(corners.map(\.x).max()! + g, Double(image.width - 1)),
            bottom: min(corners.map(\.y).max()! + g, Double(image.height - 1))
        ).rounded
        // 3–4. The source: the crop, or the pyramid level where the rectangle still covers the chip.
        var source = Self.crop(image, bbox)
        var local = DRect(left: rect.left - Double(bbox.left), top: rect.top - Double(bbox.top),
                          right: rect.right - Double(bbox.left), bottom: rect.bottom - Double(bbox.top))
        while local.down2.area > n {
            local = local.down2
            source = Self.pyramidDown2(source)
        }
        // 5. The affine map chip → source sends the chip's corners to the rotated rectangle's.
        let lc = local.center
        let p0 = Self.rotate(DPoint(x: local.left, y: local.top), about: lc, by: details.angle)
        let p1 = Self.rotate(DPoint(x: local.right, y: local.top), about: lc, by: details.angle)
        let p2 = Self.rotate(DPoint(x: local.left, y: local.bottom), about: lc, by: details.angle)
        let m00 = (p1.x - p0.x) / Double(max(cols - 1, 1)), m01 = (p2.x - p0.x) / Double(max(rows - 1, 1))
        let m10 = (p1.y - p0.y) / Double(max(cols - 1, 1)), m11 = (p2.y - p0.y) / Double(max(rows - 1, 1))
        // 6. Bilinear sampling, truncated; black outside.
        var chip = [UInt8](repeating: 0, count: rows * cols * 3)
        let sw = source.width, sh = source.height
        source.pixels.withUnsafeBufferPointer { src in
            chip.withUnsafeMutableBufferPointer { dst in
                for r in 0..<rows {
                    for col in 0..<cols {
                        let x = m00 * Double(col) + m01 * Double(r) + p0.x
                        let y = m10 * Double(col) + m11 * Double(r) + p0.y
                        let xf = x.rounded(.down), yf = y.rounded(.down)
                        guard xf >= 0, yf >= 0, xf + 1 < Double(sw), yf + 1 < Double(sh) else { continue }
                        let x0 = Int(xf), y0 = Int(yf)
                        let fx = x - xf, fy = y - yf
                        let i00 = (y0 * sw + x0) * 3, i10 = i00 + sw * 3
                        let o = (r * cols + col) * 3
                        for ch in 0..<3 {
                            let top = (1 - fx) * Double(src[i00 + ch]) + fx * Double(src[i00 + 3 + ch])
                            let bottom = (1 - fx) * Double(src[i10 + ch]) + fx * Double(src[i10 + 3 + ch])
                            dst[o + ch] = UInt8((1 - fy) * top + fy * bottom)
                        }
                    }
                }
            }
        }
        return RGBImage(width: cols, height: rows, pixels: chip)
    }

    /// `p` rotated by `angle` about `center`.
    static func rotate(_ p: DPoint, about center: DPoint, by angle: Double) -> DPoint {
        let s = sin(angle), c = cos(angle)
        let x = p.x - center.x, y = p.y - center.y
        return DPoint(x: c * x - s * y + center.x, y: s * x + c * y + center.y)
    }

    /// The pixels of `box` (inside the image); empty when the box is empty.
    static func crop(_ image: RGBImage, _ box: FaceBox) -> RGBImage {
        guard !box.isEmpty else { return RGBImage(width: 0, height: 0) }
        var out = [UInt8]()
        out.reserveCapacity(box.area * 3)
        for y in box.top...box.bottom {
            let start = (y * image.width + box.left) * 3
            out.append(contentsOf: image.pixels[start..<start + box.width * 3])
        }
        return RGBImage(width: box.width, height: box.height, pixels: out)
    }

    /// dlib's `pyramid_down<2>` for RGB: a separable 1-4-6-4-1 filter and a 2:1 decimation,
    /// integer arithmetic with truncation; H×W → ((H−3)/2)×((W−3)/2), empty when H or W ≤ 8.
    static func pyramidDown2(_ image: RGBImage) -> RGBImage {
        let h = image.height, w = image.width
        guard h > 8, w > 8 else { return RGBImage(width: 0, height: 0) }
        let ow = (w - 3) / 2, oh = (h - 3) / 2
        var tmp = [Int32](repeating: 0, count: h * ow * 3)
        var out = [UInt8](repeating: 0, count: oh * ow * 3)
        image.pixels.withUnsafeBufferPointer { src in
            tmp.withUnsafeMutableBufferPointer { tmp in
                for y in 0..<h {
                    let row = y * w * 3
                    for x in 0..<ow {
                        for ch in 0..<3 {
                            let i = row + 2 * x * 3 + ch
                            let a = Int32(src[i]) + 4 * Int32(src[i + 3]) + 6 * Int32(src[i + 6])
                            tmp[(y * ow + x) * 3 + ch] = a + 4 * Int32(src[i + 9]) + Int32(src[i + 12])
                        }
                    }
                }
            }
            tmp.withUnsafeBufferPointer { tmp in
                out.withUnsafeMutableBufferPointer { dst in
                    let stride = ow * 3
                    for r in 0..<oh {
                        let base = 2 * r * stride
                        for k in 0..<stride {
                            let i = base + k
                            let v = tmp[i] + 4 * tmp[i + stride] + 6 * tmp[i + 2 * stride] + 4 * tmp[i + 3 * stride] + tmp[i + 4 * stride]
                            dst[r * stride + k] = UInt8(v / 256)
                        }
                    }
                }
            }
        }
        return RGBImage(width: ow, height: oh, pixels: out)
    }
}
