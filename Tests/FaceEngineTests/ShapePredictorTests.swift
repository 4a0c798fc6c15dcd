@testable import FaceEngine
import TestSupport
import Basics
import DlibFormat
import Foundation
import Imaging
import Testing

/// Where the geometry tests find their data: committed fixtures relative to this file, and the
/// dlib model files via ``FixtureFiles``.
enum GeometryFixtures {
    static let repo = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ group: String, _ name: String) -> String {
        repo.appendingPathComponent("Tests/Fixtures").appendingPathComponent(group).appendingPathComponent(name).path
    }

    static func bytes(_ group: String, _ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(group, name))))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(contentsOf: URL(fileURLWithPath: path("geometry", name))))
    }

    /// Decoded with the product's decoder, which gives PIL's pixels (see JPEGDecoderTests).
    static func image(_ name: String) throws -> RGBImage {
        try JPEGDecoder().decode(contentsOf: path("images", name))
    }

    /// The path of a model file; throws (failing the test) when it is not found.
    static func model(_ name: String) throws -> String {
        try FixtureFiles.model(name)
    }

    static func crc32<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }
}

@Suite("ShapePredictor versus dlib.shape_predictor")
struct ShapePredictorTests {
    struct Reference: Decodable {
        struct Case: Decodable { var image: String, box: [Int], parts: [[Int]] }
        var cases: [Case]
    }

    static func box(_ b: [Int]) -> FaceBox { FaceBox(left: b[0], top: b[1], right: b[2], bottom: b[3]) }

    @Test("landmarks equal dlib's for real and random boxes (0 mismatches)")
    func matchesDlib() throws {
        let predictor = try ShapePredictor(contentsOf: GeometryFixtures.model("shape_predictor_5_face_landmarks.dat"))
        let ref = try GeometryFixtures.decode(Reference.self, "landmarks.json")
        #expect(ref.cases.count >= 100)
        var images = [String: RGBImage]()
        var mismatches = [String]()
        for c in ref.cases {
            if images[c.image] == nil { images[c.image] = try GeometryFixtures.image(c.image) }
            let got = predictor.landmarks(in: images[c.image]!, box: Self.box(c.box))
            let want = c.parts.map { FacePoint(x: $0[0], y: $0[1]) }
            if got != want { mismatches.append("\(c.image) \(c.box): \(got) != \(want)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(3))")
    }

    @Test("obama.jpg's face gives the landmarks in DLIB-FORMAT.md §8")
    func documentedFace() throws {
        let predictor = try ShapePredictor(contentsOf: GeometryFixtures.model("shape_predictor_5_face_landmarks.dat"))
        let image = try GeometryFixtures.image("obama.jpg")
        let parts = predictor.landmarks(in: image, box: FaceBox(left: 354, top: 135, right: 599, bottom: 379))
        #expect(parts == [FacePoint(x: 570, y: 216), FacePoint(x: 528, y: 215), FacePoint(x: 424, y: 217),
                          FacePoint(x: 464, y: 216), FacePoint(x: 495, y: 294)])
    }

    @Test("a box entirely outside the image still gives 5 points (all features read 0)")
    func offImage() throws {
        let predictor = try ShapePredictor(contentsOf: GeometryFixtures.model("shape_predictor_5_face_landmarks.dat"))
        let image = RGBImage(width: 50, height: 40)
        let box = FaceBox(left: 1000, top: 1000, right: 1100, bottom: 1100)
        let parts = predictor.landmarks(in: image, box: box)
        #expect(parts.count == 5)
        // With every feature equal, the result does not depend on the pixels: any other image agrees.
        var white = RGBImage(width: 50, height: 40)
        white.pixels = [UInt8](repeating: 255, count: white.pixels.count)
        #expect(predictor.landmarks(in: white, box: box) == parts)
    }

    @Test("the similarity fit is exact for points related by a similarity")
    func similarity() {
        let from = [DPoint(x: 0, y: 0), DPoint(x: 1, y: 0), DPoint(x: 0, y: 2), DPoint(x: 3, y: 1)]
        let a = 1.5, b = -0.5
        let to = from.map { DPoint(x: a * $0.x - b * $0.y + 4, y: b * $0.x + a * $0.y - 2) }
        let s = Similarity(from: from, to: to)
        #expect(abs(s.a - a) < 1e-12 && abs(s.b - b) < 1e-12 && abs(s.tx - 4) < 1e-12 && abs(s.ty + 2) < 1e-12)
    }
}
