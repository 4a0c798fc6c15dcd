@testable import Spool
import Basics
import Foundation
import Hashing
import Imaging
import Results
import Reviews
@testable import Sheets
import Store
import SystemCalls
import SpoolTestSupport
import TestSupport
import Testing

@Suite("Disclosure packet with pictures")
struct DisclosureSheetTests {
    @Test("a held, approved job's packet embeds its pictures, shows the approval note, full hashes, and prints whole",
          .enabled(if: Privileges.isRoot, "needs root: gives files to other uids"))
    func packetForACourt() throws {
        let spool = try TestSpool()
        let fixtures = ExaminerSheetWriterTests.fixtures
        let galleryImage = fixtures + "/biden.jpg"
        let gallery = try GalleryStore(database: try SpoolDatabase.open(spool.layout))
        let enrolledSHA = SHA256.hex(try DurableFile.read(galleryImage))
        _ = try gallery.enroll(GalleryImageRecord(subject: "S-GALLERY", path: galleryImage, sha256: enrolledSHA,
                                                  source: "booking", captured: "2020-01-01"),
                               faces: [GalleryFaceRecord(box: FaceBox(left: 400, top: 300, right: 560, bottom: 460),
                                                         landmarks: [Float](repeating: 0, count: 10),
                                                         descriptor: [Float](repeating: 0.1, count: 128))])
        let probe = try spool.addEvidence("case", "obama.jpg", bytes: try DurableFile.read(fixtures + "/obama.jpg"))
        // A watch term holds the job for a supervisor, who approves it with a note.
        try spool.drop("job-1", TestSpool.jobJSON(
            justification: "Suspect photographed near the protest during the armed robbery", probes: [probe]))
        let searcher = ExaminerSheetWriterTests.OneFaceSearcher(galleryImage: galleryImage)
        try spool.drain(searcher: searcher)
        #expect(spool.locations(of: "job-1") == ["held"])
        try spool.dropApproval(job: "job-1", supervisor: "sroe", approve: true, uid: TestSpool.supervisorUID)
        try spool.drain(searcher: searcher)
        let result = try spool.result("job-1")
        #expect(result.decision == .completed && result.thresholdSource == "policy default, uncalibrated")

        let database = try SpoolDatabase.open(spool.layout)
        var packet = try DisclosurePacket(job: "job-1", results: spool.layout.resultFiles, database: database,
                                          auditDirectory: spool.layout.audit,
                                          jobFile: try DurableFile.read(spool.layout.jobFile("job-1", in: spool.layout.done)),
                                          peerReview: true, now: spool.now)
        let evidence = EvidenceStore(root: spool.layout.evidence)
        packet.images = ExaminerSheetWriter(
            results: spool.layout.resultFiles, temporaryDirectory: spool.layout.tmp, gallery: gallery,
            maximumImageBytes: 50 << 20
        ) { probe in try? evidence.read(canonicalPath: try evidence.resolve(probe), probe: probe) }
            .disclosureImages(packet.probes)
        let images = try #require(packet.images)
        #expect(images.probes.count == 1 && images.probes[0].width == 910 && images.probes[0].height == 1137)
        #expect(images.faces.map(\.face) == [1])
        #expect(images.gallery.count == 1 && images.gallery[0].sha256 == enrolledSHA && images.gallery[0].jpegBase64 != nil)
        for base64 in [images.probes[0].jpegBase64, images.faces[0].jpegBase64, images.gallery[0].jpegBase64!] {
            _ = try JPEGDecoder().decode([UInt8](try #require(Data(base64Encoded: base64))))
        }
        let json = String(decoding: try packet.encoded(), as: UTF8.self)
        #expect(json.contains("\"jpeg_base64\"") && json.contains("\"threshold_source\" : \"policy default, uncalibrated\""))

        let html = DisclosureSheet.render(packet)
        // Pictures embedded: the probe with its numbered box, the face, the candidate; never a server path as a picture.
        #expect(html.components(separatedBy: "src=\"data:image/jpeg;base64,").count - 1 == 3)
        #expect(html.contains("<svg class=\"boxes\" viewBox=\"0 0 910 1137\"") && html.contains(">1</text>"))
        #expect(!html.contains("src=\"/") && !html.contains(galleryImage))
        #expect(html.contains("file biden.jpg") && html.contains("SHA-256 \(enrolledSHA)") && html.contains("captured 2020-01-01"))
        // The candidate's rate (uncalibrated: said so), the threshold and its source.
        #expect(html.contains("not estimated (no calibration") && html.contains("policy default, uncalibrated"))
        // The hold and the approval, with the supervisor's note, outside the raw records.
        #expect(html.contains("held for a supervisor&#39;s approval") || html.contains("held for a supervisor's approval"))
        #expect(html.contains("approved by a supervisor") && html.contains("<b>Note:</b> reviewed"))
        #expect(html.contains("Watch terms matched: protest"))
        // Every candidate listed, pursued or not.
        #expect(html.contains("1 candidate returned; 0 reviewed") && html.contains("not reviewed"))
        // Full hashes, how to check them, and nothing collapsed: everything prints.
        for record in packet.audit.records {
            #expect(html.contains(record.hash) && html.contains(record.prev))
        }
        #expect(html.contains("hashlib.sha256") && html.contains("job-1-disclosure.json"))
        #expect(!html.contains("<details") && html.contains("@media print") && !html.contains("<script"))
    }
}
