@testable import Administration
@testable import FaceSearch
import Basics
import Foundation
import Matching
import Policy
@testable import Results
@testable import Sheets
@testable import Spool
import Store
import SystemCalls
import SpoolTestSupport
import TestSupport
import Testing

/// The operating threshold (calibration → jobs), ranked candidate lists, and upper bounds.
@Suite("Operating threshold", .serialized)
struct OperatingThresholdTests {
    static func policy(target: Double = 0.01, maximum: Double = 0.6, list: CandidateList = .threshold) -> PolicyConfig {
        var p = PolicyConfig.default
        p.targetFPIR = target
        p.maximumThreshold = maximum
        p.candidateList = list
        return p
    }

    @Test("chosen from the calibration for the policy's target, capped; the default when uncalibrated or unmet; a job only stricter")
    func choice() {
        let c = CalibrationTests.sample()  // thresholds 0.3, 0.4, 0.5; FPIR 0, 0.004, 0.03
        let status = Calibration.status(c, galleryFaces: 1000)
        let none = OperatingThreshold.choose(policy: Self.policy(), requested: nil, calibration: .none)
        #expect(none.threshold == 0.6 && none.basis == .policyDefault && none.source == "policy default, uncalibrated")
        #expect(none.estimatedFPIR == nil)

        let calibrated = OperatingThreshold.choose(policy: Self.policy(), requested: nil, calibration: status)
        #expect(calibrated.threshold == 0.4 && calibrated.basis == .calibrated)
        #expect(calibrated.source == "calibration 3 (gallery version 9) for target FPIR 1 %")
        #expect(calibrated.estimatedFPIR == 0.004 && calibrated.estimatedFPIRUpper95 == 0.0092)
        #expect(calibrated.messages.isEmpty)
        // A looser target moves it; a maximum below the calibrated threshold caps it.
        #expect(OperatingThreshold.choose(policy: Self.policy(target: 0.05), requested: nil, calibration: status).threshold == 0.5)
        let capped = OperatingThreshold.choose(policy: Self.policy(target: 0.05, maximum: 0.45), requested: nil, calibration: status)
        #expect(capped.threshold == 0.45 && capped.basis == .calibratedCapped && capped.source.contains("capped at the policy's maximum_threshold 0.45"))
        // A calibration that meets the target nowhere: the policy's default, said as such.
        var strict = c
        strict.fpir = [0.02, 0.03, 0.05]
        strict.falsePositives = [20, 30, 50]
        let unmet = OperatingThreshold.choose(policy: Self.policy(), requested: nil,
                                              calibration: Calibration.status(strict, galleryFaces: 1000))
        #expect(unmet.threshold == 0.6 && unmet.basis == .policyDefault && unmet.source.hasPrefix("policy default: calibration 3"))
        #expect(unmet.messages.count == 1)
        // A job may be stricter, not looser.
        let stricter = OperatingThreshold.choose(policy: Self.policy(), requested: 0.35, calibration: status)
        #expect(stricter.threshold == 0.35 && stricter.basis == .job && stricter.source.hasPrefix("job request, stricter than"))
        let looser = OperatingThreshold.choose(policy: Self.policy(), requested: 0.55, calibration: status)
        #expect(looser.threshold == 0.4 && looser.basis == .calibrated && looser.messages.count == 1)
        #expect(looser.messages[0].contains("may be stricter than the operating threshold, not looser"))
        // A gallery grown past the calibration: the threshold is still the calibration's, with a warning.
        let stale = OperatingThreshold.choose(policy: Self.policy(), requested: nil, calibration: Calibration.status(c, galleryFaces: 2000))
        #expect(stale.threshold == 0.4 && stale.messages.contains { $0.contains("outgrown") })
    }

    /// A synthetic gallery enrolled in the spool's store (descriptors given, no photos).
    static func enrollSynthetic(_ spool: TestSpool, faces: Int = 120, seed: UInt64 = 7) throws -> CalibrationSyntheticGallery {
        let store = try GalleryStore(database: try Database(path: spool.layout.database))
        let g = CalibrationSyntheticGallery(faces: faces, mate: (0.45, 0.1), nonMate: (0.7, 0.1), seed: seed)
        for r in 0..<g.count {
            let sha = String(repeating: "0", count: 56) + String(format: "%08x", r)
            _ = try store.enroll(GalleryImageRecord(subject: "S-\(g.subjectIDs[r])", path: "g/\(r).jpg", sha256: sha),
                                 faces: [GalleryFaceRecord(box: .init(left: 0, top: 0, right: 10, bottom: 10),
                                                           landmarks: [Float](repeating: 1, count: 10),
                                                           descriptor: Array(g.descriptors[(r * 128)..<((r + 1) * 128)]))])
        }
        return g
    }

    /// Runs one job of `probe` (a fixture photo) through a daemon with `policy` and the real face search.
    static func runJob(_ spool: TestSpool, id: String, policy: PolicyConfig, maxCandidates: Int = 10, extra: String = "")
        throws -> JobResult
    {
        let analyzer = try GalleryEnrollmentTests.analyzer.get()
        let searcher = try FaceSearcher(analyzer: analyzer, databasePath: spool.layout.database,
                                        cacheDirectory: spool.layout.state + "/cache")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: GalleryEnrollmentTests.fixtures
                                                        + "/johns/John_Savage/000299_01099008.jpg")))
        let probe = try spool.addEvidence("24-1", "\(id).jpg", bytes: bytes)
        try spool.drop(id, TestSpool.jobJSON(probes: [probe], extra: extra)
            .replacingOccurrences(of: "\"max_candidates\": 10", with: "\"max_candidates\": \(maxCandidates)"))
        let now = spool.now
        let daemon = SpoolDaemon(layout: spool.layout, searcher: searcher, gate: PolicyGate(config: policy),
                                 configuration: .init(workers: 1, once: true),
                                 logger: Logger(level: .error, sink: MemorySink()), clock: { now })
        _ = try daemon.run()
        return try spool.result(id)
    }

    @Test("after gallery calibrate a job runs at the calibrated threshold for the policy's target, capped by its maximum")
    func calibratedJobs() throws {
        let spool = try TestSpool()
        let g = try Self.enrollSynthetic(spool)
        let before = try Self.runJob(spool, id: "before", policy: Self.policy(target: 0.05, maximum: 0.7))
        #expect(before.threshold == 0.6 && before.thresholdSource == "policy default, uncalibrated")
        #expect(before.candidateList == .threshold && before.targetFPIR == 0.05)

        let admin = try SpoolAdministration(layout: spool.layout, uid: 0)
        let run = try admin.calibrateGallery(options: .init(targetFPIR: 0.05, policy: ThresholdPolicy(Self.policy(target: 0.05, maximum: 0.7))))
        let c = run.calibration
        // The threshold for the target, counted directly: the largest grid threshold at which at most
        // 5 % of the faces have a stranger within it.
        let counts = CalibrationTests.bruteForce(g, thresholds: c.thresholds, rank: 20)
        let expected = try #require(c.thresholds.indices.last { Double(counts.falsePositives[$0]) / 120 <= 0.05 }.map { c.thresholds[$0] })
        #expect(expected > 0.35 && expected < 0.65)

        // The report marks the threshold jobs run at, and the target.
        let report = String(decoding: try DurableFile.read(run.reportPath), as: UTF8.self)
        #expect(report.contains("<b>Operating threshold: \(String(format: "%.2f", expected))</b>"))
        #expect(report.contains("class=\"chosen operating\"><td>\(String(format: "%.2f", expected)) <span class=\"tag\">in use</span>"))
        #expect(report.contains("class=\"target-line\"") && report.contains("class=\"operating-point\""))

        let calibrated = try Self.runJob(spool, id: "calibrated", policy: Self.policy(target: 0.05, maximum: 0.7))
        #expect(calibrated.threshold == expected)
        #expect(calibrated.thresholdSource == "calibration 1 (gallery version 120) for target FPIR 5 %")
        let at = try #require(c.thresholds.firstIndex(of: expected))
        #expect(calibrated.thresholdEstimatedFPIR == c.fpir[at] && calibrated.thresholdEstimatedFPIRUpper95 == (c.fpirUpper95[at] * 1e8).rounded() / 1e8)

        let cap = expected - 0.05
        let capped = try Self.runJob(spool, id: "capped", policy: Self.policy(target: 0.05, maximum: cap))
        #expect(capped.threshold == cap)
        #expect(capped.thresholdSource?.contains("capped at the policy's maximum_threshold") == true)

        // A job asking for a looser threshold is held to the calibrated one, and told so.
        let looser = try Self.runJob(spool, id: "looser", policy: Self.policy(target: 0.05, maximum: 0.7),
                                     extra: ", \"threshold\": 0.69")
        #expect(looser.threshold == expected && looser.messages.contains { $0.contains("not looser") })
    }

    @Test("a ranked list returns max_candidates subjects, marked within_threshold, when the gallery has more")
    func rankedLists() throws {
        let spool = try TestSpool()
        _ = try Self.enrollSynthetic(spool)  // 120 faces of synthetic subjects: all far from a real face
        let admin = try SpoolAdministration(layout: spool.layout, uid: 0)
        let analyzer = try GalleryEnrollmentTests.analyzer.get()
        #expect(try admin.enrollGallery(GalleryEnrollmentTests.manifest(
            CalibrationSearchTests.rows("Savage", ["000264_01099001.jpg", "000274_01099061.jpg"])
                + CalibrationSearchTests.rows("Simm", ["000288_00470387.jpg"])),
            baseDirectory: GalleryEnrollmentTests.fixtures, analyzer: analyzer).count(.enrolled) == 3)
        let subjects = try GalleryStore(database: try Database(path: spool.layout.database)).activeDescriptors().subjectIDs
        #expect(Set(subjects).count > 12)

        let thresholded = try Self.runJob(spool, id: "thresholded", policy: Self.policy(), maxCandidates: 12)
        let short = try #require(thresholded.probes.first?.faces.first?.candidates)
        #expect(!short.isEmpty && short.count < 12 && short.allSatisfy { $0.distance <= 0.6 && $0.withinThreshold == true })
        #expect(short.first?.subject == "S-SAVAGE")

        let ranked = try Self.runJob(spool, id: "ranked", policy: Self.policy(list: .ranked), maxCandidates: 12)
        #expect(ranked.candidateList == .ranked)
        let list = try #require(ranked.probes.first?.faces.first?.candidates)
        #expect(list.count == 12 && Set(list.map(\.subject)).count == 12)
        #expect(list.map(\.rank) == Array(1...12) && list.map(\.distance) == list.map(\.distance).sorted())
        #expect(list.allSatisfy { $0.withinThreshold == ($0.distance <= 0.6) })
        #expect(list.contains { $0.withinThreshold == false })
        // The nearest are the threshold list's, in the same order.
        #expect(Array(list.prefix(short.count)).map(\.subject) == short.map(\.subject))

        // A bulk batch (one blocked kernel call) gives the same ranked list as the single search.
        let searcher = try FaceSearcher(analyzer: analyzer, databasePath: spool.layout.database,
                                        cacheDirectory: spool.layout.state + "/cache")
        let ranking = OperatingSearcher(base: searcher, operating: OperatingThreshold.choose(
            policy: Self.policy(list: .ranked), requested: nil, calibration: .none))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: GalleryEnrollmentTests.fixtures
                                                        + "/johns/John_Savage/000299_01099008.jpg")))
        let batch = try ranking.searchBatch([bytes], maxCandidates: 12, threshold: 0.6, workers: 1)[0].get()
        #expect(batch == (try ranking.search(imageBytes: bytes, maxCandidates: 12, threshold: 0.6)))
        #expect(batch.first?.candidates.map(\.subject) == list.map(\.subject))

        // The sheet sets apart those beyond the threshold.
        let sheet = String(decoding: try DurableFile.read(spool.layout.sheetFile("ranked")), as: UTF8.self)
        #expect(sheet.contains("class=\"beyond-note\"") && sheet.contains("beyond the threshold"))
        #expect(sheet.contains("ranked: the nearest subjects whatever their distance"))
    }

    /// The one-sided 95 % Clopper–Pearson upper bound by brute force: the `p` at which the binomial
    /// probability of `k` or fewer events in `n`, summed term by term, is 5 % (bisection).
    static func bruteUpper(_ k: Int, _ n: Int) -> Double {
        if k == 0 { return 3 / Double(n) }
        func cdf(_ p: Double) -> Double {
            (0...k).reduce(0.0) { sum, i in
                let logChoose = lgamma(Double(n + 1)) - lgamma(Double(i + 1)) - lgamma(Double(n - i + 1))
                return sum + exp(logChoose + Double(i) * log(p) + Double(n - i) * log1p(-p))
            }
        }
        var low = 0.0, high = 1.0
        for _ in 0..<100 {
            let mid = (low + high) / 2
            if cdf(mid) > 0.05 { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }

    @Test("each candidate's upper bound equals Clopper–Pearson on a direct count of strangers that close")
    func upperBounds() throws {
        let g = CalibrationSyntheticGallery(faces: 240, mate: (0.45, 0.1), nonMate: (0.7, 0.1), seed: 42)
        let c = try Calibration.measure(matcher: Matcher(gallery: try g.matrix(), workers: 2), descriptors: g.descriptors)
        // Nearest stranger of every face, counted with a double loop in double precision.
        var nearestStranger = [Double](repeating: .infinity, count: g.count)
        for f in 0..<g.count {
            for r in 0..<g.count where g.subjectIDs[r] != g.subjectIDs[f] {
                var d2 = 0.0
                for k in 0..<g.dimension {
                    let d = Double(g.descriptors[f * g.dimension + k]) - Double(g.descriptors[r * g.dimension + k])
                    d2 += d * d
                }
                nearestStranger[f] = min(nearestStranger[f], d2.squareRoot())
            }
        }
        var checked = 0
        for d in [0.2, 0.3, 0.415, 0.47, 0.5, 0.553, 0.6, 0.649, 0.7] {
            // The bound is taken at the first grid threshold at or beyond the distance.
            let t = try #require(c.thresholds.first { $0 >= d - 1e-9 })
            let k = nearestStranger.filter { $0 <= t }.count
            let upper = try #require(c.estimatedFPIRUpper95(atDistance: d))
            #expect(abs(upper - Self.bruteUpper(k, g.count)) < 1e-6, "d \(d): \(k) of \(g.count)")
            #expect(upper >= (c.estimatedFPIR(atDistance: d) ?? 0))
            if k > 0 && k < g.count { checked += 1 }
        }
        #expect(checked >= 4)  // the Clopper–Pearson branch, not only the rule of three
        #expect(c.estimatedFPIRUpper95(atDistance: 0.71) == nil)
    }

    @Test("the DET plot's target line lies at the target FPIR on the log axis, below the axis floor too")
    func detTargetLine() throws {
        var c = CalibrationTests.sample()
        c.nonMatedSearches = 30  // the floor, half of one event's rate, is 1/60 ≈ 0.0167 > the 1 % target
        c.targetFPIR = 0.01
        let svg = c.detPlot()
        let line = try #require(svg.range(of: "class=\"target-line\" x1=\""))
        let x = try #require(Double(svg[line.upperBound...].prefix { $0 != "\"" }))
        // The x axis: log10 of the rate from the decade below both the floor and the target up to 1,
        // drawn between x = 70 and x = 640 − 20.
        let floorExp = (log10(min(0.5 / 30, 0.01)) - 0.1).rounded(.down)  // −3
        #expect(floorExp == -3)
        let expected = 70 + (log10(0.01) - floorExp) / -floorExp * 550
        #expect(abs(x - expected) < 0.06, "x \(x), expected \(expected)")
        let atFloor = 70 + (log10(0.5 / 30) - floorExp) / -floorExp * 550
        #expect(abs(x - atFloor) > 30)  // 40.7 px: not where the old plot drew it
        #expect(svg.contains(">0.001</text>"))
        // Threshold labels never overlap (each about 6.2 px a character by 12 px).
        var boxes: [(Double, Double)] = []
        var rest = svg[...]
        while let r = rest.range(of: "<text x=\"") {
            let tail = rest[r.upperBound...]
            let parts = tail.split(separator: "\"", maxSplits: 4)
            if tail.contains("font-size=\"10\""), let px = Double(parts[0]), let py = Double(parts[2]),
               tail.prefix(80).contains("font-size=\"10\"")
            {
                boxes.append((px, py))
            }
            rest = tail
        }
        for i in boxes.indices { for j in boxes.indices where j > i {
            #expect(abs(boxes[i].0 - boxes[j].0) >= 26 || abs(boxes[i].1 - boxes[j].1) >= 12)
        } }
    }

    @Test("the sheet gives each rate with its upper bound in words, and the threshold with its source")
    func sheetWords() {
        #expect(RarityText.sentence(estimatedFPIR: 0, upper95: 0.1)
                == "none of the calibration's searches of someone not in the gallery returned a stranger this close, "
                + "which is not proof that none would: up to 10 in 100 might (95 % upper bound)")
        #expect(RarityText.sentence(estimatedFPIR: 1.0 / 300, upper95: 1.0 / 120)
                == "about 1 in 300 searches of someone not in the gallery returns a stranger this close (up to 1 in 120 at the 95 % upper bound)")
        var result = JobResult(job: "j", decision: .completed, threshold: 0.51, probes: [], created: TestSpool.now)
        result.record(OperatingThreshold(threshold: 0.51, basis: .calibrated, source: "calibration 2 (gallery version 5) for target FPIR 1 %",
                                         targetFPIR: 0.01, candidateList: .threshold, estimatedFPIR: 0.0067, estimatedFPIRUpper95: 0.021))
        let html = ExaminerSheet.render(result: result, probes: []) { _ in nil }
        #expect(html.contains("0.510 — calibration 2 (gallery version 5) for target FPIR 1 %"))
        #expect(html.contains("about 1 in 150 searches of someone not in the gallery returns a stranger within it (up to 1 in 48"))
    }
}
