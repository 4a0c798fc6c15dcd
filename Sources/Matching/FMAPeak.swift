import Dispatch
import Foundation

/// The machine's float32 compute peak as a plain loop sees it, for benchmarks to report a
/// kernel's GFLOP/s against the peak measured in the same run.
///
/// Layout and instructions: each thread keeps 10 independent `SIMD8<Float>` accumulators (ten
/// 256-bit registers with this module's x86-64-v3 target) and applies `acc = acc * m + a` with
/// `addProduct` (one `vfmadd` each, 16 floating-point operations) in a dependency chain per
/// accumulator; 10 chains cover the FMA latency on two pipes. No memory is touched in the loop.
public enum FMAPeak {
    /// Runs the loop on `threads` threads (`concurrentPerform`) for about `iterations` rounds
    /// each and returns GFLOP/s (best of `repeats`).
    public static func measure(threads: Int, iterations: Int = 20_000_000, repeats: Int = 3) -> Double {
        var best = 0.0
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            let sink = Sink(count: threads)
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                sink.values[t] = loop(iterations: iterations, seed: Float(t))
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let flops = Double(threads) * Double(iterations) * 10 * 16
            if sink.total.isFinite { best = max(best, flops / seconds / 1e9) }
        }
        return best
    }

    /// Written by thread `t` at slot `t` only, read after `concurrentPerform` returns.
    private final class Sink: @unchecked Sendable {
        let values: UnsafeMutablePointer<Float>
        let count: Int
        init(count: Int) {
            self.count = count
            values = .allocate(capacity: count)
            values.initialize(repeating: 0, count: count)
        }
        deinit { values.deallocate() }
        var total: Float { (0..<count).reduce(0) { $0 + values[$1] } }
    }

    @inline(never)
    static func loop(iterations: Int, seed: Float) -> Float {
        let m = SIMD8<Float>(repeating: 0.999_999)
        let a = SIMD8<Float>(repeating: 1e-7 * (seed + 1))
        var c0 = SIMD8<Float>(repeating: 1), c1 = c0, c2 = c0, c3 = c0, c4 = c0
        var c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0
        for _ in 0..<iterations {
            c0 = a.addingProduct(c0, m); c1 = a.addingProduct(c1, m)
            c2 = a.addingProduct(c2, m); c3 = a.addingProduct(c3, m)
            c4 = a.addingProduct(c4, m); c5 = a.addingProduct(c5, m)
            c6 = a.addingProduct(c6, m); c7 = a.addingProduct(c7, m)
            c8 = a.addingProduct(c8, m); c9 = a.addingProduct(c9, m)
        }
        let s = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + (c8 + c9)
        return s.sum()
    }
}
