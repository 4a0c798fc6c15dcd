import Dispatch
import Foundation

/// Exact k-nearest-neighbour search of probe descriptors against a ``GalleryMatrix``.
///
/// How it stays exact: the kernels compute `||p||² + ||g||² − 2 p·g` in float32 and keep a short
/// list of `k + slack` rows per probe. A float32 squared distance differs from the true one by at
/// most `margin = 2 (dim + 16) 2⁻²⁴ (||p||² + max ||g||²)` (a standard dot-product rounding bound,
/// doubled for safety). Every row that can belong to the exact answer has a float squared distance
/// of at most `τ = min(threshold² + margin, kth-float + 2 margin)`. If the short list provably
/// holds every row below `τ` (its worst entry lies above `τ`), its rows are re-ranked by a double
/// precision scan; if not (ties, duplicates), that probe is scanned again collecting every row
/// below `τ`. The result therefore equals ``exactScan(_:k:threshold:)``, ties broken by row.
///
/// ## Compact scans (float16)
/// The kernels scan the gallery's ``ScanPanels`` without knowing their precision; only the copy's
/// quantization bound `ε` and probe scale enter the arithmetic below (both 0 and 1 for float32).
/// A ``ScanPrecision/float16`` gallery is scanned from half-precision values `ĝ` (the row each
/// half panel represents, scale included) instead of the float32 rows `g`. Bound, for a probe `p`:
///
/// 1. Quantization. `p·g − p·ĝ = p·(g − ĝ)`, so by Cauchy–Schwarz `|p·g − p·ĝ| <= ||p|| ε` where
///    `ε >= max over rows of ||g − ĝ||` is measured in double when the half copy is made
///    (``ScanPanels/quantizationError``; exact differences of floats, sqrt rounded up).
/// 2. Float arithmetic. The kernel computes `fl(p'·h)` with `p' = 2^s p` and `h` the halves, which
///    equals `p·ĝ` up to rounding (scaling by `2^s` and widening half to float are exact). The
///    float32 bound above applies with `||ĝ|| <= ||g|| + ε` in place of `||g||`: its error is at
///    most `2 (dim + 16) 2⁻²⁴ (||p||² + (sqrt(max ||g||²) + ε)²)`.
/// 3. The kernel's squared distance `||p||² + ||g||² − 2 fl(p'·h)` uses the exact rows' norms, so
///    it differs from the true `||p − g||²` by at most `margin = 2 ||p|| ε + (the bound of 2)`:
///    twice the dot product error of 1, plus 2. The float32 margin is replaced by this one (with
///    `2 ||p|| ε` rounded up by a factor `1 + 2⁻²⁰`), and everything else above holds unchanged:
///    every row that can be in the answer has a kernel distance within `τ`, and the candidates
///    are re-ranked in double from the float32 rows.
///
/// A bound too small by a factor would miss rows (the tests check that a zeroed `ε` is caught).
///
/// The gallery is split into chunks of blocks across cores with `DispatchQueue.concurrentPerform`;
/// each chunk keeps its own heaps, merged at the end.
public struct Matcher: Sendable {
    /// The gallery searched.
    public let gallery: GalleryMatrix
    /// Parallel width (at least 1): 1 searches on the calling thread only; more splits the
    /// gallery into `workers` to `4 x workers` chunks run by `concurrentPerform` (which uses at
    /// most the machine's processors).
    public let workers: Int

    /// - Parameters:
    ///   - gallery: the gallery to search.
    ///   - workers: parallel chunks; defaults to the active processor count.
    public init(gallery: GalleryMatrix, workers: Int? = nil) {
        self.gallery = gallery
        self.workers = max(1, workers ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Multiplies the float16 quantization bound `ε`; 1 except in the tests that check a bound
    /// too small is caught.
    var quantizationBoundScale = 1.0

    /// Searches one probe.
    ///
    /// - Parameters:
    ///   - probe: a descriptor of the gallery's dimension.
    ///   - k: the most matches returned (at least 1).
    ///   - threshold: only rows at Euclidean distance `<=` this are returned; nil for no limit.
    /// - Returns: at most `k` matches, nearest first (ties by row), ranks from 1.
    /// - Throws: ``MatchingError`` for a probe of the wrong size or a non-finite value, a bad `k`
    ///   or threshold.
    /// - Complexity: O(count x dimension) float operations; memory-bound.
    public func search(_ probe: [Float], k: Int, threshold: Double? = nil) throws(MatchingError) -> [Match] {
        try search(probes: [probe], k: k, threshold: threshold)[0]
    }

    /// Searches many probes at once with the blocked, GEMM-like kernel, which reuses each block
    /// of gallery rows across tiles of probes (for bulk runs).
    ///
    /// - Parameters:
    ///   - probes: descriptors of the gallery's dimension.
    ///   - k: the most matches per probe (at least 1).
    ///   - threshold: only rows at Euclidean distance `<=` this are returned; nil for no limit.
    /// - Returns: for each probe, at most `k` matches, nearest first (ties by row).
    /// - Throws: as ``search(_:k:threshold:)``.
    /// - Complexity: O(probes x count x dimension) float operations; compute-bound.
    public func search(probes: [[Float]], k: Int, threshold: Double? = nil) throws(MatchingError) -> [[Match]] {
        guard k >= 1 else { throw .invalidK(k) }
        if let threshold, !(threshold.isFinite && threshold >= 0) { throw .invalidThreshold(threshold) }
        let dim = gallery.dimension
        for probe in probes {
            guard probe.count == dim else { throw .probeDimension(expected: dim, actual: probe.count) }
            guard probe.allSatisfy(\.isFinite) else { throw .nonFinite(row: -1) }
            guard probe.reduce(0.0, { $0 + Double($1) * Double($1) }) <= GalleryMatrix.maximumSquaredNorm else {
                throw .outOfRange(row: -1)
            }
        }
        if probes.isEmpty { return [] }
        if gallery.count == 0 { return probes.map { _ in [] } }

        // Batches bound the heaps' memory (chunks x batch x short list); each batch streams the
        // gallery once, which costs little next to its batch x rows x dimension products.
        var results: [[Match]] = []
        results.reserveCapacity(probes.count)
        var start = 0
        while start < probes.count {
            let batch = Array(probes[start..<min(start + Self.batchSize, probes.count)])
            let plan = Plan(gallery: gallery, probes: batch, k: k, threshold: threshold, boundScale: quantizationBoundScale)
            let heaps = scanAll(plan: plan)
            results += (0..<batch.count).map { i in finish(plan: plan, index: i, heap: heaps[i]) }
            start += batch.count
        }
        return results
    }

    /// The plain double-precision scan the fast path must equal: every row's distance
    /// `sqrt(Σ (p_k − g_k)²)` in double (summed in order of `k`), ordered by distance then row,
    /// those `<= threshold`, the first `k`. One thread, no SIMD, no float shortcut.
    ///
    /// Used by `frs bench match --verify` and the tests.
    /// - Complexity: O(count x dimension + count x k).
    public func exactScan(_ probe: [Float], k: Int, threshold: Double? = nil) throws(MatchingError) -> [Match] {
        guard k >= 1 else { throw .invalidK(k) }
        guard probe.count == gallery.dimension else {
            throw .probeDimension(expected: gallery.dimension, actual: probe.count)
        }
        // The best k so far, sorted by (d2, row); rows come in increasing order, so a row only
        // enters when strictly nearer than the current k-th.
        var best: [(d2: Double, row: Int)] = []
        probe.withUnsafeBufferPointer { p in
            for row in 0..<gallery.count {
                let d2 = exactSquaredDistance(p.baseAddress!, row: row)
                if best.count == k, d2 >= best[k - 1].d2 { continue }
                let at = best.firstIndex { d2 < $0.d2 } ?? best.count
                best.insert((d2, row), at: at)
                if best.count > k { best.removeLast() }
            }
        }
        return ranked(best, k: k, threshold: threshold)
    }

    // MARK: - Internals

    /// Probes searched together at most (the rest in further batches).
    static let batchSize = 1024

    /// Per-search constants, in buffers the parallel chunks read. Filled in `init` before any
    /// chunk runs and never written afterwards, which is why sharing it is safe (`@unchecked`:
    /// raw pointers are not `Sendable` by themselves).
    private final class Plan: @unchecked Sendable {
        /// Probes row-major.
        let probes: UnsafeMutablePointer<Float>
        /// The probes as the kernels take them: multiplied by the half copy's `2^s` (the same
        /// buffer when that is 1).
        let scanProbes: UnsafeMutablePointer<Float>
        /// Per probe: squared norm (float), the float cutoff for the kernels.
        let norms: UnsafeMutablePointer<Float>
        let cutoffs: UnsafeMutablePointer<Float>
        /// Per probe: the error margin, and the limit `threshold² + margin` used for τ.
        let margins: [Float]
        let limits: [Float]
        let count: Int
        let k: Int
        let threshold: Double?
        /// Short-list capacity.
        let capacity: Int

        init(gallery: GalleryMatrix, probes source: [[Float]], k: Int, threshold: Double?, boundScale: Double) {
            let dim = gallery.dimension
            count = source.count
            self.k = k
            self.threshold = threshold
            capacity = min(gallery.count, k + max(16, k / 2))
            probes = .allocate(capacity: max(1, count * dim))
            norms = .allocate(capacity: max(1, count))
            cutoffs = .allocate(capacity: max(1, count))
            let unit = 1.0 / Double(1 << 24)
            var margins: [Float] = []
            var limits: [Float] = []
            let epsilon = gallery.scan.quantizationError * boundScale
            let scale = gallery.scan.probeScale
            if scale == 1 {
                scanProbes = probes
            } else {
                scanProbes = .allocate(capacity: max(1, count * dim))
            }
            let gMax = (Double(gallery.maxSquaredNorm).squareRoot() + epsilon) * (1 + unit)
            for (i, probe) in source.enumerated() {
                (probes + i * dim).initialize(from: probe, count: dim)
                if scale != 1 { (scanProbes + i * dim).initialize(from: probe.map { $0 * scale }, count: dim) }
                let pn = probe.reduce(0.0) { $0 + Double($1) * Double($1) }
                // See the type's documentation: the float32 bound, plus 2 ||p|| ε for float16.
                let margin = 2 * Double(dim + 16) * unit * (pn + gMax * gMax)
                    + 2 * pn.squareRoot() * epsilon * (1 + 0x1p-20) + 1e-30
                norms[i] = Float(pn)
                margins.append(Float(margin).nextUp)
                if let threshold {
                    let limit = (threshold * threshold) * (1 + 4 * unit) + margin
                    limits.append(Float(limit).nextUp)
                    cutoffs[i] = Float(limit).nextUp.nextUp
                } else {
                    limits.append(.infinity)
                    cutoffs[i] = .infinity
                }
            }
            self.margins = margins
            self.limits = limits
        }

        deinit {
            if scanProbes != probes { scanProbes.deallocate() }
            probes.deallocate()
            norms.deallocate()
            cutoffs.deallocate()
        }

        func probe(_ i: Int, dim: Int) -> UnsafePointer<Float> { UnsafePointer(probes + i * dim) }
        func scanProbe(_ i: Int, dim: Int) -> UnsafePointer<Float> { UnsafePointer(scanProbes + i * dim) }
    }

    /// Written by one chunk each inside `concurrentPerform`: chunk `c` writes only slot `c`, and
    /// the slots are read only after `concurrentPerform` returns, so no lock is needed.
    private final class Slots: @unchecked Sendable {
        let values: UnsafeMutablePointer<[TopK]>
        let count: Int
        init(count: Int) {
            self.count = count
            values = .allocate(capacity: count)
            values.initialize(repeating: [], count: count)
        }
        deinit {
            values.deinitialize(count: count)
            values.deallocate()
        }
    }

    /// Runs the kernels over every chunk and merges the chunks' heaps per probe.
    private func scanAll(plan: Plan) -> [TopK] {
        let storage = gallery.storage
        let scan = gallery.scan
        let blocks = storage.blocks
        let chunks = chunkCount(blocks: blocks)
        let slots = Slots(count: chunks)
        let n = plan.count
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let range = (blocks * c / chunks)..<(blocks * (c + 1) / chunks)
            var heaps = [TopK](repeating: TopK(capacity: plan.capacity), count: n)
            heaps.withUnsafeMutableBufferPointer { h in
                if n == 1 {
                    scan.scan(
                        norms: storage.norms, blocks: range, probe: plan.scanProbes, probeNorm: plan.norms[0],
                        cutoff: plan.cutoffs[0], heap: &h[0])
                } else {
                    scan.scanTiled(
                        norms: storage.norms, blocks: range, probes: plan.scanProbes, probeNorms: plan.norms,
                        probeCount: n, cutoffs: plan.cutoffs, heaps: h.baseAddress!)
                }
            }
            slots.values[c] = heaps
        }
        var merged = slots.values[0]
        for c in 1..<chunks {
            for i in 0..<n { merged[i].merge(slots.values[c][i]) }
        }
        return merged
    }

    /// Chunks of blocks for `concurrentPerform`: at least one per worker, and up to four per
    /// worker when each still has 16 blocks or more; one chunk (no parallelism) for one worker. `concurrentPerform` hands chunks to threads as
    /// they free up, so a thread slowed by other work on the machine does not hold up the others.
    private func chunkCount(blocks: Int) -> Int {
        guard blocks > 0, workers > 1 else { return 1 }
        return min(blocks, max(workers, min(workers * 4, blocks / 16)))
    }

    /// Turns one probe's short list into the exact answer (see the type's documentation).
    private func finish(plan: Plan, index i: Int, heap: TopK) -> [Match] {
        let probe = plan.probe(i, dim: gallery.dimension)
        let sorted = heap.sorted()
        let margin = plan.margins[i]
        var tau = plan.limits[i]
        if sorted.count >= plan.k {
            tau = min(tau, sorted[plan.k - 1].key + 2 * margin)
        }
        var rows = sorted.map(\.row)
        if heap.isFull, heap.count < gallery.count, heap.bound <= tau {
            // The short list may miss rows within τ (ties or a dense cluster): collect them all.
            rows = collect(plan: plan, index: i, below: tau.nextUp)
        }
        let scored = rows.map { (d2: exactSquaredDistance(probe, row: $0), row: $0) }
        return ranked(scored, k: plan.k, threshold: plan.threshold)
    }

    /// Every row whose float squared distance is below `cutoff`, scanned in parallel chunks.
    private func collect(plan: Plan, index i: Int, below cutoff: Float) -> [Int] {
        let storage = gallery.storage
        let scan = gallery.scan
        let blocks = storage.blocks
        let chunks = chunkCount(blocks: blocks)
        let slots = Slots(count: chunks)
        let capacity = gallery.count
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let range = (blocks * c / chunks)..<(blocks * (c + 1) / chunks)
            var heap = TopK(capacity: capacity)
            scan.scan(
                norms: storage.norms, blocks: range, probe: plan.scanProbe(i, dim: storage.dim), probeNorm: plan.norms[i],
                cutoff: cutoff, heap: &heap)
            slots.values[c] = [heap]
        }
        return (0..<chunks).flatMap { slots.values[$0][0].rows }
    }

    /// `Σ (p_k − g_k)²` in double, summed in order of `k` (the reference's exact arithmetic).
    @inline(__always)
    private func exactSquaredDistance(_ probe: UnsafePointer<Float>, row: Int) -> Double {
        let lanes = MatchKernel.lanes
        let dim = gallery.dimension
        // Row `row` in the panel layout: dimension k at base + k * 16.
        let values = UnsafePointer(gallery.storage.floats) + (row / lanes) * dim * lanes + row % lanes
        var sum = 0.0
        for k in 0..<dim {
            let d = Double(probe[k]) - Double(values[k * lanes])
            sum += d * d
        }
        return sum
    }

    /// Sorts by (squared distance, row), keeps those within the threshold, the first `k`, ranked.
    private func ranked(_ rows: [(d2: Double, row: Int)], k: Int, threshold: Double?) -> [Match] {
        let order = rows.sorted { $0.d2 < $1.d2 || ($0.d2 == $1.d2 && $0.row < $1.row) }
        var out: [Match] = []
        for entry in order {
            let distance = entry.d2.squareRoot()
            if let threshold, distance > threshold { break }
            out.append(Match(
                rank: out.count + 1, row: entry.row, faceID: gallery.faceIDs[entry.row],
                subjectID: gallery.subjectIDs[entry.row], distance: distance))
            if out.count == k { break }
        }
        return out
    }
}
