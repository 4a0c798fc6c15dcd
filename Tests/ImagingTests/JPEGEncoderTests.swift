@testable import Imaging
import Testing

@Suite("JPEG encoder and crops")
struct JPEGEncoderTests {
    /// A smooth gradient (JPEG keeps it close).
    static func gradient(width: Int, height: Int) -> RGBImage {
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                pixels += [UInt8(x * 255 / max(1, width - 1)), UInt8(y * 255 / max(1, height - 1)), 128]
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    @Test func encodesAnImageThatDecodesBackClose() throws {
        let image = Self.gradient(width: 37, height: 21)
        let bytes = try JPEGEncoder(quality: 90).encode(image)
        #expect(bytes.starts(with: [0xff, 0xd8]))
        #expect(bytes.suffix(2) == [0xff, 0xd9])
        let decoded = try JPEGDecoder().decode(bytes)
        #expect(decoded.width == 37 && decoded.height == 21)
        let worst = zip(image.pixels, decoded.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 255
        #expect(worst < 24)
    }

    @Test func refusesAnEmptyImage() {
        #expect(throws: JPEGEncodingError.self) { try JPEGEncoder().encode(RGBImage(width: 0, height: 0)) }
    }

    @Test func cropsClampToTheImageAndScaleDown() throws {
        let image = Self.gradient(width: 100, height: 80)
        let crop = try #require(image.cropped(left: 90, top: -10, right: 120, bottom: 9))
        #expect(crop.width == 10 && crop.height == 10)
        #expect(crop[0, 0] == image[90, 0])
        let padded = try #require(image.cropped(left: 40, top: 40, right: 59, bottom: 59, margin: 0.25))
        #expect(padded.width == 30 && padded.height == 30)
        #expect(padded[0, 0] == image[35, 35])
        #expect(image.cropped(left: 200, top: 0, right: 210, bottom: 5) == nil)
        let small = image.fitting(maxSide: 50)
        #expect(small.width == 50 && small.height == 40)
        #expect(image.fitting(maxSide: 500) == image)
    }
}
