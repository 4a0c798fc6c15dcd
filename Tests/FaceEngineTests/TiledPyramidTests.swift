@testable import FaceEngine
import Basics
import Foundation
import Imaging
import Testing

@Suite("TiledPyramid (dlib input_rgb_image_pyramid)")
struct TiledPyramidTests {
    struct Reference: Decodable {
        struct Layout: Decodable { var rows: Int, cols: Int, tensor_rows: Int, tensor_cols: Int, rects: [[Int]] }
        struct Tensor: Decodable {
            var image: String
            var upsampled_rows: Int, upsampled_cols: Int, tensor_rows: Int, tensor_cols: Int
            var avg_rgb: [Float]
            var rects: [[Int]]
            var crc32: UInt32
            var samples: [[Double]]
        }
        var padding: Int
        var outer_padding: Int
        var layouts: [Layout]
        var tensor: Tensor
    }

    static func boxes(_ rects: [[Int]]) -> [FaceBox] {
        rects.map { FaceBox(left: $0[0], top: $0[1], right: $0[2], bottom: $0[3]) }
    }

    @Test("layouts match dlib's compute_tiled_image_pyramid_details")
    func layouts() throws {
        let ref = try GeometryFixtures.decode(Reference.self, "pyramid.json")
        #expect(ref.layouts.count >= 8)
        for l in ref.layouts {
            let got = TiledPyramid.layout(imageRows: l.rows, imageCols: l.cols, padding: ref.padding, outerPadding: ref.outer_padding)
            #expect(got.rows == l.tensor_rows && got.cols == l.tensor_cols, "\(l.rows)×\(l.cols)")
            #expect(got.rects == Self.boxes(l.rects), "\(l.rows)×\(l.cols)")
        }
    }

    @Test("the documented example: 481×642 gives a 1783×664 tensor with 24 levels")
    func documentedExample() {
        let l = TiledPyramid.layout(imageRows: 481, imageCols: 642)
        #expect(l.rows == 1783 && l.cols == 664 && l.rects.count == 24)
        #expect(l.rects[0] == FaceBox(left: 11, top: 11, right: 652, bottom: 491))
        #expect(l.rects[1] == FaceBox(left: 11, top: 502, right: 545, bottom: 901))
        #expect(l.rects[5] == FaceBox(left: 397, top: 1581, right: 652, bottom: 1771))
        let big = TiledPyramid.layout(imageRows: 2275, imageCols: 1822)
        #expect(big.rows == 8221 && big.cols == 1844 && big.rects.count == 32)
    }

    @Test("the tensor for obama_small.jpg upsampled once is bit-identical to the reference")
    func tensor() throws {
        let ref = try GeometryFixtures.decode(Reference.self, "pyramid.json").tensor
        let image = try GeometryFixtures.image(ref.image).pyramidUp()
        #expect(image.height == ref.upsampled_rows && image.width == ref.upsampled_cols)
        let avg = SIMD3<Float>(ref.avg_rgb[0], ref.avg_rgb[1], ref.avg_rgb[2])
        let pyramid = TiledPyramid(image: image, averageRGB: avg)
        #expect(pyramid.rows == ref.tensor_rows && pyramid.cols == ref.tensor_cols)
        #expect(pyramid.levelRects == Self.boxes(ref.rects))
        #expect(pyramid.tensor.count == 3 * pyramid.rows * pyramid.cols)
        for s in ref.samples {
            let (ch, r, c) = (Int(s[0]), Int(s[1]), Int(s[2]))
            #expect(pyramid.tensor[(ch * pyramid.rows + r) * pyramid.cols + c] == Float(s[3]), "\(s)")
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(pyramid.tensor.count * 4)
        for v in pyramid.tensor { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        #expect(GeometryFixtures.crc32(bytes) == ref.crc32)
    }

    @Test("level 0 is (pixel − average)/256 and the padding is zero")
    func normalisation() {
        var image = RGBImage(width: 30, height: 20)
        for i in image.pixels.indices { image.pixels[i] = UInt8(i % 251) }
        let avg = SIMD3<Float>(122.782, 117.001, 104.298)
        let p = TiledPyramid(image: image, averageRGB: avg)
        let r0 = p.levelRects[0]
        let plane = p.rows * p.cols
        for (x, y) in [(0, 0), (29, 19), (7, 11)] {
            let px = image[x, y]
            #expect(p.tensor[(r0.top + y) * p.cols + r0.left + x] == (Float(px.r) - avg.x) / 256)
            #expect(p.tensor[plane + (r0.top + y) * p.cols + r0.left + x] == (Float(px.g) - avg.y) / 256)
            #expect(p.tensor[2 * plane + (r0.top + y) * p.cols + r0.left + x] == (Float(px.b) - avg.z) / 256)
        }
        // The outer border and every pixel outside the level rectangles are zero.
        for ch in 0..<3 {
            for r in 0..<p.rows {
                for c in 0..<p.cols where !p.levelRects.contains(where: { $0.contains(x: c, y: r) }) {
                    if p.tensor[ch * plane + r * p.cols + c] != 0 {
                        Issue.record("non-zero padding at channel \(ch), (\(c), \(r))")
                        return
                    }
                }
            }
        }
    }

    @Test("rebuilding for another image equals building afresh, smaller or larger")
    func rebuild() {
        func image(_ w: Int, _ h: Int, _ seed: Int) -> RGBImage {
            RGBImage(width: w, height: h, pixels: (0..<(w * h * 3)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed) })
        }
        let avg = SIMD3<Float>(120, 110, 100)
        var p = TiledPyramid(image: image(90, 70, 1), averageRGB: avg)
        for (w, h, seed) in [(40, 33, 2), (120, 95, 3), (120, 95, 4), (7, 9, 5)] {
            p.rebuild(image: image(w, h, seed), averageRGB: avg)
            let fresh = TiledPyramid(image: image(w, h, seed), averageRGB: avg)
            #expect(p.rows == fresh.rows && p.cols == fresh.cols && p.levelRects == fresh.levelRects)
            #expect(p.tensor == fresh.tensor, "\(w)×\(h)")
        }
    }

    @Test("levels computed row by row, upsampled on the way or not, equal the tensor's levels bit for bit")
    func rowByRowLevels() throws {
        func image(_ w: Int, _ h: Int, _ seed: Int) -> RGBImage {
            RGBImage(width: w, height: h, pixels: (0..<(w * h * 3)).map { i in
                UInt8(truncatingIfNeeded: (i &* 2654435761 &+ seed &* 40503) >> 7)
            })
        }
        let avg = SIMD3<Float>(122.782, 117.001, 104.298)
        for (w, h, seed, upsample) in [(61, 47, 1, true), (133, 101, 2, true), (250, 190, 3, false), (9, 13, 4, true), (37, 300, 5, false)] {
            let source = image(w, h, seed)
            let detectorImage = upsample ? source.pyramidUp() : source
            let reference = TiledPyramid(image: detectorImage, averageRGB: avg)
            for first in [0, 1, 3] {
                let levels = try #require(PyramidLevels(image: source, upsample: upsample, averageRGB: avg, keepingFrom: first))
                #expect(levels.sizes.count == reference.levelRects.count)
                for level in first..<levels.sizes.count {
                    let rect = reference.levelRects[level]
                    let size = levels.sizes[level]
                    #expect(levels.holds(level) && size.rows == rect.height && size.cols == rect.width)
                    let plane: [Float] = levels.withLevel(level) { r, g, b in
                        [r, g, b].flatMap { Array(UnsafeBufferPointer(start: $0, count: size.rows * size.cols)) }
                    }
                    var same = true
                    for ch in 0..<3 {
                        for y in 0..<size.rows {
                            for x in 0..<size.cols {
                                let a = plane[ch * size.rows * size.cols + y * size.cols + x]
                                let b = reference.tensor[ch * reference.rows * reference.cols + (rect.top + y) * reference.cols + rect.left + x]
                                if a.bitPattern != b.bitPattern { same = false }
                            }
                        }
                    }
                    #expect(same, "\(w)×\(h) upsample \(upsample) level \(level) kept from \(first)")
                }
            }
        }
    }

    @Test("windows of the tensor come from kept levels and kept regions of larger levels, or are refused")
    func windowsFromRegions() throws {
        let source = RGBImage(width: 180, height: 140, pixels: (0..<(180 * 140 * 3)).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) })
        let avg = SIMD3<Float>(122.782, 117.001, 104.298)
        let reference = TiledPyramid(image: source, averageRGB: avg)
        let rects = reference.levelRects
        // Keep levels 5… whole, and the parts of larger levels that a window around level 11 (in the
        // right column, beside level 1) reaches.
        let l11 = rects[11]
        let area = FaceBox(left: l11.left - 20, top: l11.top - 20, right: l11.right, bottom: l11.bottom + 20)
        var regions = [Int: FaceBox]()
        for i in 0..<5 {
            let part = rects[i].intersection(area)
            if !part.isEmpty {
                regions[i] = FaceBox(left: part.left - rects[i].left, top: part.top - rects[i].top,
                                     right: part.right - rects[i].left, bottom: part.bottom - rects[i].top)
            }
        }
        #expect(regions.keys.contains(1))
        let levels = try #require(PyramidLevels(image: source, upsample: false, averageRGB: avg, keepingFrom: 5, regions: regions))
        let window = try #require(levels.window(rects: rects, top: area.top, left: area.left, rows: area.height, cols: area.width))
        var expected = [Float]()
        for ch in 0..<3 {
            for y in area.top...area.bottom {
                for x in area.left...area.right { expected.append(reference.tensor[ch * reference.rows * reference.cols + y * reference.cols + x]) }
            }
        }
        #expect(window.map(\.bitPattern) == expected.map(\.bitPattern))
        // One column more of level 1 than was kept: refused.
        #expect(levels.window(rects: rects, top: area.top, left: area.left - 1, rows: area.height, cols: area.width + 1) == nil)
    }
}
