@testable import Administration
@testable import FaceSearch
import Audit
import Foundation
import Matching
import Policy
import Results
import Sheets
@testable import Spool
import Store
import SystemCalls
import SpoolTestSupport
import TestSupport
import Testing

@Suite("Calibration")
struct CalibrationTests {
    /// FPIR and FNIR counted directly, by the definitions, with a double loop over every pair of
    /// faces in double precision: the reference the kernel-based calibration must equal.
    static func bruteForce(_ g: CalibrationSyntheticGallery, thresholds: [Double], rank: Int, probes: [Int]? = nil)
        -> (falsePositives: [Int], misses: [Int], nonMated: Int, mated: Int)
    {
        let n = g.count, dim = g.dimension
        var fp = [Int](repeating: 0, count: thresholds.count)
        var miss = [Int](repeating: 0, count: thresholds.count)
        var mated = 0
        let probes = probes ?? Array(0..<n)
        for f in probes {
            let s = g.subjectIDs[f]
            var nearestPerSubject: [Int64: Double] = [:]
            for r in 0..<n where r != f {
                var d2 = 0.0
                for k in 0..<dim {
                    let d = Double(g.descriptors[f * dim + k]) - Double(g.descriptors[r * dim + k])
                    d2 += d * d
                }
                let d = d2.squareRoot()
                nearestPerSubject[g.subjectIDs[r]] = min(nearestPerSubject[g.subjectIDs[r]] ?? .infinity, d)
            }
            // Non-mated: all of s's faces left out; a false positive at T if any other face is within T.
            let nonMated = nearestPerSubject.filter { $0.key != s }.values.min() ?? .infinity
            for (i, t) in thresholds.enumerated() where nonMated <= t { fp[i] += 1 }
            // Mated: f left out, s's other photos remain; the mate's rank counts nearer subjects.
            if let mate = nearestPerSubject[s] {
                mated += 1
                let position = 1 + nearestPerSubject.filter { $0.key != s && $0.value < mate }.count
                for (i, t) in thresholds.enumerated() where position > rank || mate > t { miss[i] += 1 }
            }
        }
        return (fp, miss, probes.count, mated)
    }

    @Test("FPIR and FNIR equal a direct count over every pair (ranks 20 and 2, small batches)",
          arguments: [(20, 2048), (2, 7)])
    func matchesBruteForce(rank: Int, batch: Int) throws {
        // Overlapping mates and strangers, so every threshold of the grid sees events of both kinds.
        let g = CalibrationSyntheticGallery(faces: 240, mate: (0.45, 0.1), nonMate: (0.7, 0.1), seed: 42)
        let matcher = Matcher(gallery: try g.matrix(), workers: 2)
        let c = try Calibration.measure(matcher: matcher, descriptors: g.descriptors,
                                        options: .init(targetFPIR: 0.05, rank: rank, batch: batch))
        let expected = Self.bruteForce(g, thresholds: c.thresholds, rank: rank)
        #expect(c.nonMatedSearches == expected.nonMated)
        #expect(c.matedSearches == expected.mated)
        #expect(c.falsePositives == expected.falsePositives)
        #expect(c.misses == expected.misses)
        #expect(c.falsePositives.first! < c.falsePositives.last!)  // the structure gives events to count
        #expect(c.misses.first! > c.misses.last!)
        #expect(c.fpir.enumerated().allSatisfy { $0.element == Double(c.falsePositives[$0.offset]) / Double(c.nonMatedSearches) })
        // The threshold: the largest with FPIR at most the target.
        let i = try #require(c.thresholdIndex)
        #expect(c.fpir[i] <= 0.05)
        #expect(i == c.thresholds.count - 1 || c.fpir[i + 1] > 0.05)
        #expect(c.fpirUpper95[i] >= c.fpir[i])
    }

    @Test("a list too short to decide is searched again; one that holds every row within the grid decides")
    func undecidedLists() {
        func m(_ row: Int, _ subject: Int64, _ d: Double) -> Match {
            Match(rank: 1, row: row, faceID: Int64(row), subjectID: subject, distance: d)
        }
        // Probe row 0 of subject 1; two strangers' rows, then the list ends before the mate.
        let list = [m(0, 1, 0), m(5, 2, 0.4), m(6, 2, 0.45), m(7, 3, 0.5)]
        #expect(Calibration.analyze(list, row: 0, subject: 1, hasMate: true, rank: 20, complete: false) == nil)
        #expect(Calibration.analyze(list, row: 0, subject: 1, hasMate: true, rank: 20, complete: true)
                == .init(nonMated: 0.4, mated: .infinity))
        // Rank 2: two strangers before the mate make it a miss whatever follows.
        #expect(Calibration.analyze(list, row: 0, subject: 1, hasMate: true, rank: 2, complete: false)
                == .init(nonMated: 0.4, mated: .infinity))
        // The mate at rank 2.
        let found = [m(0, 1, 0), m(5, 2, 0.4), m(9, 1, 0.42), m(7, 3, 0.5)]
        #expect(Calibration.analyze(found, row: 0, subject: 1, hasMate: true, rank: 2, complete: false)
                == .init(nonMated: 0.4, mated: 0.42))
        #expect(Calibration.analyze([m(0, 1, 0)], row: 0, subject: 1, hasMate: false, rank: 20, complete: true)
                == .init(nonMated: .infinity, mated: nil))
    }

    @Test("95 % upper bounds: rule of three at zero, Clopper–Pearson otherwise")
    func bounds() {
        #expect(CalibrationBound.upper95(events: 0, trials: 100) == 0.03)
        #expect(abs(CalibrationBound.upper95(events: 1, trials: 10) - 0.394163) < 1e-5)
        #expect(abs(CalibrationBound.upper95(events: 5, trials: 1000) - 0.010484) < 1e-5)
        #expect(abs(CalibrationBound.upper95(events: 50, trials: 2000) - 0.031538) < 1e-5)
        #expect(CalibrationBound.upper95(events: 7, trials: 7) == 1)
        #expect(CalibrationBound.upper95(events: 0, trials: 0) == 1)
    }

    static func sample() -> Calibration {
        Calibration(id: 3, created: "2026-06-01T12:00:00Z", galleryVersion: 9, galleryFaces: 1000, gallerySubjects: 400,
                    targetFPIR: 0.01, rank: 20, nonMatedSearches: 1000, matedSearches: 600, thresholds: [0.3, 0.4, 0.5],
                    falsePositives: [0, 4, 30], misses: [300, 60, 6], fpir: [0, 0.004, 0.03],
                    fpirUpper95: [0.003, 0.0092, 0.04], fnir: [0.5, 0.1, 0.01], threshold: 0.4, seconds: 1)
    }

    @Test("estimated FPIR: interpolated on the curve, the first value below it, none beyond it")
    func interpolation() throws {
        let c = Self.sample()
        #expect(c.estimatedFPIR(atDistance: 0.2) == 0)
        #expect(c.estimatedFPIR(atDistance: 0.4) == 0.004)
        #expect(abs(c.estimatedFPIR(atDistance: 0.45)! - 0.017) < 1e-12)
        #expect(abs(c.estimatedFPIR(atDistance: 0.35)! - 0.002) < 1e-12)
        #expect(c.estimatedFPIR(atDistance: 0.5) == 0.03)
        #expect(c.estimatedFPIR(atDistance: 0.51) == nil)
    }

    @Test("results warn when there is no calibration or the gallery grew by more than 25 %")
    func staleness() {
        #expect(Calibration.status(nil, galleryFaces: 10).reference == nil)
        #expect(Calibration.status(nil, galleryFaces: 10).warnings.count == 1)
        let c = Self.sample()
        #expect(Calibration.status(c, galleryFaces: 1250).warnings.isEmpty)
        let grown = Calibration.status(c, galleryFaces: 1300)
        #expect(grown.reference == CalibrationReference(id: 3, galleryVersion: 9, created: "2026-06-01T12:00:00Z"))
        #expect(grown.warnings.count == 1 && grown.warnings[0].contains("grown by 30 %"))
    }

    @Test("a result names its calibration and each candidate carries estimated_fpir")
    func resultFields() throws {
        struct Calibrated: ProbeSearcher {
            var galleryVersion: Int64 = 9
            var modelIDs: [String: String] = [:]
            var calibration: CalibrationStatus {
                Calibration.status(CalibrationTests.sample(), galleryFaces: 2000)
            }
            func search(imageBytes: [UInt8], maxCandidates: Int, threshold: Double) throws -> [FaceResult] { [] }
        }
        let face = FaceResult(box: [0, 0, 1, 1], landmarks: [], quality: .init(ok: true), candidates: [
            .init(rank: 1, subject: "S-1", image: "g/1.jpg", distance: 0.45,
                  estimatedFPIR: Self.sample().estimatedFPIR(atDistance: 0.45)),
        ])
        let request = try JobRequest.parse(Array(TestSpool.jobJSON(probes: ["a.jpg"]).utf8)).get()
        let result = ResultBuilder.completed(
            job: "j1", request: request, probes: [ProbeRecord(image: "a.jpg", sha256: nil, faces: [face])], probeCount: nil,
            searcher: Calibrated(), threshold: 0.6, maxCandidates: 10, now: TestSpool.now)
        #expect(result.calibration?.id == 3)
        #expect(result.messages.count == 1 && result.messages[0].contains("grown by 100 %"))
        let text = String(decoding: try result.encoded(), as: UTF8.self)
        #expect(text.contains("\"estimated_fpir\" : 0.017"))
        #expect(text.contains("\"gallery_version\" : 9"))
        #expect(try JobResult.decode(try result.encoded()) == result)
        // A candidate without an estimate keeps the old form.
        let plain = FaceResult.Candidate(rank: 1, subject: "S", image: "i", distance: 0.5)
        #expect(!String(decoding: try JSONEncoder().encode(plain), as: UTF8.self).contains("estimated"))
    }

    @Test("the examiner's sheet says how rare a stranger this close is")
    func rarity() {
        #expect(RarityText.sentence(estimatedFPIR: nil) == nil)
        #expect(RarityText.sentence(estimatedFPIR: 1.0 / 300)
                == "about 1 in 300 searches of someone not in the gallery returns a stranger this close")
        #expect(RarityText.sentence(estimatedFPIR: 0.000294)?.contains("1 in 3,400 searches") == true)
        #expect(RarityText.sentence(estimatedFPIR: 0)?.hasPrefix("no calibration search") == true)
        #expect(RarityText.sentence(estimatedFPIR: 0.9)?.hasPrefix("most searches") == true)
        let result = JobResult(job: "j", decision: .completed, probes: [], created: TestSpool.now)
        let probe = ProbeRecord(image: "a.jpg", sha256: nil, faces: [
            FaceResult(box: [0, 0, 1, 1], landmarks: [], quality: .init(ok: true), candidates: [
                .init(rank: 1, subject: "S-1", image: "g/1.jpg", distance: 0.45, estimatedFPIR: 0.01),
            ]),
        ])
        let html = ExaminerSheet.render(result: result, probes: [probe]) { _ in nil }
        #expect(html.contains("distance 0.450<br><small class=\"rarity\">about 1 in 100 searches"))
    }

    @Test("gallery calibrate: administrators only; stored, audited, reported beside the audit log")
    func administration() throws {
        let spool = try TestSpool()
        let g = try OperatingThresholdTests.enrollSynthetic(spool, faces: 120, seed: 7)
        let store = try GalleryStore(database: try Database(path: spool.layout.database))
        let analyst = try SpoolAdministration(layout: spool.layout, uid: TestSpool.analystUID)
        #expect(throws: AdministrationError.notAdmin(TestSpool.analystUID)) { try analyst.calibrateGallery() }

        let now = spool.now
        let admin = try SpoolAdministration(layout: spool.layout, uid: 0, clock: { now })
        let run = try admin.calibrateGallery(options: .init(targetFPIR: 0.05))
        let c = run.calibration
        #expect(c.id == 1 && c.galleryFaces == 120 && c.galleryVersion == 120)
        #expect(c.nonMatedSearches == 120 && c.matedSearches > 0)
        let expected = Self.bruteForce(g, thresholds: c.thresholds, rank: 20)
        #expect(c.falsePositives == expected.falsePositives && c.misses == expected.misses)
        let stored = try #require(try Calibration.newest(in: CalibrationStore(database: store.database)))
        #expect(stored == c)
        #expect(run.reportPath == spool.layout.audit + "/calibration-1.html")
        let html = String(decoding: try DurableFile.read(run.reportPath), as: UTF8.self)
        #expect(html.contains("<svg") && html.contains("DET plot") && html.contains("class=\"chosen\""))
        let record = try #require(try spool.records().last)
        #expect(record.event.event == "gallery.calibrated")
        #expect(record.event.details["calibration"] == "1" && record.event.details["gallery_faces"] == "120")
        #expect(record.event.details["threshold"] == String(format: "%.2f", try #require(c.threshold)))
        // The report is not a day file: the chain still verifies.
        #expect(AuditVerifier.verify(directory: spool.layout.audit).isIntact)
    }
}

extension CalibrationTests {
    @Test("a gallery of fewer than two subjects cannot be calibrated")
    func tooSmall() throws {
        let one = try GalleryMatrix(dimension: 4, galleryVersion: 1, descriptors: [1, 0, 0, 0, 0.9, 0.1, 0, 0],
                                    faceIDs: [1, 2], subjectIDs: [7, 7])
        #expect(throws: CalibrationError.self) {
            try Calibration.measure(matcher: Matcher(gallery: one), descriptors: [1, 0, 0, 0, 0.9, 0.1, 0, 0])
        }
        #expect(Self.sample().boundMeetsTarget)  // 0.92 % ≤ 1 %
    }
}

extension CalibrationTests {
    @Test("a sample of faces searched against the whole gallery equals the direct count over those faces")
    func sampled() throws {
        let g = CalibrationSyntheticGallery(faces: 300, mate: (0.45, 0.1), nonMate: (0.7, 0.1), seed: 99)
        let c = try Calibration.measure(matcher: Matcher(gallery: try g.matrix(), workers: 2), descriptors: g.descriptors,
                                        options: .init(targetFPIR: 0.05, batch: 16, sample: 90))
        let rows = Calibration.probeRows(count: 300, sample: 90)
        #expect(rows.count == 90 && Set(rows).count == 90 && rows == rows.sorted() && rows.last! < 300)
        #expect(rows == Calibration.probeRows(count: 300, sample: 90))  // repeatable
        let expected = Self.bruteForce(g, thresholds: c.thresholds, rank: 20, probes: rows)
        #expect(c.galleryFaces == 300 && c.nonMatedSearches == 90 && c.matedSearches == expected.mated)
        #expect(c.falsePositives == expected.falsePositives && c.misses == expected.misses)
        #expect(Calibration.probeRows(count: 5, sample: 9) == [0, 1, 2, 3, 4])
    }
}
