import Foundation
import Testing
@testable import Imaging

@Suite("JPEGDecoder")
struct JPEGDecoderTests {
    /// PIL's size and CRC-32 of `exif_transpose(open(f)).convert('RGB')` pixels.
    struct Expected: Decodable, Sendable {
        struct Half: Decodable, Sendable { var width: Int, height: Int, crc32: UInt32 }
        var width: Int, height: Int, crc32: UInt32, half: Half?
    }

    static let expected: [String: Expected] = {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: Fixtures.path("images", "expected.json"))) else { return [:] }
        return (try? JSONDecoder().decode([String: Expected].self, from: data)) ?? [:]
    }()

    static let decodable = expected.keys.sorted()

    @Test("the fixture manifest is present")
    func manifest() {
        #expect(Self.expected.count >= 14, "run scripts/make-image-fixtures.py")
    }

    @Test("decodes exactly PIL's pixels, EXIF orientation applied", arguments: decodable)
    func matchesPIL(name: String) throws {
        let info = try #require(Self.expected[name])
        let image = try JPEGDecoder().decode(contentsOf: Fixtures.path("images", name))
        #expect(image.width == info.width)
        #expect(image.height == info.height)
        #expect(CRC32.checksum(image.pixels) == info.crc32)
    }

    @Test("half-scale decoding matches PIL's draft mode", arguments: decodable)
    func halfScale(name: String) throws {
        let info = try #require(Self.expected[name])
        guard let half = info.half else { return }
        let image = try JPEGDecoder().decode(contentsOf: Fixtures.path("images", name), scale: .half)
        #expect(image.width == half.width)
        #expect(image.height == half.height)
        #expect(CRC32.checksum(image.pixels) == half.crc32)
    }

    @Test("reduced scales round sizes up")
    func reducedScales() throws {
        let bytes = try Fixtures.bytes("images", "obama.jpg")  // 910×1137
        for (scale, w, h) in [(JPEGScale.quarter, 228, 285), (.eighth, 114, 143)] {
            let image = try JPEGDecoder().decode(bytes, scale: scale)
            #expect(image.width == w && image.height == h)
        }
        #expect(JPEGScale.fitting(width: 910, height: 1137, maxPixels: 2_000_000) == .full)
        #expect(JPEGScale.fitting(width: 8000, height: 6000, maxPixels: 4_000_000) == .quarter)
        #expect(JPEGScale.fitting(width: 60000, height: 60000, maxPixels: 1000) == .eighth)
    }

    @Test("orientation can be left unapplied, as PIL and face_recognition do")
    func orientationOff() throws {
        let bytes = try Fixtures.bytes("images", "orientation-6.jpg")
        let decoder = JPEGDecoder(appliesOrientation: false)
        let stored = try decoder.decode(bytes)
        #expect(stored.width == 24 && stored.height == 14)
        #expect(try decoder.header(of: bytes).orientation == .rotatedClockwise)
        #expect(try JPEGDecoder().decode(bytes) == stored.oriented(.rotatedClockwise))
    }

    @Test("orientations map the corners as EXIF defines")
    func orientationCorners() {
        // A 2×1 image: red, green.
        let image = RGBImage(width: 2, height: 1, pixels: [255, 0, 0, 0, 255, 0])
        let red: [UInt8] = [255, 0, 0], green: [UInt8] = [0, 255, 0]
        #expect(image.oriented(.mirrored).pixels == green + red)
        #expect(image.oriented(.rotatedClockwise).pixels == red + green)   // 1×2: red on top
        #expect(image.oriented(.rotatedCounterClockwise).pixels == green + red)
        #expect(image.oriented(.transposed).pixels == red + green)
        #expect(image.oriented(.transversed).pixels == green + red)
        for o in ImageOrientation.allCases {
            let out = image.oriented(o)
            #expect(out.width * out.height == 2 && out.width == (o.swapsAxes ? 1 : 2))
        }
    }

    @Test("grey and CMYK files report their components")
    func components() throws {
        #expect(try JPEGDecoder().header(of: Fixtures.bytes("images", "gray.jpg")).components == 1)
        #expect(try JPEGDecoder().header(of: Fixtures.bytes("images", "cmyk.jpg")).components == 4)
        #expect(try JPEGDecoder().header(of: Fixtures.bytes("images", "progressive.jpg")).isProgressive)
    }

    // MARK: - Refused inputs

    func expectError(_ name: String, _ code: ImageError.Code, decoder: JPEGDecoder = JPEGDecoder()) {
        let path = Fixtures.path("images", name)
        #expect {
            _ = try decoder.decode(contentsOf: path)
        } throws: { error in
            guard let error = error as? ImageError else { return false }
            return error.code == code && error.path == path && !error.message.isEmpty
        }
    }

    @Test("a truncated JPEG is refused")
    func truncated() {
        expectError("truncated.jpg", .truncated)
        expectError("header-only.jpg", .truncated)
    }

    @Test("random bytes, a PNG and an empty file are refused")
    func notJPEG() throws {
        expectError("random.bin", .notJPEG)
        expectError("image.png", .notJPEG)
        expectError("empty.jpg", .empty)
        #expect {
            _ = try JPEGDecoder().decode(Fixtures.bytes("images", "image.png"))
        } throws: { ($0 as? ImageError)?.message.contains("PNG") == true }
    }

    @Test("a JPEG whose header declares 60000×60000 pixels is refused before decoding")
    func bomb() throws {
        expectError("bomb-60000.jpg", .tooLarge)
        let header = try JPEGDecoder().header(of: Fixtures.bytes("images", "bomb-60000.jpg"))
        #expect(header.width == 60000 && header.height == 60000)
        // The limit is the caller's: a small one refuses an ordinary photo too.
        expectError("obama_small.jpg", .tooLarge, decoder: JPEGDecoder(maxPixels: 1000))
    }

    @Test("damaged data inside a valid start marker is an error, never a crash")
    func corruptMiddle() throws {
        var bytes = try Fixtures.bytes("images", "rgb420.jpg")
        // Overwrite the quantisation and Huffman tables with garbage.
        for i in 4..<min(300, bytes.count) { bytes[i] = UInt8(truncatingIfNeeded: i &* 37) }
        #expect(throws: ImageError.self) { _ = try JPEGDecoder().decode(bytes) }
    }

    @Test("missing files and directories are unreadable")
    func unreadable() {
        expectError("no-such-file.jpg", .unreadable)
        #expect {
            _ = try JPEGDecoder().decode(contentsOf: Fixtures.root.path)
        } throws: { ($0 as? ImageError)?.code == .unreadable }
    }
}
