/// The hot loops of matching: squared Euclidean distances between probes and gallery rows in
/// float32, and the first, approximate selection of candidates into ``TopK`` heaps.
///
/// ## Memory layout (the "panel" layout every kernel here assumes)
///
/// - The gallery's rows are grouped in blocks of ``lanes`` (16) consecutive rows. The last block
///   is padded with zero rows whose squared norm is `+infinity`, so their distance is `+infinity`
///   and they never pass a comparison; no kernel needs a tail case.
/// - Block `b` is `dim` consecutive `SIMD16<Float>` values ("a panel"): value `k` of block `b`
///   holds dimension `k` of rows `16b ..< 16b + 16`, lane `j` being row `16b + j`. In floats:
///   `G[16b + j][k]` is at `(b * dim + k) * 16 + j`. A panel is `dim * 64` bytes (8 KiB for 128-d).
/// - `norms` holds one `SIMD16<Float>` per block: the rows' squared norms (each the float
///   rounding of a double-precision sum).
/// - Probes are row-major: dimension `k` of probe `i` is `probes[i * dim + k]`.
/// - `dim` is a positive multiple of 4 (checked by ``GalleryMatrix``).
///
/// The distance is `||p||² + ||g||² − 2 p·g`, computed in float. It is only used to choose a
/// short list; ``Matcher`` re-ranks that list in double precision with a proven error margin.
///
/// Instruction set: Package.swift builds this module for x86-64-v3 (AVX2 + FMA) on x86_64, so a
/// `SIMD16<Float>` is two 256-bit registers and `addProduct` is one `vfmadd` per register. The
/// memory-bound one-probe scans use plain `a += b * c` (no gain from FMA there, and no risk of
/// `addProduct` becoming a per-lane library call on a baseline target, see PERF-NOTES); the
/// compute-bound 6-probe tile uses `addProduct`, measured at about 10–25% less CPU time than
/// mul+add (AMD EPYC Zen 3, 100k x 600 probes, one thread: 0.40 vs 0.45–0.7 ms per probe
/// under load; baseline SSE2 build: 1.2 ms).
enum MatchKernel {
    /// Rows per block (the SIMD width of the kernels).
    static let lanes = 16

    /// Probes per tile of the many-probe kernel: 6 probes x 16 rows of accumulators are 12
    /// 256-bit registers, leaving room for the gallery values and the broadcast probe value.
    static let tileProbes = 6

    /// Blocks of gallery rows reused across every probe tile before moving on: 32 panels of
    /// 8 KiB (128-d) are 256 KiB, which stays in a core's L2 cache while the probes stream by.
    static let blockGroup = 32

    /// Offers the 16 distances of one block to a heap; called when at least one lane may pass.
    @inline(__always)
    static func offer(
        _ d2: SIMD16<Float>, block: Int, heap: inout TopK, bound: inout Float, cutoff: Float
    ) {
        let pass = d2 .< SIMD16<Float>(repeating: bound)
        guard any(pass) else { return }
        for j in 0..<lanes where d2[j] < bound {
            heap.insert(key: d2[j], row: block * lanes + j)
            bound = min(cutoff, heap.bound)
        }
    }

    /// Scans `blocks` for one probe, offering every row whose float squared distance is below
    /// `cutoff` (and below the heap's worst entry once full) to `heap`.
    ///
    /// - Parameters:
    ///   - format: how panel values are stored (float32, or float16 widened on load).
    ///   - panels: the gallery in panel layout.
    ///   - norms: one `SIMD16<Float>` of squared row norms per block.
    ///   - dim: the dimension (a multiple of 4).
    ///   - blocks: the range of blocks to scan.
    ///   - probe: `dim` floats.
    ///   - probeNorm: the probe's squared norm.
    ///   - cutoff: candidates must have a float squared distance strictly below this.
    ///   - heap: receives the candidates.
    /// - Complexity: O(blocks.count x 16 x dim); memory-bound for large galleries.
    static func scan<F: PanelFormat>(
        _ format: F.Type,
        panels: UnsafePointer<F.Element>,
        norms: UnsafePointer<SIMD16<Float>>,
        dim: Int,
        blocks: Range<Int>,
        probe: UnsafePointer<Float>,
        probeNorm: Float,
        cutoff: Float,
        heap: inout TopK
    ) {
        var bound = min(cutoff, heap.bound)
        let pn = SIMD16<Float>(repeating: probeNorm)
        for b in blocks {
            let panel = panels + b * dim
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
            var k = 0
            while k < dim {
                a0 += F.load(panel, k) * SIMD16<Float>(repeating: probe[k])
                a1 += F.load(panel, k + 1) * SIMD16<Float>(repeating: probe[k + 1])
                a2 += F.load(panel, k + 2) * SIMD16<Float>(repeating: probe[k + 2])
                a3 += F.load(panel, k + 3) * SIMD16<Float>(repeating: probe[k + 3])
                k += 4
            }
            let dot = (a0 + a1) + (a2 + a3)
            let d2 = (pn + norms[b]) - 2 * dot
            offer(d2, block: b, heap: &heap, bound: &bound, cutoff: cutoff)
        }
    }

    /// Scans `blocks` for many probes at once, GEMM-like: each group of ``blockGroup`` panels is
    /// kept in cache while every tile of ``tileProbes`` probes passes over it, and each panel
    /// value loaded is used for 6 probes.
    ///
    /// - Parameters:
    ///   - panels, norms, dim, blocks: as for ``scan(panels:norms:dim:blocks:probe:probeNorm:cutoff:heap:)``.
    ///   - probes: `probeCount` row-major probes of `dim` floats.
    ///   - probeNorms: the probes' squared norms.
    ///   - probeCount: the number of probes.
    ///   - cutoffs: per probe, the float cutoff.
    ///   - heaps: per probe, the heap of candidates.
    /// - Complexity: O(probeCount x blocks.count x 16 x dim); compute-bound.
    static func scanTiled<F: PanelFormat>(
        _ format: F.Type,
        panels: UnsafePointer<F.Element>,
        norms: UnsafePointer<SIMD16<Float>>,
        dim: Int,
        blocks: Range<Int>,
        probes: UnsafePointer<Float>,
        probeNorms: UnsafePointer<Float>,
        probeCount: Int,
        cutoffs: UnsafePointer<Float>,
        heaps: UnsafeMutablePointer<TopK>
    ) {
        let bounds = UnsafeMutablePointer<Float>.allocate(capacity: probeCount)
        defer { bounds.deallocate() }
        for i in 0..<probeCount { bounds[i] = min(cutoffs[i], heaps[i].bound) }
        let fullTiles = probeCount / tileProbes * tileProbes
        // Probes of each full tile packed k-major: value k of the tile's probe i at
        // `(tile * dim + k) * 6 + i`, so the kernel's 6 broadcasts per k read one 24-byte run.
        let packed = UnsafeMutablePointer<Float>.allocate(capacity: max(1, fullTiles * dim))
        defer { packed.deallocate() }
        for p in 0..<fullTiles {
            let tile = p / tileProbes, i = p % tileProbes
            for k in 0..<dim { packed[(tile * dim + k) * tileProbes + i] = probes[p * dim + k] }
        }

        var groupStart = blocks.lowerBound
        while groupStart < blocks.upperBound {
            let group = groupStart..<min(groupStart + blockGroup, blocks.upperBound)
            var p = 0
            while p < fullTiles {
                tile6(
                    format, panels: panels, norms: norms, dim: dim, blocks: group, packed: packed + p * dim,
                    probeNorms: probeNorms + p, cutoffs: cutoffs + p, heaps: heaps + p, bounds: bounds + p)
                p += tileProbes
            }
            while p < probeCount {
                var bound = bounds[p]
                scanOne(
                    format, panels: panels, norms: norms, dim: dim, blocks: group, probe: probes + p * dim,
                    probeNorm: probeNorms[p], cutoff: cutoffs[p], heap: &heaps[p], bound: &bound)
                bounds[p] = bound
                p += 1
            }
            groupStart = group.upperBound
        }
    }

    /// ``scan(panels:norms:dim:blocks:probe:probeNorm:cutoff:heap:)`` with the bound carried by
    /// the caller (for the leftover probes of ``scanTiled``).
    @inline(__always)
    private static func scanOne<F: PanelFormat>(
        _ format: F.Type,
        panels: UnsafePointer<F.Element>, norms: UnsafePointer<SIMD16<Float>>, dim: Int,
        blocks: Range<Int>, probe: UnsafePointer<Float>, probeNorm: Float, cutoff: Float,
        heap: inout TopK, bound: inout Float
    ) {
        let pn = SIMD16<Float>(repeating: probeNorm)
        for b in blocks {
            let panel = panels + b * dim
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
            var k = 0
            while k < dim {
                a0 += F.load(panel, k) * SIMD16<Float>(repeating: probe[k])
                a1 += F.load(panel, k + 1) * SIMD16<Float>(repeating: probe[k + 1])
                k += 2
            }
            let d2 = (pn + norms[b]) - 2 * (a0 + a1)
            offer(d2, block: b, heap: &heap, bound: &bound, cutoff: cutoff)
        }
    }

    /// 6 probes x 16 rows per panel: 12 accumulator registers (AVX2), one panel load per `k`
    /// shared by the 6 probes, whose values come packed k-major (`packed[k * 6 + i]`); two
    /// values of `k` per iteration to halve the loop's bookkeeping.
    @inline(__always)
    private static func tile6<F: PanelFormat>(
        _ format: F.Type,
        panels: UnsafePointer<F.Element>, norms: UnsafePointer<SIMD16<Float>>, dim: Int,
        blocks: Range<Int>, packed: UnsafePointer<Float>, probeNorms: UnsafePointer<Float>,
        cutoffs: UnsafePointer<Float>, heaps: UnsafeMutablePointer<TopK>, bounds: UnsafeMutablePointer<Float>
    ) {
        for b in blocks {
            let panel = panels + b * dim
            var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>()
            var c3 = SIMD16<Float>(), c4 = SIMD16<Float>(), c5 = SIMD16<Float>()
            var q = packed
            var k = 0
            while k < dim {
                let g = F.load(panel, k)
                c0.addProduct(g, SIMD16<Float>(repeating: q[0]))
                c1.addProduct(g, SIMD16<Float>(repeating: q[1]))
                c2.addProduct(g, SIMD16<Float>(repeating: q[2]))
                c3.addProduct(g, SIMD16<Float>(repeating: q[3]))
                c4.addProduct(g, SIMD16<Float>(repeating: q[4]))
                c5.addProduct(g, SIMD16<Float>(repeating: q[5]))
                let h = F.load(panel, k + 1)
                c0.addProduct(h, SIMD16<Float>(repeating: q[6]))
                c1.addProduct(h, SIMD16<Float>(repeating: q[7]))
                c2.addProduct(h, SIMD16<Float>(repeating: q[8]))
                c3.addProduct(h, SIMD16<Float>(repeating: q[9]))
                c4.addProduct(h, SIMD16<Float>(repeating: q[10]))
                c5.addProduct(h, SIMD16<Float>(repeating: q[11]))
                q += 12
                k += 2
            }
            let gn = norms[b]
            offer((SIMD16(repeating: probeNorms[0]) + gn) - 2 * c0, block: b, heap: &heaps[0], bound: &bounds[0], cutoff: cutoffs[0])
            offer((SIMD16(repeating: probeNorms[1]) + gn) - 2 * c1, block: b, heap: &heaps[1], bound: &bounds[1], cutoff: cutoffs[1])
            offer((SIMD16(repeating: probeNorms[2]) + gn) - 2 * c2, block: b, heap: &heaps[2], bound: &bounds[2], cutoff: cutoffs[2])
            offer((SIMD16(repeating: probeNorms[3]) + gn) - 2 * c3, block: b, heap: &heaps[3], bound: &bounds[3], cutoff: cutoffs[3])
            offer((SIMD16(repeating: probeNorms[4]) + gn) - 2 * c4, block: b, heap: &heaps[4], bound: &bounds[4], cutoff: cutoffs[4])
            offer((SIMD16(repeating: probeNorms[5]) + gn) - 2 * c5, block: b, heap: &heaps[5], bound: &bounds[5], cutoff: cutoffs[5])
        }
    }
}

/// How a kernel reads a panel value: float32 panels as they are, float16 panels widened to float32
/// on load (one `vcvtph2ps` per 8 lanes with x86-64-v3's F16C). Both layouts are the panel layout
/// above with 16 lanes per value; the kernels are generic over this so each is compiled twice.
protocol PanelFormat {
    associatedtype Element
    static func load(_ panel: UnsafePointer<Element>, _ k: Int) -> SIMD16<Float>
}

/// Float32 panels (``PanelStorage``).
enum Float32Panels: PanelFormat {
    @inline(__always)
    static func load(_ panel: UnsafePointer<SIMD16<Float>>, _ k: Int) -> SIMD16<Float> { panel[k] }
}

/// Float16 panels (``HalfPanels``); the widening is exact.
enum Float16Panels: PanelFormat {
    @inline(__always)
    static func load(_ panel: UnsafePointer<SIMD16<Float16>>, _ k: Int) -> SIMD16<Float> {
        let h = panel[k]
        return SIMD16<Float>(lowHalf: SIMD8<Float>(h.lowHalf), highHalf: SIMD8<Float>(h.highHalf))
    }
}
