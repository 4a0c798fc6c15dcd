@testable import FaceEngine
import Foundation
import Imaging
import Testing

@Suite("FaceChip versus dlib.get_face_chip")
struct FaceChipTests {
    struct Reference: Decodable {
        struct Case: Decodable { var image: String, parts: [[Int]], crc32: UInt32, raw: String? }
        var size: Int
        var padding: Double
        var cases: [Case]
    }

    @Test("chips are bit-identical to dlib's, including pyramid levels and off-image faces")
    func matchesDlib() throws {
        let ref = try GeometryFixtures.decode(Reference.self, "chips.json")
        #expect(ref.cases.count >= 40)
        let chipper = FaceChip(size: ref.size, padding: ref.padding)
        var images = [String: RGBImage]()
        var mismatches = [String]()
        var rawCompared = 0
        for c in ref.cases {
            if images[c.image] == nil { images[c.image] = try GeometryFixtures.image(c.image) }
            let chip = chipper.extract(from: images[c.image]!, landmarks: c.parts.map { FacePoint(x: $0[0], y: $0[1]) })
            #expect(chip.width == 150 && chip.height == 150)
            if GeometryFixtures.crc32(chip.pixels) != c.crc32 { mismatches.append("\(c.image) \(c.parts)") }
            if let raw = c.raw {
                #expect(chip.pixels == (try GeometryFixtures.bytes("geometry", raw)), "\(raw)")
                rawCompared += 1
            }
        }
        #expect(rawCompared >= 2)
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(ref.cases.count) chips differ, first: \(mismatches.prefix(3))")
    }

    @Test("the chip rectangle is centred on the template and rotated with the eyes")
    func details() {
        // Landmarks exactly on the template scaled to 150 px with padding: the identity transform.
        let chip = FaceChip()
        let parts = FaceChip.template.map {
            FacePoint(x: Int((((0.25 + $0.x) / 1.5) * 150).rounded()), y: Int((((0.25 + $0.y) / 1.5) * 150).rounded()))
        }
        let d = chip.details(for: parts)
        #expect(abs(d.angle) < 0.01)
        #expect(abs(d.rect.width - 150) < 2 && abs(d.rect.center.x - 75) < 1.5 && abs(d.rect.center.y - 75) < 1.5)
        #expect(d.rows == 150 && d.cols == 150)
    }

    @Test("pyramid_down<2> sizes and filter")
    func pyramidDown() {
        let flat = RGBImage(width: 20, height: 13, pixels: [UInt8](repeating: 100, count: 20 * 13 * 3))
        let down = FaceChip.pyramidDown2(flat)
        #expect(down.width == 8 && down.height == 5)
        #expect(down.pixels.allSatisfy { $0 == 100 })  // the 1-4-6-4-1 filter sums to 256
        #expect(FaceChip.pyramidDown2(RGBImage(width: 8, height: 40)).pixels.isEmpty)
    }
}
