import Matching

/// The reference `frs bench match --verify` checks the matcher against: a plain double-precision
/// scan of the row-major descriptors as generated (never the matrix or its panels).
struct ReferenceScan {
    /// The descriptors, row after row.
    var rows: [Float]
    var dimension: Int

    /// `Σ (p_k − g_k)²` in double for every row, ordered by distance then row, those within the
    /// threshold, the first `k`. Face and subject IDs are the row numbers.
    /// - Complexity: O(rows × (dimension + k)).
    func search(_ probe: [Float], k: Int, threshold: Double?) -> [Match] {
        var best: [(d2: Double, row: Int)] = []
        let count = rows.count / dimension
        for row in 0..<count {
            var sum = 0.0
            for j in 0..<dimension {
                let d = Double(probe[j]) - Double(rows[row * dimension + j])
                sum += d * d
            }
            if best.count == k, sum >= best[k - 1].d2 { continue }
            let at = best.firstIndex { sum < $0.d2 } ?? best.count
            best.insert((sum, row), at: at)
            if best.count > k { best.removeLast() }
        }
        var out: [Match] = []
        for entry in best {
            let distance = entry.d2.squareRoot()
            if let threshold, distance > threshold { break }
            out.append(Match(rank: out.count + 1, row: entry.row, faceID: Int64(entry.row), subjectID: Int64(entry.row), distance: distance))
        }
        return out
    }
}
