import FaceEngine
import FaceSearch
import Foundation
import Matching

/// The daemon's face search over a gallery ``GalleryBenchmark`` made, as one daemon process holds
/// it: `frs bench scan`.
///
/// A ``FaceSearcher`` (the face engine loaded, the gallery matrix loaded from its cache file with
/// the scan precision), then one-probe searches of gallery descriptors through the searcher's own
/// candidate path (the version check and the nearest face of each nearest subject). Reports this
/// process's resident memory after the load and after the searches, and the median time of one
/// probe. Run it once per precision in turns (`scripts/bench-gallery.sh` does) so each figure is a
/// fresh process. The result line is JSON.
public struct ScanBenchmark: Sendable {
    /// A directory ``GalleryBenchmark`` made (frs.sqlite and cache/).
    public var directory: String
    /// The panels the matcher scans.
    public var precision: ScanPrecision
    /// One-probe searches timed, each a gallery row's descriptor.
    public var probes: Int
    /// The candidate list per probe.
    public var candidates: Int
    /// The distance limit.
    public var threshold: Double
    /// The model files' directory.
    public var models: String

    public init(directory: String, precision: ScanPrecision, probes: Int, candidates: Int, threshold: Double, models: String) {
        self.directory = directory
        self.precision = precision
        self.probes = probes
        self.candidates = candidates
        self.threshold = threshold
        self.models = models
    }

    /// The gallery's database, which must exist before the benchmark runs.
    public var databasePath: String { directory + "/frs.sqlite" }

    /// Loads the searcher, times the probes, writes the result line; `.failed` when a probe did not
    /// find its own row first.
    public func run(_ output: BenchmarkOutput) throws -> BenchmarkVerdict {
        let rssStart = BenchmarkClock.memory("VmRSS")
        var start = BenchmarkClock.now()
        let (modelFiles, analyzer) = try ModelFiles.verifiedAnalyzer(in: models)
        let searcher = try FaceSearcher(
            analyzer: analyzer, databasePath: databasePath,
            cacheDirectory: directory + "/cache", models: modelFiles, precision: precision)
        let loadSeconds = BenchmarkClock.now() - start
        let rssLoaded = BenchmarkClock.memory("VmRSS")
        // Probes: the first descriptors `frs bench gallery` enrolled (the same generator and seed),
        // each of which finds itself first, at distance 0.
        var random = RandomDescriptors(seed: GalleryBenchmark.seed)
        let values = random.unitVectors(count: probes, dimension: 128)
        let chosen = (0..<probes).map { Array(values[($0 * 128)..<(($0 + 1) * 128)]) }
        let count = searcher.galleryFaces
        var times: [Double] = []
        var misses = 0
        for probe in chosen {
            start = BenchmarkClock.now()
            let found = try searcher.candidates(descriptor: probe, maxCandidates: candidates, threshold: threshold)
            times.append(BenchmarkClock.now() - start)
            if found.first.map({ $0.distance < 1e-6 }) != true { misses += 1 }
        }
        let rssSearched = BenchmarkClock.memory("VmRSS"), peak = BenchmarkClock.memory("VmHWM")
        let sorted = times.sorted()
        let median = sorted[sorted.count / 2]
        output.note(String(
            format: "%@ scan, %d faces: loaded in %.2f s; RSS %d MiB before, %d MiB loaded, %d MiB after %d probes (peak %d MiB); "
                + "one probe: median %.2f ms, best %.2f ms",
            precision.rawValue, count, loadSeconds, rssStart / 1024, rssLoaded / 1024, rssSearched / 1024, probes, peak / 1024,
            median * 1000, sorted[0] * 1000))
        if misses > 0 { output.note("FAIL: \(misses) probes did not find their own row first") }
        output.result(String(
            format: "{\"scan\":\"%@\",\"faces\":%d,\"load_seconds\":%.4f,\"rss_start_kib\":%d,\"rss_loaded_kib\":%d,"
                + "\"rss_searched_kib\":%d,\"rss_peak_kib\":%d,\"probe_ms_median\":%.4f,\"probe_ms_best\":%.4f,\"misses\":%d}",
            precision.rawValue, count, loadSeconds, rssStart, rssLoaded, rssSearched, peak, median * 1000, sorted[0] * 1000, misses))
        return misses == 0 ? .passed : .failed
    }
}
