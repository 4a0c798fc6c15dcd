@testable import Spool
import Foundation
import Glibc
import Imaging
import Results
import Sheets
import SystemCalls
import SpoolTestSupport
import TestSupport
import Testing

@Suite("Examiner's sheet")
struct ExaminerSheetTests {
    static func candidate(_ rank: Int, _ subject: String, _ distance: Double) -> FaceResult.Candidate {
        FaceResult.Candidate(rank: rank, subject: subject, image: "/gallery/\(subject).jpg", distance: distance)
    }

    static func result(caseNumber: String = "24-012345", probes: [ProbeRecord]) -> JobResult {
        JobResult(job: "job-1", decision: .completed, requester: "jdoe", purpose: "active-investigation",
                  caseNumber: caseNumber, offense: "armed robbery", galleryVersion: 4, models: ["detector": "mmod"],
                  threshold: 0.6, maxCandidates: 10, probes: probes, created: TestSpool.now)
    }

    @Test func showsCaseStatementAndCandidatesInRankOrderWithEscapedText() throws {
        // Candidates deliberately out of order in the record; text with markup in it.
        let face = FaceResult(box: [1, 2, 30, 40], landmarks: [], quality: .init(ok: true), candidates: [
            Self.candidate(3, "S-3", 0.55), Self.candidate(1, "S-<b>1</b>", 0.31), Self.candidate(2, "S-2", 0.42),
        ])
        let poor = FaceResult(box: [5, 5, 12, 12], landmarks: [], quality: .init(ok: false, reasons: ["quality.too-small"]),
                              candidates: [])
        let probe = ProbeRecord(image: "24-012345/cam\"1\".jpg", sha256: "ab12", faces: [face, poor])
        let result = Self.result(caseNumber: "<script>alert(1)</script>", probes: [probe])
        var asked: [ExaminerSheet.Image] = []
        let html = ExaminerSheet.render(result: result, probes: result.probes) { image in
            asked.append(image)
            return image == .probeFace(number: 1) ? [0xff, 0xd8, 0xff, 0xd9] : nil
        }
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains(ExaminerSheet.escape(JobResult.leadStatement)))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("<script>"))
        #expect(html.contains("S-&lt;b&gt;1&lt;/b&gt;"))
        #expect(html.contains("cam&quot;1&quot;.jpg"))
        #expect(html.contains("jdoe") && html.contains("active-investigation") && html.contains("armed robbery"))
        // Rank order, with distances.
        let first = try #require(html.range(of: "<b>#1</b>")), second = try #require(html.range(of: "<b>#2</b>"))
        let third = try #require(html.range(of: "<b>#3</b>"))
        #expect(first.lowerBound < second.lowerBound && second.lowerBound < third.lowerBound)
        #expect(html.contains("distance 0.310"))
        // The probe crop is embedded; the gallery crops that were not available say so.
        #expect(html.contains("data:image/jpeg;base64,\(Data([0xff, 0xd8, 0xff, 0xd9]).base64EncodedString())"))
        #expect(html.components(separatedBy: "image not available").count - 1 == 4)  // 3 gallery + face 2
        #expect(asked.contains(.gallery(image: "/gallery/S-2.jpg", subject: "S-2")))
        // The quality note of the face that was not searched, and face numbers.
        #expect(html.contains("not searched: quality.too-small"))
        #expect(html.contains("Face 1") && html.contains("Face 2"))
        #expect(!html.contains("<details"))
    }

    @Test func largeJobsCollapseProbesWithoutCandidatesAndLimitImages() throws {
        var probes: [ProbeRecord] = []
        for i in 0..<1_000 {
            let hit = i % 100 == 7
            let face = FaceResult(box: [0, 0, 10, 10], landmarks: [], quality: .init(ok: true),
                                  candidates: hit ? (1...8).map { Self.candidate($0, "S-\(i)-\($0)", 0.1 * Double($0) / 2) } : [])
            probes.append(ProbeRecord(image: "bulk/p\(i).jpg", sha256: "h\(i)", faces: i % 3 == 0 || i == 2 ? [] : [face],
                                      error: i == 2 ? "input.probe-not-image" : nil))
        }
        var result = Self.result(probes: [])
        result.probeCount = probes.count
        var options = ExaminerSheet.Options.bulk
        options.maxImageSections = 4
        var asked = 0
        let html = ExaminerSheet.render(result: result, probes: probes, options: options) { _ in
            asked += 1
            return [1, 2, 3]
        }
        // Ten probes have candidates (7, 107, …; those with i % 3 == 0 have no face): the others are collapsed.
        let withCandidates = probes.filter { $0.faces.contains { !$0.candidates.isEmpty } }.count
        #expect(html.components(separatedBy: "<section class=\"probe\">").count - 1 == withCandidates)
        #expect(html.contains("<details class=\"quiet\"><summary>\(1_000 - withCandidates) probes without candidates</summary>"))
        #expect(html.contains("bulk/p2.jpg</td><td>0</td><td>not searched: input.probe-not-image"))
        // Images only for the first 4 sections, 5 candidates each, plus the probe face: 4 × 6 crops.
        #expect(asked == 4 * 6)
        #expect(html.components(separatedBy: "data:image/jpeg;base64,").count - 1 == 4 * 6)
        // The rest of each list is a text table, in rank order.
        #expect(html.contains("<tr><td>8</td><td>S-7-8</td>"))
        #expect(html.contains("<b>#1</b> S-907-1") == false)
        #expect(html.contains("<tr><td>1</td><td>S-907-1</td>"))
    }

    @Test func facesAreNumberedAcrossProbes() {
        let face = FaceResult(box: [0, 0, 1, 1], landmarks: [], quality: .init(ok: true), candidates: [])
        let faces = ResultFaces([ProbeRecord(image: "a", sha256: nil, faces: [face, face]),
                                 ProbeRecord(image: "b", sha256: nil, faces: []),
                                 ProbeRecord(image: "c", sha256: nil, faces: [face])])
        #expect(faces.faces.map(\.number) == [1, 2, 3])
        #expect(faces.face(3)?.probe == "c")
        #expect(faces.face(3)?.probeIndex == 2)
        #expect(faces.face(0) == nil && faces.face(4) == nil)
    }

    @Test func theDaemonWritesASheetForCompletedJobsOnlyNotWorldReadable() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("24-012345", "cam1.jpg", bytes: Array("probe one".utf8))
        try spool.drop("job-ok", TestSpool.jobJSON(probes: [probe]))
        try spool.drop("job-denied", TestSpool.jobJSON(purpose: "personal", probes: [probe]))
        try spool.drain()
        #expect(try spool.result("job-ok").decision == .completed)
        #expect(try spool.result("job-denied").decision == .denied)
        let sheet = spool.layout.sheetFile("job-ok")
        let status = try FileStatus.of(sheet)
        #expect(status.permissions & 0o007 == 0)
        #expect(status.permissions == 0o640)
        let html = String(decoding: try DurableFile.read(sheet), as: UTF8.self)
        let result = try spool.result("job-ok")
        #expect(html.contains("24-012345"))
        for candidate in result.probes[0].faces[0].candidates {
            #expect(html.contains(candidate.subject))
        }
        // The fake probe is not a JPEG: the sheet says its crop is not available rather than failing.
        #expect(html.contains("image not available"))
        #expect(!FileStatus.exists(spool.layout.sheetFile("job-denied")))
        #expect(try spool.finalRecords(for: "job-ok").count == 1)
    }
}

@Suite("Examiner's sheet, crowds in large jobs")
struct ExaminerSheetCrowdTests {
    @Test func aCrowdPhotoInALargeJobShowsOnlyTheFacesWithCandidates() {
        let lead = FaceResult(box: [0, 0, 9, 9], landmarks: [], quality: .init(ok: true),
                              candidates: [ExaminerSheetTests.candidate(1, "S-LEAD", 0.3)])
        let plain = FaceResult(box: [0, 0, 9, 9], landmarks: [], quality: .init(ok: true), candidates: [])
        let tiny = FaceResult(box: [0, 0, 3, 3], landmarks: [], quality: .init(ok: false, reasons: ["quality.too-small"]),
                              candidates: [])
        var probes = [ProbeRecord(image: "crowd.jpg", sha256: nil, faces: [plain, lead, tiny, plain])]
        probes += (0..<30).map { ProbeRecord(image: "empty\($0).jpg", sha256: nil, faces: []) }
        var result = ExaminerSheetTests.result(probes: [])
        result.probeCount = probes.count
        var asked: [ExaminerSheet.Image] = []
        let html = ExaminerSheet.render(result: result, probes: probes, options: .bulk) { asked.append($0); return nil }
        #expect(asked == [.probeFace(number: 2), .gallery(image: "/gallery/S-LEAD.jpg", subject: "S-LEAD")])
        #expect(html.contains("id=\"face-2\"") && !html.contains("id=\"face-1\"") && !html.contains("id=\"face-3\""))
        #expect(html.contains("Faces without candidates: 1, 3, 4 (no candidate within the threshold; not searched: quality.too-small)"))
        #expect(html.contains("<summary>30 probes without candidates</summary>"))
    }
}

/// Issue #20: a bulk sheet opens: a summary first, about 100 KB per probe with candidates at most,
/// probes without faces or candidates only listed.
@Suite("Examiner's sheet, bulk size")
struct BulkSheetSizeTests {
    @Test func aBulkSheetStartsWithASummaryAndStaysWithinItsBudgetPerProbe() throws {
        // A real crop as a bulk sheet cuts it (160 px, quality 75) of a real photo: the size of every crop here.
        let photo = try JPEGDecoder().decode(try DurableFile.read(ExaminerSheetWriterTests.fixtures + "/obama.jpg"))
        let face = try #require(photo.cropped(left: 180, top: 100, right: 420, bottom: 400, margin: 0.25))
        let crop = try JPEGEncoder(quality: 75).encode(face.fitting(maxSide: ExaminerSheet.Options.bulk.cropSide))
        #expect(crop.count > 2_000)
        var probes: [ProbeRecord] = []
        for i in 0..<120 {
            let hit = i % 4 == 1
            // Every eighth hit is a crowd: six faces, each with eight candidates.
            let faces = (0..<(hit && i % 32 == 1 ? 6 : 1)).map { f in
                FaceResult(box: [0, 0, 99, 99], landmarks: [], quality: .init(ok: true),
                           candidates: hit ? (1...8).map { ExaminerSheetTests.candidate($0, "S-\(i)-\(f)-\($0)", 0.3 + 0.01 * Double($0)) } : [])
            }
            probes.append(ProbeRecord(image: "bulk/p\(i).jpg", sha256: "h\(i)", faces: i % 4 == 2 ? [] : faces))
        }
        var result = ExaminerSheetTests.result(probes: [])
        result.probeCount = probes.count
        var overviews = 0
        let html = ExaminerSheet.render(result: result, probes: probes, options: .bulk,
                                        overview: { _ in overviews += 1; return nil }) { _ in crop }
        let hits = probes.filter { $0.faces.contains { !$0.candidates.isEmpty } }.count
        #expect(hits == 30)
        // Summary first, then the probes with candidates, then the rest only listed.
        let summary = try #require(html.range(of: "<section class=\"summary\">"))
        let firstProbe = try #require(html.range(of: "<section class=\"probe\">"))
        #expect(summary.lowerBound < firstProbe.lowerBound)
        #expect(html.contains("120 probes searched: <b>30 with candidates</b>, 60 with faces but no candidate within the threshold, 30 without a face, 0 not searched."))
        #expect(html.contains("<a href=\"#probe-2\">bulk/p1.jpg</a>") && html.contains("<a id=\"probe-2\"></a>"))
        #expect(html.components(separatedBy: "<section class=\"probe\">").count - 1 == hits)
        #expect(html.contains("<summary>90 probes without candidates</summary>"))
        #expect(overviews == 0)
        // Within about 100 KB per probe with candidates, the crowds included (their extra images left out, said so).
        #expect(html.utf8.count <= hits * 100_000, "\(html.utf8.count) bytes for \(hits) probes with candidates")
        #expect(html.contains("left out to keep the sheet small") && html.contains("image left out (sheet size)"))
        for section in html.components(separatedBy: "<section class=\"probe\">").dropFirst() {
            #expect(section.utf8.count <= 100_000)
        }
        print("bulk sheet: \(html.utf8.count) bytes for 120 probes (\(hits) with candidates), crop \(crop.count) bytes")
    }
}
