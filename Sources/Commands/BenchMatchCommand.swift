import Dispatch
import Foundation
import Matching
import NeuralNet
import SystemCalls

/// `frs bench match --gallery N --probes B [--k K] [--storage f32,f16] [--verify]`: the synthetic
/// matching benchmark.
///
/// Makes `N` gallery rows and `B` probes of random unit vectors (128-d, fixed seeds), builds the
/// matrix (and its float16 copy for `--storage f16`), measures the machine's FMA peak with a plain
/// loop on all processors, runs one untimed warm-up search per storage, then times searching the
/// `B` probes (as one batch, or the single-probe path when `B` is 1) `--repeat` times, the
/// storages taking turns within each repeat and the peak measured again after each repeat, and
/// reports the medians (`gflops`, `peak_fraction` against the best peak) and the best runs
/// (`gflops_best`, `peak_fraction_best`), and per CPU-second of this process
/// (`gflops_per_cpu_second`, `cpu_peak_fraction`: comparable on a machine others are loading). One JSON line per storage;
/// the last line is JSON: `{"gallery":N,"probes":B,"k":K,"seconds":S,"ms_per_probe":X,
/// "storage":...,"gflops":...,"peak_gflops":...,...}` for the last storage listed, with its time
/// relative to the first (`"time_ratio"`) when several are listed.
///
/// `--verify` compares the results of up to 16 probes (evenly spaced; `--verify-all`: every
/// probe) with an independent double-precision scan of the generated row-major descriptors —
/// it never reads the matrix or its packed panels — and fails (exit 1) on any difference.
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
    var verify: Verify
    var cacheDirectory: String?
    var storages: [ScanPrecision]

    /// How many probes `--verify` checks.
    enum Verify: Sendable, Equatable {
        case none, sample, all
    }

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
        var base = try GalleryMatrix(dimension: dimension, galleryVersion: 1, descriptors: rows, faceIDs: ids, subjectIDs: ids)
        context.err(String(format: "built the float32 matrix in %.2f s", Self.now() - start))
        var cacheLoadSeconds: [ScanPrecision: Double] = [:]
        var cacheLoadRSS: [ScanPrecision: Int] = [:]
        var matchers: [Matcher] = []
        var cachePath: String?
        defer { if let cachePath { try? DurableFile.remove(cachePath) } }
        if let cacheDirectory {
            start = Self.now()
            cachePath = try GalleryCache.write(base, directory: cacheDirectory)
            context.err(String(format: "wrote %@ in %.2f s", cachePath ?? "", Self.now() - start))
            base = try GalleryMatrix.empty(dimension: dimension)  // only the loaded copies stay
        }
        for storage in storages {
            var matrix: GalleryMatrix
            start = Self.now()
            if let cacheDirectory {
                let rss = BenchGalleryCommand.memory("VmRSS")
                matrix = try GalleryCache.load(directory: cacheDirectory, galleryVersion: 1, precision: storage)
                cacheLoadSeconds[storage] = Self.now() - start
                cacheLoadRSS[storage] = BenchGalleryCommand.memory("VmRSS") - rss
                context.err("resident memory grew by \((cacheLoadRSS[storage] ?? 0) / 1024) MiB with the loaded matrix")
                context.err(String(format: "loaded the cache as %@ in %.3f s", storage.rawValue, Self.now() - start))
            } else {
                matrix = base.converted(to: storage)
                context.err(String(format: "made the %@ copy in %.2f s", storage.rawValue, Self.now() - start))
            }
            context.err("\(storage.rawValue): \(matrix.residentBytes) bytes of matrix in memory (\(String(format: "%.1f", Double(matrix.residentBytes) / Double(gallery))) a row)")
            matchers.append(Matcher(gallery: matrix, workers: workers))
        }
        context.err("\(matchers[0].workers) workers")

        // The peak is measured before, between and after the timed runs and its best counts, as
        // the kernels' best run does: on a shared machine both are only ever slowed down.
        let threads = ProcessInfo.processInfo.activeProcessorCount
        // CPU time too: GFLOP per CPU-second compares kernel and peak loop even when other
        // processes take turns on the cores (wall-clock rates then mostly measure the load).
        var peakCPU: [Double] = []
        func measurePeak() -> Double {
            let cpu = Self.cpuSeconds(), wall = Self.now()
            let rate = FMAPeakKernel.measure(threads: threads) / 1e9
            peakCPU.append(rate * (Self.now() - wall) / (Self.cpuSeconds() - cpu))
            return rate
        }
        var peaks = [measurePeak()]
        context.err(String(format: "FMA peak (10 accumulators, AVX2, %d threads): %.1f GFLOP/s", threads, peaks[0]))

        for matcher in matchers { _ = try matcher.search(probeList[0], k: k, threshold: threshold) }  // warm-up
        var times = [[Double]](repeating: [], count: matchers.count)
        var cpuTimes = [[Double]](repeating: [], count: matchers.count)
        var results = [[[Match]]](repeating: [], count: matchers.count)
        for run in 0..<repeats {
            for (m, matcher) in matchers.enumerated() {
                start = Self.now()
                let cpu = Self.cpuSeconds()
                results[m] = probes == 1
                    ? [try matcher.search(probeList[0], k: k, threshold: threshold)]
                    : try matcher.search(probes: probeList, k: k, threshold: threshold)
                let t = Self.now() - start
                times[m].append(t)
                cpuTimes[m].append(Self.cpuSeconds() - cpu)
                context.err(String(format: "run %d %@: %.4f s (%.3f ms per probe)",
                                   run + 1, storages[m].rawValue, t, t * 1000 / Double(probes)))
            }
            peaks.append(measurePeak())
            context.err(String(format: "FMA peak: %.1f GFLOP/s", peaks[peaks.count - 1]))
        }
        let peakBest = peaks.max() ?? 0

        var verified = 0
        var failures = 0
        if verify != .none {
            let chosen = verify == .all || probes <= 16
                ? Array(0..<probes)
                : (0..<16).map { $0 * (probes - 1) / 15 }
            start = Self.now()
            for i in chosen {
                let expected = Self.referenceSearch(
                    rows: rows, dimension: dimension, probe: probeList[i], k: k, threshold: threshold)
                for m in matchers.indices where expected != results[m][i] {
                    failures += 1
                    context.err("verify: \(storages[m].rawValue) probe \(i) differs from the double-precision scan:\n  got      \(results[m][i])\n  expected \(expected)")
                }
                verified += 1
            }
            context.err(String(format: "verified %d probes x %d storages against an independent double-precision scan in %.1f s: %@",
                               verified, matchers.count, Self.now() - start, failures == 0 ? "all equal" : "\(failures) differ"))
        }

        let medians = times.map { $0.sorted()[$0.count / 2] }
        let work = 2.0 * Double(gallery) * Double(dimension) * Double(probes)
        for (m, seconds) in medians.enumerated() {
            let gflops = work / seconds / 1e9
            let best = work / (times[m].min() ?? seconds) / 1e9
            var json = "{\"gallery\":\(gallery),\"probes\":\(probes),\"k\":\(k),"
            json += "\"seconds\":\(String(format: "%.6f", seconds)),\"ms_per_probe\":\(String(format: "%.4f", seconds * 1000 / Double(probes)))"
            json += ",\"storage\":\"\(storages[m].rawValue)\",\"workers\":\(matchers[m].workers),\"repeat\":\(repeats)"
            json += ",\"gflops\":\(String(format: "%.1f", gflops)),\"peak_gflops\":\(String(format: "%.1f", peakBest))"
            json += ",\"gflops_best\":\(String(format: "%.1f", best)),\"peak_fraction_best\":\(String(format: "%.3f", best / peakBest))"
            json += ",\"peak_fraction\":\(String(format: "%.3f", gflops / peakBest))"
            let cpuRate = work / (cpuTimes[m].min() ?? 1) / 1e9, peakCPUBest = peakCPU.max() ?? 0
            json += ",\"gflops_per_cpu_second\":\(String(format: "%.1f", cpuRate))"
            json += ",\"peak_gflops_per_cpu_second\":\(String(format: "%.1f", peakCPUBest))"
            json += ",\"cpu_peak_fraction\":\(String(format: "%.3f", cpuRate / peakCPUBest))"
            json += ",\"matrix_resident_bytes\":\(matchers[m].gallery.residentBytes)"
            if m > 0 { json += ",\"time_ratio\":\(String(format: "%.3f", seconds / medians[0])),\"ratio_to\":\"\(storages[0].rawValue)\"" }
            if let threshold { json += ",\"threshold\":\(threshold)" }
            if let load = cacheLoadSeconds[storages[m]] { json += ",\"cache_load_seconds\":\(String(format: "%.4f", load))" }
            if let grew = cacheLoadRSS[storages[m]] { json += ",\"cache_load_rss_growth_kib\":\(grew)" }
            if verify != .none { json += ",\"verified\":\(verified),\"verify_failures\":\(failures)" }
            json += "}"
            context.out(json)
        }
        return failures == 0 ? 0 : 1
    }

    /// The reference for `--verify`: a plain double-precision scan of the row-major descriptors as
    /// generated (never the matrix or its panels): `Σ (p_k − g_k)²` in double, ordered by distance
    /// then row, those within the threshold, the first `k`.
    static func referenceSearch(rows: [Float], dimension: Int, probe: [Float], k: Int, threshold: Double?) -> [Match] {
        var best: [(d2: Double, row: Int)] = []
        let count = rows.count / dimension
        for row in 0..<count {
            var sum = 0.0
            for j in 0..<dimension {
                let d = Double(probe[j]) - Double(rows[row * dimension + j])
                sum += d * d
            }
            if best.count == k, sum >= best[k - 1].d2 { continue }
            let at = best.firstIndex { sum < $0.d2 } ?? best.count
            best.insert((sum, row), at: at)
            if best.count > k { best.removeLast() }
        }
        var out: [Match] = []
        for entry in best {
            let distance = entry.d2.squareRoot()
            if let threshold, distance > threshold { break }
            out.append(Match(rank: out.count + 1, row: entry.row, faceID: Int64(entry.row), subjectID: Int64(entry.row), distance: distance))
        }
        return out
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// User + system CPU time of this process, in seconds.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
