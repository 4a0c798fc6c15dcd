@testable import Benchmarks
import Matching
import Testing

@Suite("MatchReport: the result line of frs bench match")
struct MatchReportTests {
    /// 1,000 rows × 128 × 10 probes = 2.56 MFLOP per run; a median of 1 ms is 2.56 GFLOP/s.
    static func report() -> MatchReport {
        MatchReport(
            gallery: 1000, probes: 10, k: 5, dimension: 128, storage: .float32, workers: 2, repeats: 3,
            medianSeconds: 0.001, bestSeconds: 0.0008, bestCPUSeconds: 0.002, peakGFLOPS: 100, peakGFLOPSPerCPUSecond: 50,
            matrixResidentBytes: 4096, ratio: nil, threshold: nil, cacheLoadSeconds: nil, cacheLoadRSSGrowthKiB: nil,
            verification: nil)
    }

    @Test("rates and fractions from the median, the best run and the best CPU time")
    func arithmetic() {
        #expect(Self.report().flop == 2_560_000)
        #expect(Self.report().jsonLine == """
            {"gallery":1000,"probes":10,"k":5,"seconds":0.001000,"ms_per_probe":0.1000,"storage":"f32","workers":2,"repeat":3,\
            "gflops":2.6,"peak_gflops":100.0,"gflops_best":3.2,"peak_fraction_best":0.032,"peak_fraction":0.026,\
            "gflops_per_cpu_second":1.3,"peak_gflops_per_cpu_second":50.0,"cpu_peak_fraction":0.026,"matrix_resident_bytes":4096}
            """)
    }

    @Test("the optional fields follow in a fixed order")
    func optionalFields() {
        var report = Self.report()
        report.storage = .float16
        report.ratio = (0.5, .float32)
        report.threshold = 0.6
        report.cacheLoadSeconds = 0.25
        report.cacheLoadRSSGrowthKiB = 2048
        report.verification = MatchReport.Verification(verified: 16, failures: 1)
        #expect(report.jsonLine.hasSuffix("""
            "matrix_resident_bytes":4096,"time_ratio":0.500,"ratio_to":"f32","threshold":0.6,"cache_load_seconds":0.2500,\
            "cache_load_rss_growth_kib":2048,"verified":16,"verify_failures":1}
            """))
        #expect(report.jsonLine.contains("\"storage\":\"f16\""))
    }
}
