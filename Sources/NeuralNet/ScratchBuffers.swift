import Foundation
import Synchronization

/// Per-worker scratch memory for the convolution's packed im2col panels.
///
/// One allocation, 64-byte aligned, cut into `workers` equal slices. Worker `w` of a parallel
/// loop uses only slice `w`, so the slices never alias across threads; that discipline (not a
/// lock) is what makes sharing the instance between workers safe, hence `@unchecked Sendable`.
///
/// It also holds one region all workers share (`shared`, `sharedFloats` long), which one step of
/// a layer fills before its parallel loop and the loop only reads: a stride-2 layer's input split
/// by column parity (``ConvolutionKernel/splitColumns(_:input:rows:into:rowStride:threads:)``).
final class ScratchBuffers: @unchecked Sendable {
    let workers: Int
    let floatsPerWorker: Int
    let sharedFloats: Int
    private let base: UnsafeMutablePointer<Float>
    /// Whether `base` was allocated here (else it belongs to the caller).
    private let owned: Bool

    init(workers: Int, floatsPerWorker: Int, sharedFloats: Int = 0) {
        self.workers = max(workers, 1)
        // Round each slice up to a whole number of cache lines.
        self.floatsPerWorker = (max(floatsPerWorker, 1) + 15) & ~15
        self.sharedFloats = (sharedFloats + 15) & ~15
        let total = self.workers * self.floatsPerWorker + self.sharedFloats
        let raw = UnsafeMutableRawPointer.allocate(byteCount: total * 4, alignment: 64)
        self.base = raw.bindMemory(to: Float.self, capacity: total)
        owned = true
    }

    /// The same buffers in the caller's memory: at least ``requiredFloats(workers:floatsPerWorker:sharedFloats:)``
    /// floats at `memory`, which must outlive this object.
    init(workers: Int, floatsPerWorker: Int, sharedFloats: Int, memory: UnsafeMutablePointer<Float>) {
        self.workers = max(workers, 1)
        self.floatsPerWorker = (max(floatsPerWorker, 1) + 15) & ~15
        self.sharedFloats = (sharedFloats + 15) & ~15
        let misalignment = (Int(bitPattern: memory) / MemoryLayout<Float>.stride) % 16
        self.base = memory + (16 - misalignment) % 16
        owned = false
    }

    /// Floats ``init(workers:floatsPerWorker:sharedFloats:memory:)`` needs (with its alignment).
    static func requiredFloats(workers: Int, floatsPerWorker: Int, sharedFloats: Int) -> Int {
        max(workers, 1) * ((max(floatsPerWorker, 1) + 15) & ~15) + ((sharedFloats + 15) & ~15) + 16
    }

    /// The shared region.
    var shared: UnsafeMutablePointer<Float> { base + workers * floatsPerWorker }

    /// The slice of worker `w`.
    func slice(_ w: Int) -> UnsafeMutablePointer<Float> {
        base + w * floatsPerWorker
    }

    deinit {
        if owned { UnsafeMutableRawPointer(base).deallocate() }
    }
}

/// Runs `body(worker, item)` for every item in `0..<count` on up to `threads` threads, handing
/// out items dynamically so that a slow core (the machine is shared) does not hold the others
/// back. `worker` is in `0..<min(threads, count)` and identifies the calling thread's scratch.
func parallelForEach(count: Int, threads: Int, _ body: @Sendable (_ worker: Int, _ item: Int) -> Void) {
    let workers = min(max(threads, 1), count)
    if workers <= 1 {
        for i in 0..<count { body(0, i) }
        return
    }
    // The next item to hand out: one atomic add per item (no lock).
    let next = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: workers) { w in
        while true {
            let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard i < count else { return }
            body(w, i)
        }
    }
}

/// The number of threads the numeric code uses by default: the active processor count.
public var defaultThreadCount: Int { ProcessInfo.processInfo.activeProcessorCount }
