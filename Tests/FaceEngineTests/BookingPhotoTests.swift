import Basics
import Foundation
import Imaging
import Testing
@testable import FaceEngine

/// The booking-photo pipeline against the full one on committed fixture photos: the same face, box,
/// score and descriptor where it takes its short path, and the full pipeline's answer where it falls
/// back.
@Suite("FaceAnalyzer booking-photo pipeline", .serialized)
struct BookingPhotoTests {
    static func image(_ file: String) throws -> RGBImage {
        try JPEGDecoder().decode(contentsOf: GeometryFixtures.path("images", file))
    }

    @Test("one large face: short path, and exactly the full pipeline's box, score, landmarks and descriptor",
          arguments: ["obama.jpg", "obama2.jpg", "biden.jpg"])
    func parity(file: String) throws {
        let analyzer = try FaceAnalyzerTests.analyzer.get()
        let image = try Self.image(file)
        let full = analyzer.analyze(image).faces
        let booking = analyzer.analyzeBookingPhoto(image)
        #expect(booking.fallbackReason == nil, "\(file): fell back (\(booking.fallbackReason ?? ""))")
        #expect(booking.firstLevel > 0)
        let a = try #require(full.max { $0.box.area < $1.box.area })
        let b = try #require(booking.faces.faces.first)
        #expect(booking.faces.faces.count == 1 && full.count == 1)
        #expect(a.box == b.box && a.confidence == b.confidence, "\(file): \(a.box) \(a.confidence ?? 0) vs \(b.box) \(b.confidence ?? 0)")
        #expect(a.landmarks == b.landmarks && b.landmarks.count == 5)
        let da = try #require(a.descriptor), db = try #require(b.descriptor)
        #expect(da.count == 128 && da == db)
    }

    @Test("several faces, or none: falls back and answers exactly as the full pipeline",
          arguments: [("two_people.jpg", "2 faces"), ("2008_002506.jpg", "faces"), ("dogs.jpg", "no face")])
    func fallback(file: String, reason: String) throws {
        let analyzer = try FaceAnalyzerTests.analyzer.get()
        let image = try Self.image(file)
        let full = analyzer.analyze(image).faces
        let booking = analyzer.analyzeBookingPhoto(image)
        let why = try #require(booking.fallbackReason, "\(file): took the short path")
        #expect(why.contains(reason), "\(file): \(why)")
        #expect(booking.faces.faces.map(\.box) == full.map(\.box))
        #expect(booking.faces.faces.map(\.descriptor) == full.map(\.descriptor))
    }

    @Test("the rules: small, low-scoring, clipped faces are doubtful; one large clear face is not")
    func rules() {
        let rules = BookingPhotoRules()
        func face(_ l: Int, _ t: Int, _ r: Int, _ b: Int, _ score: Double = 1.05) -> Detection {
            Detection(box: FaceBox(left: l, top: t, right: r, bottom: b), confidence: score)
        }
        #expect(rules.doubt([face(300, 200, 599, 499)], imageWidth: 900, imageHeight: 1100) == nil)
        #expect(rules.doubt([], imageWidth: 900, imageHeight: 1100)?.contains("no face") == true)
        #expect(rules.doubt([face(300, 200, 599, 499), face(10, 10, 100, 100)], imageWidth: 900, imageHeight: 1100) == "2 faces")
        #expect(rules.doubt([face(300, 200, 449, 349)], imageWidth: 900, imageHeight: 1100)?.contains("under 20 %") == true)
        #expect(rules.doubt([face(300, 200, 599, 499, 0.3)], imageWidth: 900, imageHeight: 1100)?.contains("confidence") == true)
        #expect(rules.doubt([face(-20, 200, 299, 499)], imageWidth: 900, imageHeight: 1100)?.contains("edge") == true)
        // The first level searched keeps the smallest expected face at least one window wide.
        #expect(rules.firstLevel(upsampledWidth: 1822, window: 80) == 8)  // 364 px ≥ 80 · 1.2^8 = 344
        #expect(rules.firstLevel(upsampledWidth: 300, window: 80) == 0)
    }

    @Test("a JPEG over the detection pixel limit goes through the full (reduced-scale) pipeline")
    func hugePhoto() throws {
        let full = try FaceAnalyzerTests.analyzer.get()
        let analyzer = FaceAnalyzer(detector: full.detector, shapePredictor: full.shapePredictor,
                                    descriptorNetwork: full.descriptorNetwork, maxDetectionPixels: 100_000)
        let result = try analyzer.analyzeBookingPhoto(jpeg: try GeometryFixtures.bytes("images", "obama.jpg"))
        #expect(result.fallbackReason?.contains("pixels") == true)
        #expect(result.faces.detectionScale == 4 && result.faces.faces.count == 1)
    }
}
