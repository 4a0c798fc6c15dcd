@testable import Imaging
import Foundation
import Testing

@Suite("Bilinear resize and pyramidUp versus dlib.resize_image")
struct BilinearResizeTests {
    struct Reference: Decodable, Sendable {
        struct Case: Decodable, Sendable { var rows: Int, cols: Int, crc32: UInt32, first: Float?, last: Float? }
        var rgb_source: String
        var rgb: [Case]
        var float_source: String
        var float_rows: Int
        var float_cols: Int
        var float: [Case]
    }

    static func reference() throws -> Reference {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("geometry", "resize.json")))
        return try JSONDecoder().decode(Reference.self, from: data)
    }

    @Test("RGB resize is bit-identical to dlib for up-, down- and odd sizes")
    func rgb() throws {
        let ref = try Self.reference()
        let image = try JPEGDecoder().decode(contentsOf: Fixtures.path("images", ref.rgb_source))
        #expect(ref.rgb.count >= 6)
        for c in ref.rgb {
            let out = image.resized(width: c.cols, height: c.rows)
            #expect(out.width == c.cols && out.height == c.rows)
            #expect(CRC32.checksum(out.pixels) == c.crc32, "resize to \(c.rows)×\(c.cols)")
        }
    }

    @Test("pyramidUp gives (2H+1)×(2W+2), identical to dlib")
    func pyramidUp() throws {
        let ref = try Self.reference()
        let image = try JPEGDecoder().decode(contentsOf: Fixtures.path("images", ref.rgb_source))
        let up = image.pyramidUp()
        #expect(up.height == 2 * image.height + 1 && up.width == 2 * image.width + 2)
        let expected = try #require(ref.rgb.first { $0.rows == up.height && $0.cols == up.width })
        #expect(CRC32.checksum(up.pixels) == expected.crc32)
    }

    @Test("float-plane resize is bit-identical to dlib")
    func float() throws {
        let ref = try Self.reference()
        let raw = try Fixtures.bytes("geometry", ref.float_source)
        #expect(raw.count == ref.float_rows * ref.float_cols * 4)
        let values = raw.withUnsafeBytes { buffer in
            (0..<raw.count / 4).map { Float(bitPattern: UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
        let plane = FloatPlane(width: ref.float_cols, height: ref.float_rows, values: values)
        #expect(ref.float.count >= 6)
        for c in ref.float {
            let out = plane.resized(width: c.cols, height: c.rows)
            var bytes = [UInt8]()
            for v in out.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
            #expect(CRC32.checksum(bytes) == c.crc32, "resize to \(c.rows)×\(c.cols)")
            #expect(out.values.first == c.first && out.values.last == c.last)
        }
    }

    @Test("a plain double-precision bilinear differs by at most 1 from the exact recipe")
    func closeToNaive() throws {
        let image = try JPEGDecoder().decode(contentsOf: Fixtures.path("images", "rgb444.jpg"))
        let out = image.resized(width: 97, height: 61)
        let xs = Double(image.width - 1) / 96, ys = Double(image.height - 1) / 60
        var differences = 0
        for r in 0..<61 {
            for c in 0..<97 {
                let x = Double(c) * xs, y = Double(r) * ys
                let l = min(Int(x), image.width - 1), t = min(Int(y), image.height - 1)
                let rr = min(l + 1, image.width - 1), b = min(t + 1, image.height - 1)
                let fx = x - Double(l), fy = y - Double(t)
                let p = out[c, r], tl = image[l, t], tr = image[rr, t], bl = image[l, b], br = image[rr, b]
                for (got, q) in [(p.r, (tl.r, tr.r, bl.r, br.r)), (p.g, (tl.g, tr.g, bl.g, br.g)), (p.b, (tl.b, tr.b, bl.b, br.b))] {
                    let v = (1 - fy) * ((1 - fx) * Double(q.0) + fx * Double(q.1)) + fy * ((1 - fx) * Double(q.2) + fx * Double(q.3))
                    #expect(abs(Int(got) - Int(v)) <= 1)
                    if Int(got) != Int(v) { differences += 1 }
                }
            }
        }
        #expect(differences < 97 * 61 * 3 / 20)
    }

    @Test("degenerate sizes: a 1×1 source fills the output with its pixel")
    func degenerate() {
        let one = RGBImage(width: 1, height: 1, pixels: [10, 20, 30])
        let out = one.resized(width: 5, height: 3)
        #expect(out.pixels == (0..<45).map { [10, 20, 30][$0 % 3] })
        #expect(RGBImage(width: 0, height: 0).resized(width: 4, height: 4).pixels == [UInt8](repeating: 0, count: 48))
    }
}
