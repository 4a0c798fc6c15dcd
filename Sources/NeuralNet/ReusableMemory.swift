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
/// Policy (what a process keeps between probes): at most ``maximumBytes`` in all, by default
/// ``bytesPerWorker`` (256 MiB) per active processor (a bulk run analyses that many probes at
/// once); a buffer larger than ``bytesPerWorker`` is never kept (a 4 MP photo's 290 MB pyramid is
/// freed after its probe, as before); when over the limit, the smallest buffers go first, so the
/// pool holds the largest recent ones. Memory taken out and not given back (a crash, an early
/// return) is simply freed by its array.
///
/// Thread-safe (a mutex around the list).
public final class ReusableMemory: Sendable {
    /// Default for ``bytesPerWorker``: a 1280 × 720 probe's tensor (about 150 MB) and row buffers
    /// (about 90 MB) fit; a 4 MP probe's pyramid does not.
    public static let defaultBytesPerWorker = 256 << 20

    /// The process's pool.
    public static let shared = ReusableMemory(bytesPerWorker: defaultBytesPerWorker,
                                              workers: ProcessInfo.processInfo.activeProcessorCount)

    /// Largest buffer kept.
    public let bytesPerWorker: Int
    /// Most bytes kept in all.
    public let maximumBytes: Int
    private let kept: Mutex<[[Float]]>

    public init(bytesPerWorker: Int, workers: Int) {
        self.bytesPerWorker = bytesPerWorker
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
        guard bytes > 0, bytes <= bytesPerWorker else { return }
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
