import FaceSearch
import Foundation
import Matching

/// A timed calibration of a synthetic clustered gallery (``FaceSearch/CalibrationSyntheticGallery``:
/// subjects with 1–4 photos, mates ~N(0.35, 0.08) apart, non-mates ~N(0.9, 0.08), 128-d unit
/// vectors): `frs bench calibrate`. Its result line is JSON.
public struct CalibrationBenchmark: Sendable {
    /// Faces in the synthetic gallery.
    public var gallery: Int
    /// The false positive identification rate the threshold is chosen for.
    public var targetFPIR: Double
    /// Parallel chunks (`nil`: the processors).
    public var workers: Int?
    /// Faces searched, drawn at random (`nil`: all).
    public var sample: Int?
    /// Where to write the calibration's HTML report too, if anywhere.
    public var html: String?
    /// The generator's seed.
    public var seed: UInt64

    public init(gallery: Int, targetFPIR: Double, workers: Int?, sample: Int?, html: String?, seed: UInt64) {
        self.gallery = gallery
        self.targetFPIR = targetFPIR
        self.workers = workers
        self.sample = sample
        self.html = html
        self.seed = seed
    }

    /// Generates the gallery, calibrates it, and writes the result line.
    public func run(_ output: BenchmarkOutput) throws -> BenchmarkVerdict {
        var start = BenchmarkClock.now()
        let synthetic = CalibrationSyntheticGallery(faces: gallery, seed: seed)
        let distances = synthetic.distanceSample()
        output.note(String(format: "generated %d faces of %d subjects in %.1f s; consecutive pairs: mates %.3f ± %.3f, non-mates %.3f ± %.3f",
                           synthetic.count, Set(synthetic.subjectIDs).count, BenchmarkClock.now() - start,
                           distances.mate.mean, distances.mate.sd, distances.nonMate.mean, distances.nonMate.sd))
        start = BenchmarkClock.now()
        let matcher = Matcher(gallery: try synthetic.matrix(), workers: workers)
        output.note(String(format: "built the matrix in %.2f s; %d workers", BenchmarkClock.now() - start, matcher.workers))
        var last = -1
        let calibration = try Calibration.measure(
            matcher: matcher, descriptors: synthetic.descriptors, options: Calibration.Options(targetFPIR: targetFPIR, workers: workers, sample: sample)
        ) { done, total in
            let percent = done * 100 / max(1, total)
            if percent / 10 != last / 10 { output.note("\(done) of \(total) searches"); last = percent }
        }
        if let html { try Data(calibration.reportHTML().utf8).write(to: URL(fileURLWithPath: html)) }
        output.result(Self.resultLine(calibration, faces: synthetic.count, workers: matcher.workers))
        return .passed
    }

    /// `{"gallery", "subjects", "non_mated_searches", "mated_searches", "seconds", "workers"}`, and
    /// when a threshold was found `"threshold", "fpir", "fpir_upper95"` (and `"fnir"` when mated
    /// searches were made).
    static func resultLine(_ calibration: Calibration, faces: Int, workers: Int) -> String {
        var json = "{\"gallery\":\(faces),\"subjects\":\(calibration.gallerySubjects),"
        json += "\"non_mated_searches\":\(calibration.nonMatedSearches),\"mated_searches\":\(calibration.matedSearches),"
        json += "\"seconds\":\(String(format: "%.3f", calibration.seconds)),\"workers\":\(workers)"
        if let i = calibration.thresholdIndex {
            json += ",\"threshold\":\(calibration.thresholds[i]),\"fpir\":\(calibration.fpir[i]),"
            json += "\"fpir_upper95\":\(String(format: "%.6f", calibration.fpirUpper95[i]))"
            if !calibration.fnir.isEmpty { json += ",\"fnir\":\(String(format: "%.6f", calibration.fnir[i]))" }
        }
        json += "}"
        return json
    }
}
