@testable import FaceEngine
import Imaging
import Testing

@Suite("FaceQuality")
struct FaceQualityTests {
    /// dlib's landmarks of obama_small.jpg's face (a frontal face, eyes 67 px apart).
    static let frontal: [(x: Double, y: Double)] = [(196, 98), (177, 98), (129, 99), (147, 99), (162, 134)]

    /// A chip with a sharp checkerboard in the middle (high Laplacian variance).
    static func sharpChip() -> RGBImage {
        var chip = RGBImage(width: 150, height: 150)
        for y in 0..<150 {
            for x in 0..<150 where (x / 3 + y / 3) % 2 == 0 {
                let i = (y * 150 + x) * 3
                chip.pixels[i] = 220; chip.pixels[i + 1] = 200; chip.pixels[i + 2] = 180
            }
        }
        return chip
    }

    @Test("a real frontal face on a sharp chip is fit to search")
    func frontalSharp() {
        let q = FaceQuality(landmarks: Self.frontal, chip: Self.sharpChip())
        #expect(q.ok, "\(q.reasons)")
        #expect(abs(q.yaw) < 0.1)
        #expect(abs(q.eyeDistance - 67) < 1)
    }

    @Test("a flat chip is blurred")
    func blurred() {
        var flat = RGBImage(width: 150, height: 150)
        for i in flat.pixels.indices { flat.pixels[i] = 128 }
        let q = FaceQuality(landmarks: Self.frontal, chip: flat)
        #expect(q.reasons == [.blurred])
        #expect(q.sharpness == 0)
    }

    @Test("eyes a few pixels apart are too small")
    func tooSmall() {
        let tiny = Self.frontal.map { (x: 100 + ($0.x - 160) / 8, y: 100 + ($0.y - 110) / 8) }
        #expect(FaceQuality(landmarks: tiny, chip: Self.sharpChip()).reasons == [.tooSmall])
    }

    @Test("a nose far off the eyes' midline is a turned head")
    func turned() {
        var profile = Self.frontal
        profile[4].x = 200  // the nose under the image-right eye
        let q = FaceQuality(landmarks: profile, chip: Self.sharpChip())
        #expect(q.reasons == [.turned])
        #expect(q.yaw > 0.4)
    }
}
