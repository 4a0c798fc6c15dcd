import Benchmarks
import Foundation
import Matching

/// `frs bench scan --dir DIR --scan P`: the daemon's face search over a gallery made by
/// `frs bench gallery` in DIR, as one daemon process holds it (``Benchmarks/ScanBenchmark``):
/// resident memory and the median time of one probe. Last line JSON; exit 2 when DIR has no
/// gallery, 1 when a probe did not find its own row first.
struct BenchScanCommand: Subcommand {
    static let words = ["bench", "scan"]
    static let abstract = "the daemon's searcher over a bench gallery: resident memory and one-probe time; last line JSON"
    static let usage = "bench scan --dir DIR --scan f16|f32 [--probes N] [--candidates N] [--threshold T]"
    static let help = """
          --dir DIR         a directory `frs bench gallery` made (frs.sqlite and cache/)
          --scan P          the panels the matcher scans: f16 (the daemon's default) or f32
          --probes N        one-probe searches timed, each a gallery row's descriptor (default 25)
          --candidates N    the candidate list per probe (default 20)
          --threshold T     the distance limit (default 0.6, the daemon's)
        """

    var directory: String
    var precision: ScanPrecision
    var probes: Int
    var candidates: Int
    var threshold: Double

    init(arguments: inout ArgumentList) throws(UsageError) {
        directory = try arguments.required("--dir")
        let scan = try arguments.required("--scan")
        guard let precision = ScanPrecision(rawValue: scan) else { throw UsageError("--scan must be f16 or f32, not '\(scan)'") }
        self.precision = precision
        probes = try arguments.int("--probes", in: 1...10_000) ?? 25
        candidates = try arguments.int("--candidates", in: 1...1000) ?? 20
        let text = try arguments.option("--threshold") ?? "0.6"
        guard let threshold = Double(text), threshold.isFinite, threshold >= 0 else {
            throw UsageError("--threshold must be a distance >= 0, not '\(text)'")
        }
        self.threshold = threshold
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let benchmark = ScanBenchmark(directory: directory, precision: precision, probes: probes, candidates: candidates,
                                      threshold: threshold, models: context.models)
        guard FileManager.default.fileExists(atPath: benchmark.databasePath) else {
            context.err("frs: \(benchmark.databasePath) does not exist: run 'frs bench gallery --faces N --dir \(directory)' first")
            return 2
        }
        return try benchmark.run(context.benchmarkOutput).exitStatus
    }
}
