@testable import Spool
import Basics
import Foundation
import Hashing
import Imaging
import Results
import Sheets
import Store
import SystemCalls
import Testing

@Suite("Examiner's sheet writer, with real images")
struct ExaminerSheetWriterTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/images").path

    /// One face at a fixed box, whose only candidate is a gallery image given by path.
    struct OneFaceSearcher: ProbeSearcher {
        var galleryImage: String
        var galleryVersion: Int64 { 1 }
        var modelIDs: [String: String] { ["detector": "fixed"] }
        func search(imageBytes: [UInt8], maxCandidates: Int, threshold: Double) throws -> [FaceResult] {
            [FaceResult(box: [300, 250, 600, 550], landmarks: [], quality: .init(ok: true),
                        candidates: [.init(rank: 1, subject: "S-GALLERY", image: galleryImage, distance: 0.4)])]
        }
    }

    @Test func embedsJPEGCropsOfTheProbeFaceAndTheEnrolledGalleryFace() throws {
        try checkSheet(enrolledSHA256: SHA256.hex(try DurableFile.read(Self.fixtures + "/biden.jpg")), galleryShown: true)
    }

    @Test("a gallery image that is no longer the file enrolled (its SHA-256 differs) is not shown")
    func aChangedGalleryImageIsNotShown() throws {
        try checkSheet(enrolledSHA256: String(repeating: "ab", count: 32), galleryShown: false)
    }

    func checkSheet(enrolledSHA256: String, galleryShown: Bool) throws {
        let spool = try TestSpool()
        let galleryImage = Self.fixtures + "/biden.jpg"
        let gallery = try GalleryStore(database: try SpoolDatabase.open(spool.layout))
        _ = try gallery.enroll(GalleryImageRecord(subject: "S-GALLERY", path: galleryImage, sha256: enrolledSHA256),
                               faces: [GalleryFaceRecord(box: FaceBox(left: 400, top: 300, right: 560, bottom: 460),
                                                         landmarks: [Float](repeating: 0, count: 10),
                                                         descriptor: [Float](repeating: 0.1, count: 128))])
        let probe = try spool.addEvidence("case", "obama.jpg", bytes: try DurableFile.read(Self.fixtures + "/obama.jpg"))
        try spool.drop("job-1", TestSpool.jobJSON(probes: [probe]))
        try spool.drain(searcher: OneFaceSearcher(galleryImage: galleryImage))
        #expect(try spool.result("job-1").decision == .completed)

        let html = String(decoding: try DurableFile.read(spool.layout.sheetFile("job-1")), as: UTF8.self)
        #expect(html.contains("image not available") == !galleryShown)
        let uris = html.components(separatedBy: "data:image/jpeg;base64,").dropFirst().map { $0.prefix { $0 != "\"" } }
        #expect(uris.count == (galleryShown ? 2 : 1))
        for uri in uris {
            let bytes = try #require(Data(base64Encoded: String(uri)))
            let image = try JPEGDecoder().decode([UInt8](bytes))
            // A 301-pixel box (probe) or 161-pixel box (gallery) with a 25% margin, scaled to 150 at most.
            #expect(image.width == ExaminerSheetWriter.cropSide && image.height == ExaminerSheetWriter.cropSide,
                    "\(image.width)×\(image.height)")
        }
    }
}
