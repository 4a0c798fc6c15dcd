import Benchmarks

extension CommandContext {
    /// Where `frs bench …` writes: result lines to standard output, progress notes to standard error.
    var benchmarkOutput: BenchmarkOutput {
        BenchmarkOutput(result: { out($0) }, note: { err($0) })
    }
}

extension BenchmarkVerdict {
    /// `frs bench …`'s exit status: 0 when every check passed, 1 otherwise.
    var exitStatus: Int32 { self == .passed ? 0 : 1 }
}
