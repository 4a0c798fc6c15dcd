@testable import Spool
import Administration
import Basics
import Foundation
import Hashing
import Imaging
import Results
import Sheets
import Store
import SystemCalls
import SpoolTestSupport
import TestSupport
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
        _ = try gallery.enroll(GalleryImageRecord(subject: "S-GALLERY", path: galleryImage, sha256: enrolledSHA256, source: "booking", captured: "2020-01-01"),
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
        // The whole probe picture (with the numbered boxes drawn over it), then the face crops.
        #expect(uris.count == (galleryShown ? 3 : 2))
        #expect(html.contains("<svg class=\"boxes\" viewBox=\"0 0 910 1137\""))
        #expect(html.contains(">1</text>"))
        let images = try uris.map { uri in
            try JPEGDecoder().decode([UInt8](try #require(Data(base64Encoded: String(uri)))))
        }
        // obama.jpg is 910 × 1137: scaled to at most 960 on its longer side.
        #expect(images[0].height == ExaminerSheetWriter.overviewSide && abs(images[0].width - 768) <= 1,
                "\(images[0].width)×\(images[0].height)")
        // The probe face: a 301-pixel box with a 25% margin, scaled to the crop side (≥ 250 px to compare).
        #expect(images[1].width == ExaminerSheetWriter.cropSide && images[1].height == ExaminerSheetWriter.cropSide,
                "\(images[1].width)×\(images[1].height)")
        if galleryShown {
            // The gallery face: a 161-pixel box with a 25% margin, never scaled up (shown at 280 px by the page).
            #expect(images[2].width == images[2].height && images[2].width > 200 && images[2].width <= ExaminerSheetWriter.cropSide,
                    "\(images[2].width)×\(images[2].height)")
            #expect(html.contains("source: booking") || html.contains("captured"))
        }
    }

    @Test("a sheet rendered again (after a review) decodes no probe: its pictures were kept; the purge removes them")
    func reRendersKeepTheProbePictures() throws {
        let spool = try TestSpool()
        let galleryImage = Self.fixtures + "/biden.jpg"
        let probe = try spool.addEvidence("case", "obama.jpg", bytes: try DurableFile.read(Self.fixtures + "/obama.jpg"))
        try spool.drop("job-1", TestSpool.jobJSON(probes: [probe]))
        try spool.drain(searcher: OneFaceSearcher(galleryImage: galleryImage))
        let first = try DurableFile.read(spool.layout.sheetFile("job-1"))
        #expect(FileStatus.exists(spool.layout.sheetPictures.file(job: "job-1")))
        #expect(try FileStatus.of(spool.layout.sheetPictures.file(job: "job-1")).permissions == 0o600)
        let database = try SpoolDatabase.open(spool.layout)
        func writer() throws -> ExaminerSheetWriter {
            ExaminerSheetWriter(results: spool.layout.resultFiles, temporaryDirectory: spool.layout.tmp,
                                gallery: try GalleryStore(database: database), maximumImageBytes: 1 << 26,
                                pictureCache: spool.layout.sheetPictures) { _ in
                try? DurableFile.read(spool.layout.evidence + "/" + probe)
            }
        }
        var again = try writer()
        try again.write(try spool.result("job-1"))
        #expect(again.probesDecoded == 0)
        #expect(try DurableFile.read(spool.layout.sheetFile("job-1")) == first)
        // Without the kept pictures, the probe is decoded again: the count is what it says.
        try DurableFile.remove(spool.layout.sheetPictures.file(job: "job-1"))
        var fresh = try writer()
        try fresh.write(try spool.result("job-1"))
        #expect(fresh.probesDecoded == 1)
        // The retention purge takes the kept pictures with the job's evidence.
        _ = try spool.drain(searcher: OneFaceSearcher(galleryImage: galleryImage))
        let admin = try SpoolAdministration(layout: spool.layout, uid: 0, clock: { Date().addingTimeInterval(400 * 86_400) })
        _ = try admin.purge(olderThanDays: 1)
        #expect(!FileStatus.exists(spool.layout.sheetPictures.file(job: "job-1")))
    }
}
