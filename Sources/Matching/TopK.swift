/// A bounded collection of the smallest keys seen so far: a max-heap of at most `capacity`
/// `(key, row)` entries, ordered by key and then by row.
///
/// The matching kernels keep one per probe and chunk. After warm-up almost every candidate is
/// rejected by one SIMD comparison against ``bound``, so inserts are rare and the heap's cost
/// does not matter for throughput; only its correctness does.
///
/// Invariant: every key offered and not held (rejected or evicted) is `>=` the key at the root
/// whenever the heap is full. The exact re-rank in ``Matcher`` relies on it.
struct TopK: Sendable {
    /// The most entries kept.
    let capacity: Int
    /// Heap-ordered keys: `keys[0]` is the largest (the worst kept candidate).
    private(set) var keys: [Float] = []
    /// Rows, parallel to `keys`.
    private(set) var rows: [Int] = []

    /// Creates an empty heap that keeps at most `capacity` entries (at least 1).
    init(capacity: Int) {
        self.capacity = max(1, capacity)
        let reserve = min(self.capacity, 1024)
        keys.reserveCapacity(reserve)
        rows.reserveCapacity(reserve)
    }

    /// The number of entries held.
    var count: Int { keys.count }

    /// True when `capacity` entries are held.
    var isFull: Bool { keys.count == capacity }

    /// A key must be strictly below this to be worth offering: the worst kept key when full,
    /// else +infinity.
    var bound: Float { isFull ? keys[0] : .infinity }

    /// `(key, row)` ordering: the heap keeps the smallest entries by this order.
    @inline(__always)
    private static func above(_ k1: Float, _ r1: Int, _ k2: Float, _ r2: Int) -> Bool {
        k1 > k2 || (k1 == k2 && r1 > r2)
    }

    /// Offers a candidate. When the heap is full it replaces the root if it is smaller than it.
    /// - Complexity: O(log capacity).
    mutating func insert(key: Float, row: Int) {
        if keys.count < capacity {
            keys.append(key)
            rows.append(row)
            siftUp(keys.count - 1)
        } else if TopK.above(keys[0], rows[0], key, row) {
            keys[0] = key
            rows[0] = row
            siftDown(0)
        }
    }

    /// Offers every entry of `other`.
    mutating func merge(_ other: TopK) {
        for i in 0..<other.count { insert(key: other.keys[i], row: other.rows[i]) }
    }

    /// The held entries sorted by ascending `(key, row)`.
    func sorted() -> [(key: Float, row: Int)] {
        zip(keys, rows).map { (key: $0.0, row: $0.1) }.sorted { a, b in TopK.above(b.key, b.row, a.key, a.row) }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard TopK.above(keys[child], rows[child], keys[parent], rows[parent]) else { return }
            keys.swapAt(child, parent)
            rows.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let n = keys.count
        while true {
            let left = 2 * parent + 1
            guard left < n else { return }
            var largest = left
            let right = left + 1
            if right < n, TopK.above(keys[right], rows[right], keys[left], rows[left]) { largest = right }
            guard TopK.above(keys[largest], rows[largest], keys[parent], rows[parent]) else { return }
            keys.swapAt(largest, parent)
            rows.swapAt(largest, parent)
            parent = largest
        }
    }
}
