@testable import Imaging
import Foundation
import Testing

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

    @Test("a malformed Exif block is ignored, not trusted")
    func malformedExif() throws {
        var bytes = try Fixtures.bytes("images", "orientation-6.jpg")
        let exif: [UInt8] = Array("Exif".utf8) + [0, 0]
        let at = try #require((0..<bytes.count - 6).first { Array(bytes[$0..<$0 + 6]) == exif })
        // The TIFF header's IFD0 offset (4 bytes after "II*\0" / "MM\0*") now points far outside.
        for i in 0..<4 { bytes[at + 6 + 4 + i] = 0xF0 }
        let image = try JPEGDecoder().decode(bytes)
        #expect(image.width == 24 && image.height == 14)
        #expect(try JPEGDecoder().header(of: bytes).orientation == .up)
    }

    @Test("randomly damaged JPEGs decode or fail with an ImageError, never crash")
    func fuzz() throws {
        var rng = SplitMix64(seed: 42)
        for name in ["rgb420.jpg", "progressive.jpg", "gray.jpg", "cmyk.jpg", "orientation-8.jpg"] {
            let original = try Fixtures.bytes("images", name)
            for round in 0..<60 {
                var bytes = original
                let edits = 1 + Int(rng.next() % 8)
                for _ in 0..<edits {
                    let i = 2 + Int(rng.next() % UInt64(bytes.count - 2))
                    bytes[i] = UInt8(truncatingIfNeeded: rng.next())
                }
                if round % 5 == 0 { bytes = Array(bytes.prefix(2 + Int(rng.next() % UInt64(bytes.count - 2)))) }
                do {
                    let image = try JPEGDecoder(maxPixels: 1 << 22).decode(bytes)
                    #expect(image.pixels.count == image.width * image.height * 3)
                } catch {
                    #expect(!error.message.isEmpty)
                }
            }
        }
    }
}

/// A small deterministic random generator for the fuzz test.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
