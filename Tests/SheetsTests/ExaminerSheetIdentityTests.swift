@testable import Spool
import Basics
import Foundation
import Hashing
import Results
@testable import Sheets
import Store
import SystemCalls
import SpoolTestSupport
import TestSupport
import Testing

/// The sheet beside a candidate imported from a booking system: name, date of birth, photo date,
/// number of photos, and every photo of the person folded under it.
@Suite("Examiner's sheet: who the candidate is")
struct ExaminerSheetIdentityTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/images").path

    struct OneCandidate: ProbeSearcher {
        var galleryImage: String
        var galleryVersion: Int64 { 1 }
        var modelIDs: [String: String] { ["detector": "fixed"] }
        func search(imageBytes: [UInt8], maxCandidates: Int, threshold: Double) throws -> [FaceResult] {
            [FaceResult(box: [300, 250, 600, 550], landmarks: [], quality: .init(ok: true),
                        candidates: [.init(rank: 1, subject: "sid:NY7", image: galleryImage, distance: 0.4)])]
        }
    }

    @Test("name, date of birth, photo date and count beside the candidate; all of its photos under it")
    func identity() throws {
        let spool = try TestSpool()
        let gallery = try GalleryStore(database: try SpoolDatabase.open(spool.layout))
        func enroll(_ name: String, captured: String, box: FaceBox) throws {
            let path = Self.fixtures + "/" + name
            _ = try gallery.enroll(
                GalleryImageRecord(subject: "sid:NY7", path: path, sha256: SHA256.hex(try DurableFile.read(path)),
                                   source: "ORI NY0303000 TOT CAR", captured: captured, profile: "10", pose: "F"),
                faces: [GalleryFaceRecord(box: box, landmarks: [Float](repeating: 0, count: 10),
                                          descriptor: [Float](repeating: 0.1, count: 128))],
                identity: GallerySubjectIdentity(name: "BIDEN,JOSEPH R", dateOfBirth: "1942-11-20"))
        }
        try enroll("biden.jpg", captured: "2019-05-01", box: FaceBox(left: 400, top: 300, right: 560, bottom: 460))
        try enroll("obama.jpg", captured: "2021-06-02", box: FaceBox(left: 300, top: 250, right: 600, bottom: 550))
        let probe = try spool.addEvidence("case", "obama.jpg", bytes: try DurableFile.read(Self.fixtures + "/obama.jpg"))
        try spool.drop("job-1", TestSpool.jobJSON(probes: [probe]))
        try spool.drain(searcher: OneCandidate(galleryImage: Self.fixtures + "/biden.jpg"))
        let html = String(decoding: try DurableFile.read(spool.layout.sheetFile("job-1")), as: UTF8.self)
        #expect(html.contains("BIDEN,JOSEPH R, born 1942-11-20; photo of 2019-05-01; 2 photos; source: ORI NY0303000 TOT CAR"))
        #expect(html.contains("all 2 photos of sid:NY7"))
        #expect(html.contains("photo of 2021-06-02, pose F"))
        // The probe picture, the probe face, the candidate's face, and its two photos.
        #expect(html.components(separatedBy: "data:image/jpeg;base64,").count - 1 == 5)
        #expect(html.contains("BIDEN,JOSEPH R") && !html.contains("<script"))
    }

    @Test("a subject with one photo shows no fold; an enrolled image without a name shows what is known")
    func render() {
        #expect(ExaminerSheet.allPhotos([SubjectPhoto(jpeg: [1], caption: "x")], subject: "S") == "")
        let two = ExaminerSheet.allPhotos([SubjectPhoto(jpeg: [1], caption: "a<b"), SubjectPhoto(jpeg: [2], caption: "c")], subject: "S&T")
        #expect(two.contains("all 2 photos of S&amp;T") && two.contains("a&lt;b") && !two.contains("a<b"))
    }
}
