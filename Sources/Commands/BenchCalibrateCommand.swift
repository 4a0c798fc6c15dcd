import Dispatch
import FaceSearch
import Foundation
import Matching

/// `frs bench calibrate --gallery N`: times a calibration of a synthetic clustered gallery
/// (``FaceSearch/CalibrationSyntheticGallery``: subjects with 1–4 photos, mates ~N(0.35, 0.08)
/// apart, non-mates ~N(0.9, 0.08), 128-d unit vectors). The last line is JSON.
struct BenchCalibrateCommand: Subcommand {
    static let words = ["bench", "calibrate"]
    static let abstract = "times a gallery calibration on synthetic clustered descriptors; last line JSON"
    static let usage = "bench calibrate --gallery N [--sample M] [--target-fpir F] [--workers W] [--html FILE] [--seed S]"
    static let help = """
          --gallery N      faces (1 to 2,000,000)
          --sample M       search M faces drawn at random against the whole gallery (default: all)
          --target-fpir F  as frs gallery calibrate (default 0.01)
          --workers W      parallel chunks (default: the processors)
          --html FILE      also write the calibration's HTML report there
          --seed S         the generator's seed (default fixed)
        """

    var gallery: Int
    var targetFPIR: Double
    var workers: Int?
    var sample: Int?
    var html: String?
    var seed: UInt64

    init(arguments: inout ArgumentList) throws(UsageError) {
        guard let gallery = try arguments.int("--gallery", in: 1...2_000_000) else { throw UsageError("missing --gallery") }
        self.gallery = gallery
        let text = try arguments.option("--target-fpir") ?? "0.01"
        guard let target = Double(text), target > 0, target < 1 else {
            throw UsageError("--target-fpir must be a number between 0 and 1 (exclusive), not \"\(text)\"")
        }
        targetFPIR = target
        workers = try arguments.int("--workers", in: 1...256)
        sample = try arguments.int("--sample", in: 1...100_000_000)
        html = try arguments.option("--html")
        seed = UInt64(try arguments.int("--seed", in: 0...Int.max) ?? 0xCA11_B8A7)
    }

    func run(_ context: CommandContext) throws -> Int32 {
        var start = Self.now()
        let synthetic = CalibrationSyntheticGallery(faces: gallery, seed: seed)
        let distances = synthetic.distanceSample()
        context.err(String(format: "generated %d faces of %d subjects in %.1f s; consecutive pairs: mates %.3f ± %.3f, non-mates %.3f ± %.3f",
                           synthetic.count, Set(synthetic.subjectIDs).count, Self.now() - start,
                           distances.mate.mean, distances.mate.sd, distances.nonMate.mean, distances.nonMate.sd))
        start = Self.now()
        let matcher = Matcher(gallery: try synthetic.matrix(), workers: workers)
        context.err(String(format: "built the matrix in %.2f s; %d workers", Self.now() - start, matcher.workers))
        var last = -1
        let calibration = try Calibration.measure(
            matcher: matcher, descriptors: synthetic.descriptors, options: Calibration.Options(targetFPIR: targetFPIR, workers: workers, sample: sample)
        ) { done, total in
            let percent = done * 100 / max(1, total)
            if percent / 10 != last / 10 { context.err("\(done) of \(total) searches"); last = percent }
        }
        if let html { try Array(calibration.reportHTML().utf8).write(to: html) }
        var json = "{\"gallery\":\(synthetic.count),\"subjects\":\(calibration.gallerySubjects),"
        json += "\"non_mated_searches\":\(calibration.nonMatedSearches),\"mated_searches\":\(calibration.matedSearches),"
        json += "\"seconds\":\(String(format: "%.3f", calibration.seconds)),\"workers\":\(matcher.workers)"
        if let i = calibration.thresholdIndex {
            json += ",\"threshold\":\(calibration.thresholds[i]),\"fpir\":\(calibration.fpir[i]),"
            json += "\"fpir_upper95\":\(String(format: "%.6f", calibration.fpirUpper95[i]))"
            if !calibration.fnir.isEmpty { json += ",\"fnir\":\(String(format: "%.6f", calibration.fnir[i]))" }
        }
        json += "}"
        context.out(json)
        return 0
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}

extension Array where Element == UInt8 {
    /// Writes the bytes to a file (replacing it).
    fileprivate func write(to path: String) throws {
        try Data(self).write(to: URL(fileURLWithPath: path))
    }
}
