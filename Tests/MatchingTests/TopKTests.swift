@testable import Matching
import Testing

@Suite struct TopKTests {
    @Test(arguments: [1, 3, 10, 64])
    func keepsTheSmallestByKeyThenRow(capacity: Int) {
        var rng = RandomDescriptors(seed: UInt64(capacity))
        var heap = TopK(capacity: capacity)
        var all: [(Float, Int)] = []
        for row in 0..<500 {
            // Few distinct keys, so ties are common.
            let key = Float(rng.next() % 20) / 4
            all.append((key, row))
            heap.insert(key: key, row: row)
        }
        all.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        let expected = all.prefix(capacity).map { $0.1 }
        #expect(heap.sorted().map(\.row) == expected)
        #expect(heap.isFull)
        #expect(heap.bound == all[capacity - 1].0)
    }

    @Test func mergeEqualsInsertingEverything() {
        var rng = RandomDescriptors(seed: 9)
        var a = TopK(capacity: 7), b = TopK(capacity: 7), whole = TopK(capacity: 7)
        for row in 0..<300 {
            let key = Float(rng.next() % 50)
            if row % 2 == 0 { a.insert(key: key, row: row) } else { b.insert(key: key, row: row) }
            whole.insert(key: key, row: row)
        }
        a.merge(b)
        #expect(a.sorted().map(\.row) == whole.sorted().map(\.row))
    }

    @Test func boundIsInfiniteUntilFull() {
        var heap = TopK(capacity: 2)
        #expect(heap.bound == .infinity)
        heap.insert(key: 3, row: 0)
        #expect(heap.bound == .infinity)
        heap.insert(key: 1, row: 1)
        #expect(heap.bound == 3)
        heap.insert(key: 2, row: 2)
        #expect(heap.bound == 2)
        #expect(heap.sorted().map(\.row) == [1, 2])
    }
}
