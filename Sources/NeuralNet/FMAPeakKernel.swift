import Dispatch
import Synchronization
import Foundation

/// The machine's fused multiply-add peak, measured the plain way: per thread, 10 independent
/// `SIMD8<Float>` accumulators (one AVX register each on x86-64-v3, enough to cover the FMA
/// latency on both FMA pipes) updated by `acc += a · b` (fused with `FRS_FMA`, like the
/// convolution kernels' update) in a loop, with no memory traffic.
///
/// Memory layout: none (registers only). Built like the convolution kernels (x86-64-v3, `FRS_FMA`),
/// so the figure is the ceiling those kernels are measured against (`frs bench faces`).
public enum FMAPeakKernel {
    /// Floating-point operations per second (an FMA counts 2 per lane) on `threads` threads, each
    /// running `iterations` steps of the 10-accumulator loop.
    /// - Complexity: `threads · iterations · 160` FLOP.
    public static func measure(threads: Int, iterations: Int = 20_000_000) -> Double {
        let workers = max(threads, 1)
        let start = DispatchTime.now().uptimeNanoseconds
        let sink = SinkValues(count: workers)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            sink.store(w, run(iterations: iterations, seed: Float(w + 1)))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        _ = sink.sum
        return Double(workers) * Double(iterations) * 10 * 8 * 2 / seconds
    }

    /// Floating-point operations per second of processor time (``ProcessCPUClock``) on `threads`
    /// threads: the ceiling for a stage timed in processor seconds, on a machine where other
    /// processes take turns on the cores (wall time then counts their turns too).
    public static func measurePerCPUSecond(threads: Int, iterations: Int = 20_000_000) -> Double {
        let workers = max(threads, 1)
        let start = ProcessCPUClock.seconds()
        let sink = SinkValues(count: workers)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            sink.store(w, run(iterations: iterations, seed: Float(w + 1)))
        }
        let seconds = ProcessCPUClock.seconds() - start
        _ = sink.sum
        return Double(workers) * Double(iterations) * 10 * 8 * 2 / seconds
    }

    @inline(__always)
    static func madd(_ acc: inout SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) {
        #if FRS_FMA
        acc.addProduct(a, b)
        #else
        acc += a * b
        #endif
    }

    /// The loop: 10 chains of dependent FMAs, 8 lanes each.
    @inline(never)
    static func run(iterations: Int, seed: Float) -> Float {
        let a = SIMD8<Float>(repeating: 1e-7 * seed), b = SIMD8<Float>(repeating: 0.5)
        var c0 = SIMD8<Float>(repeating: seed), c1 = c0 + 1, c2 = c0 + 2, c3 = c0 + 3, c4 = c0 + 4
        var c5 = c0 + 5, c6 = c0 + 6, c7 = c0 + 7, c8 = c0 + 8, c9 = c0 + 9
        for _ in 0..<iterations {
            madd(&c0, a, b); madd(&c1, a, b); madd(&c2, a, b)
            madd(&c3, a, b); madd(&c4, a, b); madd(&c5, a, b)
            madd(&c6, a, b); madd(&c7, a, b); madd(&c8, a, b)
            madd(&c9, a, b)
        }
        let s = (c0 + c1 + c2 + c3 + c4) + (c5 + c6 + c7 + c8 + c9)
        return s.sum()
    }
}

/// One result slot per worker, so the optimizer cannot drop the loops (each worker writes its own
/// slot once per run, inside the mutex).
private final class SinkValues: Sendable {
    private let values: Mutex<[Float]>

    init(count: Int) { values = Mutex([Float](repeating: 0, count: count)) }

    func store(_ i: Int, _ v: Float) { values.withLock { $0[i] = v } }

    var sum: Float { values.withLock { $0.reduce(0, +) } }
}

/// The process's processor time (every thread's, user and system), `CLOCK_PROCESS_CPUTIME_ID`.
public enum ProcessCPUClock {
    /// Seconds of processor time used so far.
    public static func seconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
