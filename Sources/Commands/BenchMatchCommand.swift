import Dispatch
import Foundation
import Matching

/// `frs bench match --gallery N --probes B [--k K] [--verify]`: the synthetic matching benchmark.
///
/// Makes `N` gallery rows and `B` probes of random unit vectors (128-d, fixed seeds), builds the
/// matrix, runs one untimed warm-up search, then times searching the `B` probes (as one batch,
/// or the single-probe path when `B` is 1), `--repeat` times, and reports the median. The last
/// line is JSON: `{"gallery":N,"probes":B,"k":K,"seconds":S,"ms_per_probe":X,...}`.
///
/// `--verify` compares the results of up to 16 probes (evenly spaced; `--verify-all`: every
/// probe) with the plain double-precision scan and fails (exit 1) on any difference.
public struct BenchMatchCommand: Subcommand {
    public static let words = ["bench", "match"]
    public static let abstract = "synthetic matching benchmark (random unit vectors, fixed seed); last line JSON"
    public static let usage = "bench match --gallery N --probes B [--k K] [--threshold T] [--repeat R] [--workers W] [--verify|--verify-all]"
    public static let help = """
          --gallery N     gallery rows (1 to 50,000,000)
          --probes B      probes searched (1 to 100,000)
          --k K           matches per probe (default 10)
          --threshold T   only matches within distance T (default: none, as FAISS's top-k)
          --repeat R      timed runs; the median is reported (default 1)
          --workers W     parallel chunks (default: the number of processors)
          --verify        also check up to 16 probes against a plain double-precision scan
          --verify-all    check every probe (slow: a full double scan per probe)
          --cache-dir DIR also write the matrix as a gallery cache file in DIR, time loading it
                          back, and search the loaded copy (the file is removed afterwards)
        """

    public var gallery: Int
    public var probes: Int
    public var k: Int
    public var threshold: Double?
    public var repeats: Int
    public var workers: Int?
    public var verify: Verify
    public var cacheDirectory: String?

    /// How many probes `--verify` checks.
    public enum Verify: Sendable, Equatable {
        case none, sample, all
    }

    public init(arguments: inout ArgumentList) throws(UsageError) {
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
        cacheDirectory = try arguments.option("--cache-dir")
        let all = arguments.flag("--verify-all")
        verify = all ? .all : (arguments.flag("--verify") ? .sample : .none)
    }

    public func run(_ context: CommandContext) throws -> Int32 {
        let dimension = 128
        var start = Self.now()
        var random = RandomDescriptors(seed: 0x5EED_0001)
        let rows = random.unitVectors(count: gallery, dimension: dimension)
        var probeRandom = RandomDescriptors(seed: 0x5EED_0002)
        let flat = probeRandom.unitVectors(count: probes, dimension: dimension)
        let probeList = (0..<probes).map { Array(flat[($0 * dimension)..<(($0 + 1) * dimension)]) }
        context.err(String(format: "generated %d gallery rows and %d probes in %.2f s", gallery, probes, Self.now() - start))

        start = Self.now()
        let ids = (0..<Int64(gallery)).map { $0 }
        var matrix = try GalleryMatrix(dimension: dimension, galleryVersion: 1, descriptors: rows, faceIDs: ids, subjectIDs: ids)
        context.err(String(format: "built the matrix in %.2f s", Self.now() - start))
        var cacheLoadSeconds: Double?
        if let cacheDirectory {
            start = Self.now()
            let path = try GalleryCache.write(matrix, directory: cacheDirectory)
            context.err(String(format: "wrote %@ in %.2f s", path, Self.now() - start))
            defer { unlink(path) }
            start = Self.now()
            matrix = try GalleryCache.load(directory: cacheDirectory, galleryVersion: 1)
            cacheLoadSeconds = Self.now() - start
            context.err(String(format: "loaded it back in %.3f s; searching the loaded copy", cacheLoadSeconds ?? 0))
        }
        let matcher = Matcher(gallery: matrix, workers: workers)
        context.err("\(matcher.workers) workers")

        _ = try matcher.search(probeList[0], k: k, threshold: threshold)  // warm-up: page faults, caches
        var times: [Double] = []
        var results: [[Match]] = []
        for run in 0..<repeats {
            start = Self.now()
            results = probes == 1
                ? [try matcher.search(probeList[0], k: k, threshold: threshold)]
                : try matcher.search(probes: probeList, k: k, threshold: threshold)
            times.append(Self.now() - start)
            context.err(String(format: "run %d: %.4f s (%.3f ms per probe)", run + 1, times[run], times[run] * 1000 / Double(probes)))
        }
        let seconds = times.sorted()[times.count / 2]

        var verified = 0
        var failures = 0
        if verify != .none {
            let chosen = verify == .all || probes <= 16
                ? Array(0..<probes)
                : (0..<16).map { $0 * (probes - 1) / 15 }
            start = Self.now()
            for i in chosen {
                let expected = try matcher.exactScan(probeList[i], k: k, threshold: threshold)
                if expected != results[i] {
                    failures += 1
                    context.err("verify: probe \(i) differs from the double-precision scan:\n  got      \(results[i])\n  expected \(expected)")
                }
                verified += 1
            }
            context.err(String(format: "verified %d probes against a double-precision scan in %.1f s: %@",
                               verified, Self.now() - start, failures == 0 ? "all equal" : "\(failures) differ"))
        }

        var json = "{\"gallery\":\(gallery),\"probes\":\(probes),\"k\":\(k),"
        json += "\"seconds\":\(String(format: "%.6f", seconds)),\"ms_per_probe\":\(String(format: "%.4f", seconds * 1000 / Double(probes)))"
        json += ",\"workers\":\(matcher.workers),\"repeat\":\(repeats)"
        if let threshold { json += ",\"threshold\":\(threshold)" }
        if let cacheLoadSeconds { json += ",\"cache_load_seconds\":\(String(format: "%.4f", cacheLoadSeconds))" }
        if verify != .none { json += ",\"verified\":\(verified),\"verify_failures\":\(failures)" }
        json += "}"
        context.out(json)
        return failures == 0 ? 0 : 1
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
