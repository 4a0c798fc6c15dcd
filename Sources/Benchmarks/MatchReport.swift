import Foundation
import Matching

/// One storage's result line of ``MatchBenchmark``: the median and best times, their rates
/// against the FMA peak (wall clock and per CPU-second), and what the run measured besides.
struct MatchReport {
    /// How many probes the verification checked, and how many (probe, storage) pairs differed.
    struct Verification: Equatable {
        var verified: Int
        var failures: Int
    }

    var gallery: Int
    var probes: Int
    var k: Int
    var dimension: Int
    var storage: ScanPrecision
    var workers: Int
    var repeats: Int
    /// The median of the timed runs (wall clock).
    var medianSeconds: Double
    /// The fastest timed run (wall clock).
    var bestSeconds: Double
    /// The timed run with the least CPU time (all threads).
    var bestCPUSeconds: Double
    /// The best measured FMA peak, GFLOP/s.
    var peakGFLOPS: Double
    /// The best measured FMA peak per CPU-second.
    var peakGFLOPSPerCPUSecond: Double
    var matrixResidentBytes: Int
    /// This storage's median over the first storage's, and that storage (for the second and later).
    var ratio: (value: Double, to: ScanPrecision)?
    var threshold: Double?
    var cacheLoadSeconds: Double?
    var cacheLoadRSSGrowthKiB: Int?
    var verification: Verification?

    /// The floating-point operations of one run: a multiply and an add per dimension, row and probe.
    var flop: Double { 2.0 * Double(gallery) * Double(dimension) * Double(probes) }

    /// `{"gallery":N,"probes":B,"k":K,"seconds":S,"ms_per_probe":X,"storage":...,"gflops":...,
    /// "peak_gflops":...,...}`, keys in a fixed order.
    var jsonLine: String {
        let gflops = flop / medianSeconds / 1e9
        let best = flop / bestSeconds / 1e9
        var json = "{\"gallery\":\(gallery),\"probes\":\(probes),\"k\":\(k),"
        json += "\"seconds\":\(String(format: "%.6f", medianSeconds)),\"ms_per_probe\":\(String(format: "%.4f", medianSeconds * 1000 / Double(probes)))"
        json += ",\"storage\":\"\(storage.rawValue)\",\"workers\":\(workers),\"repeat\":\(repeats)"
        json += ",\"gflops\":\(String(format: "%.1f", gflops)),\"peak_gflops\":\(String(format: "%.1f", peakGFLOPS))"
        json += ",\"gflops_best\":\(String(format: "%.1f", best)),\"peak_fraction_best\":\(String(format: "%.3f", best / peakGFLOPS))"
        json += ",\"peak_fraction\":\(String(format: "%.3f", gflops / peakGFLOPS))"
        let cpuRate = flop / bestCPUSeconds / 1e9
        json += ",\"gflops_per_cpu_second\":\(String(format: "%.1f", cpuRate))"
        json += ",\"peak_gflops_per_cpu_second\":\(String(format: "%.1f", peakGFLOPSPerCPUSecond))"
        json += ",\"cpu_peak_fraction\":\(String(format: "%.3f", cpuRate / peakGFLOPSPerCPUSecond))"
        json += ",\"matrix_resident_bytes\":\(matrixResidentBytes)"
        if let ratio { json += ",\"time_ratio\":\(String(format: "%.3f", ratio.value)),\"ratio_to\":\"\(ratio.to.rawValue)\"" }
        if let threshold { json += ",\"threshold\":\(threshold)" }
        if let cacheLoadSeconds { json += ",\"cache_load_seconds\":\(String(format: "%.4f", cacheLoadSeconds))" }
        if let cacheLoadRSSGrowthKiB { json += ",\"cache_load_rss_growth_kib\":\(cacheLoadRSSGrowthKiB)" }
        if let verification { json += ",\"verified\":\(verification.verified),\"verify_failures\":\(verification.failures)" }
        json += "}"
        return json
    }
}
