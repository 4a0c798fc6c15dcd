@testable import FaceEngine
import Basics
import Foundation
import Imaging
import Testing

/// End-to-end parity with dlib 20 (`scripts/make-reference.py`): the same faces, landmarks and
/// descriptors on the same pixels.
@Suite("FaceAnalyzer vs dlib", .serialized)
struct FaceAnalyzerTests {
    struct Reference: Decodable {
        struct Image: Decodable {
            var file: String
            var width: Int
            var height: Int
            var faces: [Face]
        }
        struct Face: Decodable {
            var rect: [Int]
            var confidence: Double
            var box: [Int]
            var landmarks: [[Int]]
            var descriptor: [Double]
        }
        var images: [Image]

        static func load(_ name: String) throws -> Reference {
            try JSONDecoder().decode(Reference.self, from: Data(contentsOf: URL(fileURLWithPath: GeometryFixtures.path("reference", name))))
        }
    }

    /// Loaded once for the suite.
    static let analyzer: Result<FaceAnalyzer, any Error> = Result {
        let dir = (try GeometryFixtures.model(FaceAnalyzer.detectorFile) as NSString).deletingLastPathComponent
        return try FaceAnalyzer(modelsDirectory: dir)
    }

    /// Euclidean distance of two 128-d descriptors; infinite when either is not 128 values (so a
    /// missing or short descriptor fails every tolerance).
    static func distance(_ a: [Float], _ b: [Double]) -> Double {
        guard a.count == 128, b.count == 128 else { return .infinity }
        var s = 0.0
        for i in a.indices { let d = Double(a[i]) - b[i]; s += d * d }
        return s.squareRoot()
    }

    static func iou(_ a: FaceBox, _ b: [Int]) -> Double {
        let other = FaceBox(left: b[0], top: b[1], right: b[2], bottom: b[3])
        let inter = Double(a.intersection(other).area)
        return inter / (Double(a.area) + Double(other.area) - inter)
    }

    static func image(_ file: String) throws -> RGBImage {
        try JPEGDecoder().decode(contentsOf: GeometryFixtures.path("", file))
    }

    @Test("given dlib's box: landmarks within 1 px, descriptor within 0.01 (every reference face)")
    func givenBox() throws {
        let analyzer = try Self.analyzer.get()
        let reference = try Reference.load("faces.json")
        var distances: [Double] = []
        for entry in reference.images where !entry.faces.isEmpty {
            let image = try Self.image(entry.file)
            #expect(image.width == entry.width && image.height == entry.height)
            for face in entry.faces {
                let box = FaceBox(left: face.box[0], top: face.box[1], right: face.box[2], bottom: face.box[3])
                let mine = analyzer.describe(image, box: box)
                #expect(mine.landmarks.count == 5 && face.landmarks.count == 5, "\(entry.file) \(face.box): landmark counts")
                for (p, q) in zip(mine.landmarks, face.landmarks) {
                    #expect(abs(p.x - q[0]) <= 1 && abs(p.y - q[1]) <= 1, "\(entry.file) \(face.box): \(p) vs \(q)")
                }
                let descriptor = try #require(mine.descriptor, "\(entry.file) \(face.box): no descriptor")
                #expect(descriptor.count == 128)
                let d = Self.distance(descriptor, face.descriptor)
                #expect(d <= 0.01, "\(entry.file) \(face.box): descriptor distance \(d)")
                distances.append(d)
            }
        }
        #expect(distances.count == 36)
        distances.sort()
        #expect(distances[distances.count / 2] <= 0.001, "median descriptor distance \(distances[distances.count / 2])")
    }

    @Test("detection: every dlib face found (IoU ≥ 0.7), no extra, descriptors within 0.03",
          arguments: ["images/obama_small.jpg", "images/2008_002506.jpg", "images/2009_004587.jpg",
                      "images/two_people.jpg", "images/dogs.jpg", "images/bald_guys.jpg"])
    func detection(file: String) throws {
        let analyzer = try Self.analyzer.get()
        let reference = try #require(try Reference.load("faces.json").images.first { $0.file == file })
        let found = analyzer.analyze(try Self.image(file)).faces
        #expect(found.count == reference.faces.count, "\(file): \(found.count) faces, dlib \(reference.faces.count)")
        for face in reference.faces {
            guard let match = found.max(by: { Self.iou($0.box, face.box) < Self.iou($1.box, face.box) }) else {
                Issue.record("\(file): dlib's face \(face.box) not found")
                continue
            }
            #expect(Self.iou(match.box, face.box) >= 0.7, "\(file): best IoU for \(face.box) is \(Self.iou(match.box, face.box))")
            #expect(abs((match.confidence ?? 0) - face.confidence) < 0.01)
            #expect(match.landmarks.count == 5)
            let descriptor = try #require(match.descriptor, "\(file) \(face.box): no descriptor")
            #expect(descriptor.count == 128)
            let d = Self.distance(descriptor, face.descriptor)
            #expect(d <= 0.03, "\(file) \(face.box): descriptor distance \(d)")
        }
    }

    @Test("compare: two Obama photos are under 0.6, Obama and Biden over 0.6")
    func compare() throws {
        let analyzer = try Self.analyzer.get()
        func best(_ file: String) throws -> [Float] {
            let faces = analyzer.analyze(try Self.image(file)).faces
            let face = try #require(faces.max { ($0.confidence ?? 0) < ($1.confidence ?? 0) })
            return try #require(face.descriptor)
        }
        let obama = try best("images/obama.jpg"), obama2 = try best("images/obama2.jpg"), biden = try best("images/biden.jpg")
        #expect(Self.distance(obama, obama2.map(Double.init)) < 0.6)
        #expect(Self.distance(obama, biden.map(Double.init)) > 0.6)
    }

    @Test("rank-1 identification on the johns set is at least as good as dlib's own descriptors")
    func johnsRankOne() throws {
        let analyzer = try Self.analyzer.get()
        let reference = try Reference.load("johns.json")
        let byPerson = Dictionary(grouping: reference.images) { $0.file.split(separator: "/")[1] }
        var mineGallery: [(String, [Float])] = [], dlibGallery: [(String, [Double])] = []
        var mineProbes: [(String, [Float])] = [], dlibProbes: [(String, [Double])] = []
        for (person, images) in byPerson.sorted(by: { $0.key < $1.key }) {
            for (n, entry) in images.sorted(by: { $0.file < $1.file }).enumerated() {
                let faces = analyzer.analyze(try Self.image(entry.file)).faces
                let mine = faces.max { ($0.confidence ?? 0) < ($1.confidence ?? 0) }?.descriptor
                let dlib = entry.faces.max { $0.confidence < $1.confidence }?.descriptor
                if n == 0 {
                    try mineGallery.append((String(person), #require(mine, "no face in gallery image \(entry.file)")))
                    try dlibGallery.append((String(person), #require(dlib)))
                } else {
                    if let mine { mineProbes.append((String(person), mine)) }
                    if let dlib { dlibProbes.append((String(person), dlib)) }
                }
            }
        }
        func nearest<T>(_ probe: [T], _ gallery: [(String, [T])], _ distance: ([T], [T]) -> Double) -> String {
            gallery.min { distance(probe, $0.1) < distance(probe, $1.1) }!.0
        }
        let mineCorrect = mineProbes.filter { nearest($0.1, mineGallery) { Self.distance($0, $1.map(Double.init)) } == $0.0 }.count
        let dlibCorrect = dlibProbes.filter { nearest($0.1, dlibGallery) { a, b in Self.distance(a.map(Float.init), b) } == $0.0 }.count
        #expect(mineProbes.count == dlibProbes.count)
        #expect(mineCorrect >= dlibCorrect, "rank-1: frs \(mineCorrect)/\(mineProbes.count), dlib \(dlibCorrect)/\(dlibProbes.count)")
    }

    @Test("a photo over the detection pixel limit is searched at reduced scale and still finds the face")
    func reducedScaleDetection() throws {
        let full = try Self.analyzer.get()
        let analyzer = FaceAnalyzer(detector: full.detector, shapePredictor: full.shapePredictor,
                                    descriptorNetwork: full.descriptorNetwork, maxDetectionPixels: 100_000)
        let bytes = try GeometryFixtures.bytes("images", "obama.jpg")
        let result = try analyzer.analyze(jpeg: bytes)
        #expect(result.detectionScale == 4)
        #expect(result.width == 910 && result.height == 1137)
        let face = try #require(result.faces.first)
        #expect(result.faces.count == 1)
        #expect(Self.iou(face.box, [354, 135, 599, 379]) >= 0.7, "box \(face.box)")
    }
}
