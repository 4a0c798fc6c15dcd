@testable import NeuralNet
import Testing

@Suite("ReusableMemory")
struct ReusableMemoryTests {
    /// Whether `bytes` is `floats` floats' worth, give or take the allocator's rounding of capacities.
    func about(_ bytes: Int, _ floats: Int) -> Bool { bytes >= floats * 4 && bytes < floats * 4 + 4096 }

    @Test("a given-back array is reused by the next take of at most its capacity, smallest fit first")
    func reuse() {
        let pool = ReusableMemory(largestBuffer: 1 << 20, bytesPerWorker: 1 << 20, workers: 2)
        var big = pool.take(count: 50_000)
        big[0] = 7
        pool.recycle(big)
        pool.recycle([Float](repeating: 1, count: 10_000))
        big = []
        #expect(about(pool.keptBytes, 60_000))
        let small = pool.take(count: 8_000)
        #expect(small.count == 8_000 && small.capacity >= 8_000 && small.capacity < 50_000)
        let again = pool.take(count: 40_000)
        #expect(again.count == 40_000 && again[0] == 7)
        #expect(pool.keptBytes == 0)
        #expect(pool.takeKept(capacity: 1) == nil)
    }

    @Test("buffers over the largest size are not kept; over the total, the smallest go first")
    func limits() {
        let pool = ReusableMemory(largestBuffer: 400_000, bytesPerWorker: 400_000, workers: 2)
        pool.recycle([Float](repeating: 0, count: 100_001))  // 400 004 bytes: too large
        #expect(pool.keptBytes == 0)
        pool.recycle([Float](repeating: 0, count: 90_000))
        pool.recycle([Float](repeating: 0, count: 10_000))
        pool.recycle([Float](repeating: 0, count: 95_000))  // 780 000 bytes of 800 000: all kept
        #expect(about(pool.keptBytes, 195_000))
        pool.recycle([Float](repeating: 0, count: 20_000))  // 860 000 bytes: the 10 000 and 20 000 go
        #expect(about(pool.keptBytes, 185_000))
        pool.removeAll()
        #expect(pool.keptBytes == 0)
    }
}
