import SystemCalls
#if canImport(Glibc)
import Glibc
#endif

/// The exact memory of a ``GalleryMatrix``: float32 descriptors in the panel layout of
/// ``MatchKernel`` and the squared norms, in two aligned allocations — or, for a float16 matrix
/// loaded from a cache file, the panels mapped read-only from that file (see ``mapping``).
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
    /// When the panels are a read-only `mmap` of a cache file: the mapping's start and length
    /// (unmapped on deinit). A matrix that scans a compact copy (``ScanPanels``) touches these
    /// pages only for the few rows it re-ranks, so they cost page cache, not resident memory.
    let mapping: MappedFile?

    /// Allocates zeroed panels and `+infinity` norms for `blocks` blocks.
    init(blocks: Int, dim: Int) {
        self.blocks = blocks
        self.dim = dim
        panels = allocateLarge(SIMD16<Float>.self, count: max(1, blocks * dim))
        panels.initialize(repeating: SIMD16<Float>(), count: max(1, blocks * dim))
        norms = .allocate(capacity: max(1, blocks))
        norms.initialize(repeating: SIMD16<Float>(repeating: .infinity), count: max(1, blocks))
        mapping = nil
    }

    /// Allocates without initializing, for ``GalleryCache`` to read the whole file into.
    /// The caller must fill every panel and norm before any search reads them.
    init(uninitializedBlocks blocks: Int, dim: Int) {
        self.blocks = blocks
        self.dim = dim
        panels = allocateLarge(SIMD16<Float>.self, count: max(1, blocks * dim))
        norms = .allocate(capacity: max(1, blocks))
        if blocks == 0 {
            panels.initialize(to: SIMD16<Float>())
            norms.initialize(to: SIMD16<Float>(repeating: .infinity))
        }
        mapping = nil
    }

    /// Panels inside a mapped file (at `panelOffset`, a multiple of 64), norms allocated
    /// uninitialized for the caller to fill. Takes ownership of the mapping.
    init(mappedBlocks blocks: Int, dim: Int, file: MappedFile, panelOffset: Int) {
        let base = file.base
        self.blocks = blocks
        self.dim = dim
        panels = (base + panelOffset).assumingMemoryBound(to: SIMD16<Float>.self)
        norms = .allocate(capacity: max(1, blocks))
        if blocks == 0 { norms.initialize(to: SIMD16<Float>(repeating: .infinity)) }
        mapping = file
    }

    deinit {
        if mapping == nil { panels.deallocate() }  // a mapped file unmaps itself
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

    /// Bytes this storage keeps in anonymous (resident) memory: the norms, and the panels unless
    /// they are mapped from a file.
    var residentBytes: Int { normBytes + (mapping == nil ? panelBytes : 0) }

    /// The largest finite squared norm (0 when there is none): padding rows are `+infinity`.
    var maxFiniteNorm: Float {
        var largest: Float = 0
        for row in 0..<(blocks * MatchKernel.lanes) where normFloats[row].isFinite {
            largest = max(largest, normFloats[row])
        }
        return largest
    }

    /// Dimension `k` of row `row`.
    @inline(__always)
    func value(row: Int, k: Int) -> Float {
        floats[((row / MatchKernel.lanes) * dim + k) * MatchKernel.lanes + row % MatchKernel.lanes]
    }
}

/// Allocates `count` values for a matrix. Allocations of 8 MiB or more are aligned to 2 MiB and
/// marked `MADV_HUGEPAGE` (Linux): a 512 MB gallery then takes a few hundred page faults instead of
/// 131,072 when it is built, loaded or updated, and its scans miss the TLB far less. Freed with
/// `deallocate()` as usual.
func allocateLarge<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
    let bytes = count * MemoryLayout<T>.stride
    let huge = 2 << 20
    guard bytes >= 8 << 20 else { return .allocate(capacity: count) }
    let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: huge)
    #if os(Linux)
    _ = madvise(raw, bytes, MADV_HUGEPAGE)
    #endif
    return raw.bindMemory(to: T.self, capacity: count)
}
