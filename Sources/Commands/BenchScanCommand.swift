import Foundation
import FaceEngine
import FaceSearch
import Matching

/// `frs bench scan --dir DIR --scan P`: the daemon's face search over a gallery made by
/// `frs bench gallery` in DIR, as one daemon process holds it: a ``FaceSearcher`` (the face engine
/// loaded, the gallery matrix loaded from its cache file with scan precision `P`), then one-probe
/// searches of gallery descriptors through the searcher's own candidate path (the version check
/// and the nearest face of each nearest subject). Reports this process's resident memory after
/// the load and after the searches, and the median time of one probe. Run it once per precision
/// in turns (`scripts/bench-gallery.sh` does) so each figure is a fresh process. Last line JSON.
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
        let databasePath = directory + "/frs.sqlite"
        guard FileManager.default.fileExists(atPath: databasePath) else {
            context.err("frs: \(databasePath) does not exist: run 'frs bench gallery --faces N --dir \(directory)' first")
            return 2
        }
        let rssStart = BenchGalleryCommand.memory("VmRSS")
        var start = BenchGalleryCommand.now()
        let models = try ModelFiles(verifying: context.models)
        let searcher = try FaceSearcher(
            analyzer: try FaceAnalyzer(modelsDirectory: models.directory), databasePath: databasePath,
            cacheDirectory: directory + "/cache", models: models, precision: precision)
        let loadSeconds = BenchGalleryCommand.now() - start
        let rssLoaded = BenchGalleryCommand.memory("VmRSS")
        // Probes: the first descriptors `frs bench gallery` enrolled (the same generator and seed),
        // each of which finds itself first, at distance 0.
        var random = RandomDescriptors(seed: BenchGalleryCommand.seed)
        let values = random.unitVectors(count: probes, dimension: 128)
        let chosen = (0..<probes).map { Array(values[($0 * 128)..<(($0 + 1) * 128)]) }
        let count = searcher.galleryFaces
        var times: [Double] = []
        var misses = 0
        for probe in chosen {
            start = BenchGalleryCommand.now()
            let found = try searcher.candidates(descriptor: probe, maxCandidates: candidates, threshold: threshold)
            times.append(BenchGalleryCommand.now() - start)
            if found.first.map({ $0.distance < 1e-6 }) != true { misses += 1 }
        }
        let rssSearched = BenchGalleryCommand.memory("VmRSS"), peak = BenchGalleryCommand.memory("VmHWM")
        let sorted = times.sorted()
        let median = sorted[sorted.count / 2]
        context.err(String(
            format: "%@ scan, %d faces: loaded in %.2f s; RSS %d MiB before, %d MiB loaded, %d MiB after %d probes (peak %d MiB); "
                + "one probe: median %.2f ms, best %.2f ms",
            precision.rawValue, count, loadSeconds, rssStart / 1024, rssLoaded / 1024, rssSearched / 1024, probes, peak / 1024,
            median * 1000, sorted[0] * 1000))
        if misses > 0 { context.err("FAIL: \(misses) probes did not find their own row first") }
        context.out(String(
            format: "{\"scan\":\"%@\",\"faces\":%d,\"load_seconds\":%.4f,\"rss_start_kib\":%d,\"rss_loaded_kib\":%d,"
                + "\"rss_searched_kib\":%d,\"rss_peak_kib\":%d,\"probe_ms_median\":%.4f,\"probe_ms_best\":%.4f,\"misses\":%d}",
            precision.rawValue, count, loadSeconds, rssStart, rssLoaded, rssSearched, peak, median * 1000, sorted[0] * 1000, misses))
        return misses == 0 ? 0 : 1
    }
}
