import Benchmarks

/// `frs bench calibrate --gallery N`: times a calibration of a synthetic clustered gallery
/// (``Benchmarks/CalibrationBenchmark``). The last line is JSON.
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
        let benchmark = CalibrationBenchmark(gallery: gallery, targetFPIR: targetFPIR, workers: workers, sample: sample, html: html, seed: seed)
        return try benchmark.run(context.benchmarkOutput).exitStatus
    }
}
