/// The memory of a ``GalleryMatrix``: descriptors in the panel layout of ``MatchKernel`` and the
/// squared norms, in two aligned allocations.
///
/// It is written only while it is being built (by ``GalleryMatrix`` or ``GalleryCache``, before
/// any other reference to it exists) and only read afterwards; that, not a lock, is what makes
/// sharing it across the threads of a search safe, hence `@unchecked Sendable`.
final class PanelStorage: @unchecked Sendable {
    /// `blocks x dim` panel values (see ``MatchKernel``).
    let panels: UnsafeMutablePointer<SIMD16<Float>>
    /// One value per block: the squared norms of its 16 rows (`+infinity` for padding rows).
    let norms: UnsafeMutablePointer<SIMD16<Float>>
    /// Blocks of 16 rows.
    let blocks: Int
    /// Dimension of a row.
    let dim: Int

    /// Allocates zeroed panels and `+infinity` norms for `blocks` blocks.
    init(blocks: Int, dim: Int) {
        self.blocks = blocks
        self.dim = dim
        panels = .allocate(capacity: max(1, blocks * dim))
        panels.initialize(repeating: SIMD16<Float>(), count: max(1, blocks * dim))
        norms = .allocate(capacity: max(1, blocks))
        norms.initialize(repeating: SIMD16<Float>(repeating: .infinity), count: max(1, blocks))
    }

    /// Allocates without initializing, for ``GalleryCache`` to read the whole file into.
    /// The caller must fill every panel and norm before any search reads them.
    init(uninitializedBlocks blocks: Int, dim: Int) {
        self.blocks = blocks
        self.dim = dim
        panels = .allocate(capacity: max(1, blocks * dim))
        norms = .allocate(capacity: max(1, blocks))
        if blocks == 0 {
            panels.initialize(to: SIMD16<Float>())
            norms.initialize(to: SIMD16<Float>(repeating: .infinity))
        }
    }

    deinit {
        panels.deallocate()
        norms.deallocate()
    }

    /// The panels as floats (`(b * dim + k) * 16 + j` is row `16b + j`, dimension `k`).
    var floats: UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer(panels).assumingMemoryBound(to: Float.self)
    }

    /// Squared norms as floats, one per (padded) row.
    var normFloats: UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer(norms).assumingMemoryBound(to: Float.self)
    }

    /// Bytes of the panels.
    var panelBytes: Int { blocks * dim * MemoryLayout<SIMD16<Float>>.stride }

    /// Bytes of the norms.
    var normBytes: Int { blocks * MemoryLayout<SIMD16<Float>>.stride }

    /// Dimension `k` of row `row`.
    @inline(__always)
    func value(row: Int, k: Int) -> Float {
        floats[((row / MatchKernel.lanes) * dim + k) * MatchKernel.lanes + row % MatchKernel.lanes]
    }
}
