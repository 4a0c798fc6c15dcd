import Foundation
import Matching
import NeuralNet
import SystemCalls

/// The synthetic matching benchmark: `frs bench match`.
///
/// Makes `gallery` rows and `probes` probes of random unit vectors (128-d, fixed seeds), builds the
/// matrix (and its float16 copy for f16 storage), measures the machine's FMA peak with a plain loop
/// on all processors, runs one untimed warm-up search per storage, then times searching the probes
/// (as one batch, or the single-probe path for one probe) `repeats` times, the storages taking
/// turns within each repeat and the peak measured again after each repeat. One result line per
/// storage (``MatchReport``).
///
/// ``Verify`` compares the results of up to 16 probes (evenly spaced; or every probe) with an
/// independent double-precision scan of the generated row-major descriptors (``ReferenceScan``) —
/// it never reads the matrix or its packed panels — and fails on any difference.
public struct MatchBenchmark: Sendable {
    /// How many probes the verification checks.
    public enum Verify: Sendable, Equatable {
        /// None.
        case none
        /// Up to 16, evenly spaced.
        case sample
        /// Every probe.
        case all
    }

    /// Gallery rows.
    public var gallery: Int
    /// Probes searched in each timed run.
    public var probes: Int
    /// Matches per probe.
    public var k: Int
    /// Only matches within this distance (`nil`: none, as FAISS's top-k).
    public var threshold: Double?
    /// Timed runs; the median is reported.
    public var repeats: Int
    /// Parallel chunks (`nil`: the processors).
    public var workers: Int?
    /// How many probes are checked against ``ReferenceScan``.
    public var verify: Verify
    /// Where to write the matrix as a gallery cache file and load it back from (`nil`: no file).
    public var cacheDirectory: String?
    /// The panels scanned, timed in turns; the first is what the others' time ratio refers to.
    public var storages: [ScanPrecision]

    /// The descriptors' dimension.
    static let dimension = 128

    public init(gallery: Int, probes: Int, k: Int, threshold: Double?, repeats: Int, workers: Int?, verify: Verify,
                cacheDirectory: String?, storages: [ScanPrecision]) {
        self.gallery = gallery
        self.probes = probes
        self.k = k
        self.threshold = threshold
        self.repeats = repeats
        self.workers = workers
        self.verify = verify
        self.cacheDirectory = cacheDirectory
        self.storages = storages
    }

    /// Runs the benchmark; `.failed` when the verification found a difference.
    public func run(_ output: BenchmarkOutput) throws -> BenchmarkVerdict {
        let start = BenchmarkClock.now()
        let (rows, probeList) = makeDescriptors()
        output.note(String(format: "generated %d gallery rows and %d probes in %.2f s", gallery, probes, BenchmarkClock.now() - start))

        var cachePath: String?
        defer { if let cachePath { try? DurableFile.remove(cachePath) } }
        let prepared = try makeMatchers(rows: rows, output, cachePath: &cachePath)
        output.note("\(prepared.matchers[0].workers) workers")

        var peak = PeakMeter()
        output.note(String(format: "FMA peak (10 accumulators, AVX2, %d threads): %.1f GFLOP/s", peak.threads, peak.measure()))
        let runs = try timeSearches(prepared.matchers, probes: probeList, peak: &peak, output)
        let verification = try verifyResults(runs.results, rows: rows, probes: probeList, output)

        let medians = runs.times.map { $0.sorted()[$0.count / 2] }
        for (m, matcher) in prepared.matchers.enumerated() {
            let storage = storages[m]
            let report = MatchReport(
                gallery: gallery, probes: probes, k: k, dimension: Self.dimension, storage: storage, workers: matcher.workers,
                repeats: repeats, medianSeconds: medians[m], bestSeconds: runs.times[m].min() ?? medians[m],
                bestCPUSeconds: runs.cpuTimes[m].min() ?? 1, peakGFLOPS: peak.best, peakGFLOPSPerCPUSecond: peak.bestPerCPUSecond,
                matrixResidentBytes: matcher.gallery.residentBytes,
                ratio: m > 0 ? (medians[m] / medians[0], storages[0]) : nil, threshold: threshold,
                cacheLoadSeconds: prepared.cacheLoadSeconds[storage], cacheLoadRSSGrowthKiB: prepared.cacheLoadRSS[storage],
                verification: verify != .none ? verification : nil)
            output.result(report.jsonLine)
        }
        return verification.failures == 0 ? .passed : .failed
    }

    /// The gallery's rows (row-major) and the probes, from fixed seeds.
    func makeDescriptors() -> (rows: [Float], probes: [[Float]]) {
        let dimension = Self.dimension
        var random = RandomDescriptors(seed: 0x5EED_0001)
        let rows = random.unitVectors(count: gallery, dimension: dimension)
        var probeRandom = RandomDescriptors(seed: 0x5EED_0002)
        let flat = probeRandom.unitVectors(count: probes, dimension: dimension)
        return (rows, (0..<probes).map { Array(flat[($0 * dimension)..<(($0 + 1) * dimension)]) })
    }

    /// One matcher per storage, and what loading each from the cache file took.
    struct PreparedMatchers {
        var matchers: [Matcher] = []
        var cacheLoadSeconds: [ScanPrecision: Double] = [:]
        /// KiB of resident memory each load added.
        var cacheLoadRSS: [ScanPrecision: Int] = [:]
    }

    /// Builds the float32 matrix, then a matcher per storage: a converted copy, or (with a cache
    /// directory) the matrix written as a cache file (its path left in `cachePath` for removal) and
    /// loaded back in each storage, only the loaded copies kept.
    func makeMatchers(rows: [Float], _ output: BenchmarkOutput, cachePath: inout String?) throws -> PreparedMatchers {
        var start = BenchmarkClock.now()
        let ids = (0..<Int64(gallery)).map { $0 }
        var base = try GalleryMatrix(dimension: Self.dimension, galleryVersion: 1, descriptors: rows, faceIDs: ids, subjectIDs: ids)
        output.note(String(format: "built the float32 matrix in %.2f s", BenchmarkClock.now() - start))
        var prepared = PreparedMatchers()
        if let cacheDirectory {
            start = BenchmarkClock.now()
            cachePath = try GalleryCache.write(base, directory: cacheDirectory)
            output.note(String(format: "wrote %@ in %.2f s", cachePath ?? "", BenchmarkClock.now() - start))
            base = try GalleryMatrix.empty(dimension: Self.dimension)  // only the loaded copies stay
        }
        for storage in storages {
            var matrix: GalleryMatrix
            start = BenchmarkClock.now()
            if let cacheDirectory {
                let rss = BenchmarkClock.memory("VmRSS")
                matrix = try GalleryCache.load(directory: cacheDirectory, galleryVersion: 1, precision: storage)
                prepared.cacheLoadSeconds[storage] = BenchmarkClock.now() - start
                prepared.cacheLoadRSS[storage] = BenchmarkClock.memory("VmRSS") - rss
                output.note("resident memory grew by \((prepared.cacheLoadRSS[storage] ?? 0) / 1024) MiB with the loaded matrix")
                output.note(String(format: "loaded the cache as %@ in %.3f s", storage.rawValue, BenchmarkClock.now() - start))
            } else {
                matrix = base.converted(to: storage)
                output.note(String(format: "made the %@ copy in %.2f s", storage.rawValue, BenchmarkClock.now() - start))
            }
            output.note("\(storage.rawValue): \(matrix.residentBytes) bytes of matrix in memory (\(String(format: "%.1f", Double(matrix.residentBytes) / Double(gallery))) a row)")
            prepared.matchers.append(Matcher(gallery: matrix, workers: workers))
        }
        return prepared
    }

    /// The FMA peak, measured before, between and after the timed runs; its best counts, as the
    /// kernels' best run does: on a shared machine both are only ever slowed down.
    struct PeakMeter {
        let threads = ProcessInfo.processInfo.activeProcessorCount
        /// GFLOP/s of each measurement (wall clock).
        var peaks: [Double] = []
        /// GFLOP per CPU-second of each measurement: compares kernel and peak loop even when other
        /// processes take turns on the cores (wall-clock rates then mostly measure the load).
        var peaksPerCPUSecond: [Double] = []

        /// Measures the peak once; returns it in GFLOP/s.
        mutating func measure() -> Double {
            let cpu = BenchmarkClock.cpuSeconds(), wall = BenchmarkClock.now()
            let rate = FMAPeakKernel.measure(threads: threads) / 1e9
            peaksPerCPUSecond.append(rate * (BenchmarkClock.now() - wall) / (BenchmarkClock.cpuSeconds() - cpu))
            peaks.append(rate)
            return rate
        }

        var best: Double { peaks.max() ?? 0 }
        var bestPerCPUSecond: Double { peaksPerCPUSecond.max() ?? 0 }
    }

    /// Per matcher: each timed run's wall and CPU seconds, and the last run's matches per probe.
    struct TimedRuns {
        var times: [[Double]]
        var cpuTimes: [[Double]]
        var results: [[[Match]]]
    }

    /// A warm-up search per matcher, then `repeats` rounds in which each matcher searches every
    /// probe in turn, the peak measured after each round.
    func timeSearches(_ matchers: [Matcher], probes probeList: [[Float]], peak: inout PeakMeter,
                      _ output: BenchmarkOutput) throws -> TimedRuns {
        for matcher in matchers { _ = try matcher.search(probeList[0], k: k, threshold: threshold) }  // warm-up
        var runs = TimedRuns(times: .init(repeating: [], count: matchers.count), cpuTimes: .init(repeating: [], count: matchers.count),
                             results: .init(repeating: [], count: matchers.count))
        for run in 0..<repeats {
            for (m, matcher) in matchers.enumerated() {
                let start = BenchmarkClock.now()
                let cpu = BenchmarkClock.cpuSeconds()
                runs.results[m] = probes == 1
                    ? [try matcher.search(probeList[0], k: k, threshold: threshold)]
                    : try matcher.search(probes: probeList, k: k, threshold: threshold)
                let t = BenchmarkClock.now() - start
                runs.times[m].append(t)
                runs.cpuTimes[m].append(BenchmarkClock.cpuSeconds() - cpu)
                output.note(String(format: "run %d %@: %.4f s (%.3f ms per probe)",
                                   run + 1, storages[m].rawValue, t, t * 1000 / Double(probes)))
            }
            output.note(String(format: "FMA peak: %.1f GFLOP/s", peak.measure()))
        }
        return runs
    }

    /// Compares the chosen probes' matches, in every storage, with ``ReferenceScan``'s; prints each
    /// difference. Nothing is checked when ``verify`` is `.none`.
    func verifyResults(_ results: [[[Match]]], rows: [Float], probes probeList: [[Float]],
                       _ output: BenchmarkOutput) throws -> MatchReport.Verification {
        var verification = MatchReport.Verification(verified: 0, failures: 0)
        guard verify != .none else { return verification }
        let chosen = verify == .all || probes <= 16
            ? Array(0..<probes)
            : (0..<16).map { $0 * (probes - 1) / 15 }
        let start = BenchmarkClock.now()
        let reference = ReferenceScan(rows: rows, dimension: Self.dimension)
        for i in chosen {
            let expected = reference.search(probeList[i], k: k, threshold: threshold)
            for m in results.indices where expected != results[m][i] {
                verification.failures += 1
                output.note("verify: \(storages[m].rawValue) probe \(i) differs from the double-precision scan:\n  got      \(results[m][i])\n  expected \(expected)")
            }
            verification.verified += 1
        }
        output.note(String(format: "verified %d probes x %d storages against an independent double-precision scan in %.1f s: %@",
                           verification.verified, results.count, BenchmarkClock.now() - start,
                           verification.failures == 0 ? "all equal" : "\(verification.failures) differ"))
        return verification
    }
}
