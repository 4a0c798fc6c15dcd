import Benchmarks
import Matching

/// `frs bench match --gallery N --probes B [--k K] [--storage f32,f16] [--verify]`: the synthetic
/// matching benchmark (``Benchmarks/MatchBenchmark``). One JSON line per storage; the last line is
/// JSON: `{"gallery":N,"probes":B,"k":K,"seconds":S,"ms_per_probe":X,"storage":...,"gflops":...,
/// "peak_gflops":...,...}` for the last storage listed, with its time relative to the first
/// (`"time_ratio"`) when several are listed. Exit 1 when `--verify` found a difference.
struct BenchMatchCommand: Subcommand {
    static let words = ["bench", "match"]
    static let abstract = "synthetic matching benchmark (random unit vectors, fixed seed); last line JSON"
    static let usage = "bench match --gallery N --probes B [--k K] [--storage f32|f16|f32,f16] [--threshold T] [--repeat R] [--workers W] [--verify|--verify-all] [--cache-dir DIR]"
    static let help = """
          --gallery N     gallery rows (1 to 50,000,000)
          --probes B      probes searched (1 to 100,000)
          --k K           matches per probe (default 10)
          --storage S     the panels scanned: f32, f16 (half precision + exact re-rank), or a
                          comma-separated list timed in turns in the same run (default f32)
          --threshold T   only matches within distance T (default: none, as FAISS's top-k)
          --repeat R      timed runs; the median is reported (default 1)
          --workers W     parallel chunks (default: the number of processors)
          --verify        also check up to 16 probes against an independent double-precision
                          scan of the unpacked descriptors
          --verify-all    check every probe (slow: a full double scan per probe)
          --cache-dir DIR also write the matrix as a gallery cache file in DIR, time loading it
                          back (f16: mapped, only the half copy resident), and search the loaded
                          copy (the file is removed afterwards)
        """

    var gallery: Int
    var probes: Int
    var k: Int
    var threshold: Double?
    var repeats: Int
    var workers: Int?
    var verify: MatchBenchmark.Verify
    var cacheDirectory: String?
    var storages: [ScanPrecision]

    init(arguments: inout ArgumentList) throws(UsageError) {
        guard let gallery = try arguments.int("--gallery", in: 1...50_000_000) else { throw UsageError("missing --gallery") }
        guard let probes = try arguments.int("--probes", in: 1...100_000) else { throw UsageError("missing --probes") }
        self.gallery = gallery
        self.probes = probes
        k = try arguments.int("--k", in: 1...1_000) ?? 10
        repeats = try arguments.int("--repeat", in: 1...100) ?? 1
        workers = try arguments.int("--workers", in: 1...256)
        if let text = try arguments.option("--threshold") {
            guard let t = Double(text), t.isFinite, t >= 0 else {
                throw UsageError("--threshold must be a non-negative number, not \"\(text)\"")
            }
            threshold = t
        }
        storages = [.float32]
        if let text = try arguments.option("--storage") {
            var list: [ScanPrecision] = []
            for word in text.split(separator: ",", omittingEmptySubsequences: false) {
                guard let s = ScanPrecision(rawValue: String(word)), !list.contains(s) else {
                    throw UsageError("--storage takes f32, f16 or both separated by a comma, not \"\(text)\"")
                }
                list.append(s)
            }
            storages = list
        }
        cacheDirectory = try arguments.option("--cache-dir")
        let all = arguments.flag("--verify-all")
        verify = all ? .all : (arguments.flag("--verify") ? .sample : .none)
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let benchmark = MatchBenchmark(gallery: gallery, probes: probes, k: k, threshold: threshold, repeats: repeats, workers: workers,
                                       verify: verify, cacheDirectory: cacheDirectory, storages: storages)
        return try benchmark.run(context.benchmarkOutput).exitStatus
    }
}
