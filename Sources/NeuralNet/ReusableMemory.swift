import Foundation
import Synchronization

/// Large float buffers kept between probes, so that the kernel does not hand a worker fresh pages
/// (each one zeroed by the kernel on first touch) for every probe.
///
/// The detector needs, per probe, a tiled pyramid tensor and the convolution chain's row buffers:
/// about 200 MB for a 1280 × 720 frame, which glibc serves with a fresh `mmap` and returns with
/// `munmap` each time (blocks above 32 MB always are). Page faults and kernel page zeroing were
/// 16 % of detection CPU in a bulk run (issue #25). Callers take an array here, use it, and give
/// it back; the next probe of about the same size reuses the pages.
///
/// Policy (what a process keeps between probes): a buffer larger than ``largestBuffer``
/// (192 MiB by default) is never kept: it is freed after its probe, as before. That keeps a
/// 1280 × 720 frame's pyramid (155 MB) and row buffers (about 90 MB), but not the pyramid of a
/// 24 MP photo (detected at a reduced scale of 1500 × 1000: 251 MB) or of a 4 MP photo (663 MB),
/// so one large probe does not pin its memory for the rest of the run. At most ``maximumBytes``
/// are kept in all: ``bytesPerWorker`` (320 MiB by default, one 1280 × 720 probe's set) × the
/// active processors (a bulk run analyses that many probes at once); when over, the smallest buffers go first, so the pool holds the largest
/// recent ones. Memory taken out and not given back (an early return) is simply freed by its
/// array.
///
/// Thread-safe (a mutex around the list).
public final class ReusableMemory: Sendable {
    /// Defaults for ``largestBuffer`` and ``bytesPerWorker`` (see the type's policy).
    public static let defaultLargestBuffer = 192 << 20
    public static let defaultBytesPerWorker = 320 << 20

    /// The process's pool.
    public static let shared = ReusableMemory(largestBuffer: defaultLargestBuffer, bytesPerWorker: defaultBytesPerWorker,
                                              workers: ProcessInfo.processInfo.activeProcessorCount)

    /// Largest buffer kept, in bytes.
    public let largestBuffer: Int
    /// Most bytes kept in all.
    public let maximumBytes: Int
    private let kept: Mutex<[[Float]]>

    public init(largestBuffer: Int, bytesPerWorker: Int, workers: Int) {
        self.largestBuffer = largestBuffer
        maximumBytes = bytesPerWorker * max(workers, 1)
        kept = Mutex([])
    }

    /// A kept array whose capacity is at least `capacity` (the smallest such), as it was given
    /// back; nil if none is kept.
    public func takeKept(capacity: Int) -> [Float]? {
        kept.withLock { list -> [Float]? in
            var best: Int?
            for (i, a) in list.enumerated() where a.capacity >= capacity {
                if best == nil || a.capacity < list[best!].capacity { best = i }
            }
            guard let best else { return nil }
            return list.remove(at: best)
        }
    }

    /// An array of exactly `count` elements with unspecified values (what the last user left;
    /// zero or anything else), from ``takeKept(capacity:)`` or newly allocated.
    public func take(count: Int) -> [Float] {
        guard var array = takeKept(capacity: count) else {
            // Float has no invalid bit patterns: fresh memory may stay as the allocator gave it.
            return [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        }
        if array.count > count {
            array.removeLast(array.count - count)  // keeps the capacity
        } else if array.count < count {
            array.append(contentsOf: repeatElement(0, count: count - array.count))  // within the capacity
        }
        return array
    }

    /// Gives an array back (see the type's policy). The caller must hold no other copy of it, or
    /// the next ``take(count:)`` copies it.
    public func recycle(_ array: [Float]) {
        let bytes = array.capacity * MemoryLayout<Float>.stride
        guard bytes > 0, bytes <= largestBuffer else { return }
        let dropped = kept.withLock { list -> [[Float]] in
            list.append(array)
            var total = list.reduce(0) { $0 + $1.capacity * MemoryLayout<Float>.stride }
            var dropped: [[Float]] = []
            while total > maximumBytes, let smallest = list.indices.min(by: { list[$0].capacity < list[$1].capacity }) {
                total -= list[smallest].capacity * MemoryLayout<Float>.stride
                dropped.append(list.remove(at: smallest))
            }
            return dropped
        }
        _ = dropped  // freed here, outside the lock
    }

    /// Bytes kept now (for tests and benchmarks).
    public var keptBytes: Int {
        kept.withLock { $0.reduce(0) { $0 + $1.capacity * MemoryLayout<Float>.stride } }
    }

    /// Frees everything kept.
    public func removeAll() {
        let all = kept.withLock { list -> [[Float]] in
            defer { list = [] }
            return list
        }
        _ = all
    }
}
