import Basics
@testable import FaceSearch
import SpoolTestSupport
import TestSupport
import Foundation
import Policy
@testable import Matching
import Results
@testable import Spool
import Store
import Testing

/// The daemon's searcher scans the float16 copy by default: its candidate lists must be those of
/// a float32 scan, on real descriptors and on galleries built to make half precision misorder.
@Suite("Float16 scan in the daemon's searcher", .serialized)
struct ScanPrecisionSearchTests {
    /// The 91 descriptors dlib 20 computed for the fixture photos (`Tests/Fixtures/reference`).
    static func realDescriptors() throws -> [[Float]] {
        struct Reference: Decodable {
            struct Image: Decodable { var faces: [Face] }
            struct Face: Decodable { var descriptor: [Double] }
            var images: [Image]
        }
        var out: [[Float]] = []
        for name in ["faces.json", "johns.json"] {
            let url = URL(fileURLWithPath: FixtureFiles.fixtures + "/reference/" + name)
            let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
            out += reference.images.flatMap { $0.faces.map { $0.descriptor.map(Float.init) } }
        }
        return out
    }

    /// Enrolls `rows` (subject, descriptor) straight into the store of a new spool.
    static func spool(_ rows: [(subject: String, descriptor: [Float])]) throws -> TestSpool {
        let spool = try TestSpool()
        let store = try GalleryStore(database: try Database(path: spool.layout.database))
        _ = try store.enroll(batch: rows.enumerated().map { i, row in
            (GalleryImageRecord(subject: row.subject, path: "/gallery/\(i).jpg", sha256: String(format: "%064x", i + 1)),
             [GalleryFaceRecord(box: FaceBox(left: 0, top: 0, right: 99, bottom: 99),
                                landmarks: [Float](repeating: 1, count: 10), descriptor: row.descriptor)])
        })
        return spool
    }

    @Test("real descriptors: f16 and f32 searchers return the same candidates, images and descriptors alike; results name the scan")
    func realGallery() throws {
        let real = try Self.realDescriptors()
        #expect(real.count == 91)
        // Each real face and 30 noisy variants of it (several faces a subject): 2,821 rows.
        var random = RandomDescriptors(seed: 2024)
        let noise = random.unitVectors(count: real.count * 30, dimension: 128)
        var rows: [(subject: String, descriptor: [Float])] = []
        for (i, d) in real.enumerated() {
            rows.append(("S-\(i)", d))
            for v in 0..<30 {
                let n = noise[((i * 30 + v) * 128)...].prefix(128)
                let scale = Float(0.05 + 0.02 * Double(v % 10))
                rows.append(("S-\(i)-\(v / 3)", zip(d, n).map { $0 + scale * $1 }))
            }
        }
        let spool = try Self.spool(rows)
        let analyzer = try GalleryEnrollmentTests.analyzer.get()
        let cache = spool.layout.state + "/cache"
        let f32 = try FaceSearcher(analyzer: analyzer, databasePath: spool.layout.database, cacheDirectory: cache,
                                   precision: .float32)
        let f16 = try FaceSearcher(analyzer: analyzer, databasePath: spool.layout.database, cacheDirectory: cache)
        #expect(f16.scanPrecision == "f16" && f32.scanPrecision == "f32")
        #expect(try f16.currentMatcher().matcher.gallery.precision == .float16)
        #expect(try f32.currentMatcher().matcher.gallery.precision == .float32)
        var compared = 0
        for probe in real + rows.prefix(200).map(\.descriptor) {
            for (count, threshold) in [(1, 0.6), (20, 0.6), (50, 1.2)] {
                let a = try f32.candidates(descriptor: probe, maxCandidates: count, threshold: threshold)
                let b = try f16.candidates(descriptor: probe, maxCandidates: count, threshold: threshold)
                #expect(a == b)
                compared += a.count
            }
        }
        #expect(compared > 5_000)

        // Photos through the whole searcher, one at a time and as a bulk batch.
        let images = try ["johns/John_Savage/000299_01099008.jpg", "images/obama.jpg", "images/two_people.jpg",
                          "images/2008_002506.jpg"].map {
            [UInt8](try Data(contentsOf: URL(fileURLWithPath: FixtureFiles.fixtures + "/" + $0)))
        }
        for image in images {
            let a = try f32.search(imageBytes: image, maxCandidates: 20, threshold: 0.9)
            #expect(!a.isEmpty && a.contains { !$0.candidates.isEmpty })
            #expect(try f16.search(imageBytes: image, maxCandidates: 20, threshold: 0.9) == a)
        }
        let batch32 = f32.searchBatch(images, maxCandidates: 20, threshold: 0.9, workers: 2).map { try? $0.get() }
        let batch16 = f16.searchBatch(images, maxCandidates: 20, threshold: 0.9, workers: 2).map { try? $0.get() }
        #expect(batch32.allSatisfy { $0 != nil } && batch32 == batch16)

        // The result file says which scan ran.
        let result = ResultBuilder.completed(
            job: "j", request: try JobRequest.parse(Array(TestSpool.jobJSON(probes: ["a.jpg"]).utf8)).get(), probes: [], probeCount: nil, searcher: f16,
            threshold: 0.6, maxCandidates: 20, now: Date())
        let json = String(decoding: try result.encoded(), as: UTF8.self)
        #expect(json.contains("\"scan_precision\" : \"f16\""))
    }

    /// Around a real descriptor: a target row, exact duplicates of it under other subjects (ties),
    /// rows a few float ulps away (half precision cannot tell them apart), and 40 decoys that half
    /// rounding makes look nearer than the target — more than the short list holds. The float16
    /// scan must return the float32 lists; with its quantization bound zeroed it does not, which
    /// shows the gallery does mislead half precision.
    @Test("near ties and half-precision decoys: f16 candidate lists equal f32's; a zeroed bound is caught")
    func adversarialGallery() throws {
        let real = try Self.realDescriptors()
        // The probe: a real descriptor rounded to half (so rows sharing its values are exact in
        // half), with coordinate 0 set to 8 and coordinates 1 and 2 to 0. The target differs in
        // coordinate 1 by 0.5 (squared distance 0.25, exact in half).
        var probe = real[7].map { Float(Float16($0)) }
        probe[0] = 8
        probe[1] = 0
        probe[2] = 0
        var target = probe
        target[1] = 0.5
        var rows: [(subject: String, descriptor: [Float])] = []
        for (i, d) in real.enumerated() where i != 7 { rows.append(("F-\(i)", d)) }
        // Decoys: coordinate 0 at 8 + 0.75 ulp(half) rounds up by 2⁻⁹, which lowers their
        // float16 distance by 2 · 8 · 2⁻⁹ = 2⁻⁵ (far more than the float32 margin, about 0.005 at
        // these norms); their true squared distance is 0.25 + (i + 1) 2⁻¹².
        let x0 = Float(8) + 3 * 0x1p-9
        for i in 0..<40 {
            var d = probe
            d[0] = x0
            let dx = Double(x0) - 8
            d[2] = Float(((0.25 + Double(i + 1) * 0x1p-12) - dx * dx).squareRoot())
            rows.append(("D-\(i)", d))
        }
        rows.append(("T", target))
        for copy in 0..<6 { rows.append(("TIE-\(copy / 2)", target)) }  // three subjects, two faces each
        for u in 1...20 {
            var d = target
            for _ in 0..<u { d[1 + (u % 5) * 20] = d[1 + (u % 5) * 20].nextUp }
            rows.append(("ULP-\(u % 7)", d))
        }
        let spool = try Self.spool(rows)
        let store = try GalleryStore(database: try Database(path: spool.layout.database))
        let cache = spool.layout.state + "/cache"
        let m32 = try FaceSearcher.loadMatcher(store: store, cacheDirectory: cache, precision: .float32)
        var m16 = try FaceSearcher.loadMatcher(store: store, cacheDirectory: cache, precision: .float16)
        #expect(m16.gallery.precision == .float16)
        for (count, threshold) in [(1, 0.6), (3, 0.6), (10, 0.6), (30, 2.0), (100, 2.0)] {
            let expected = try FaceSearcher.candidates(m32, probe, maxCandidates: count, threshold: threshold)
            let first = try #require(expected.first)
            #expect(["T", "TIE-0", "TIE-1", "TIE-2"].contains(try subject(store, first)))
            #expect(try FaceSearcher.candidates(m16, probe, maxCandidates: count, threshold: threshold) == expected)
            #expect(try m16.search(probes: [probe, target], k: count) == m32.search(probes: [probe, target], k: count))
        }
        m16.quantizationBoundScale = 0
        #expect(try FaceSearcher.candidates(m16, probe, maxCandidates: 1, threshold: 0.6)
                != FaceSearcher.candidates(m32, probe, maxCandidates: 1, threshold: 0.6))
    }

    func subject(_ store: GalleryStore, _ match: Match) throws -> String {
        try store.faces(ids: [match.faceID])[match.faceID]?.subject ?? "?"
    }
}
