/// Which copy of the gallery the kernels scan. Results are exact either way (see ``Matcher``);
/// the precision only changes how much memory a scan reads and keeps resident.
public enum ScanPrecision: String, Sendable, CaseIterable {
    /// The float32 panels themselves (4 bytes a value).
    case float32 = "f32"
    /// A float16 copy (2 bytes a value), with a proven quantization bound and a float32 re-rank.
    case float16 = "f16"

    /// How a copy of this precision is made from float32 panels; nil when the kernels scan the
    /// float32 panels themselves. The one place a precision chooses its panels: ``GalleryMatrix``
    /// and ``GalleryCache`` only ask this (an int8 copy would add a case and a ``ScanCopyMaker``).
    var copyMaker: (any ScanCopyMaker.Type)? {
        switch self {
        case .float32: nil
        case .float16: HalfPanels.Maker.self
        }
    }

    /// The scan panels of this precision for float32 `storage` (a copy unless float32).
    /// - Complexity: O(rows x dimension) for a copy, O(1) otherwise.
    func panels(for storage: PanelStorage) -> any ScanPanels {
        guard let maker = copyMaker else { return Float32Scan(storage: storage) }
        var copy = maker.init(blocks: storage.blocks, dim: storage.dim, maxSquaredNorm: storage.maxFiniteNorm)
        copy.convert(blocks: 0..<storage.blocks, source: storage.panels)
        return copy.finish()
    }
}

/// The panels ``Matcher``'s kernels scan, in one ``ScanPrecision``: the gallery's float32 panels
/// or a compact copy of them in the same panel layout (``MatchKernel``). Each precision is one
/// type, with its own ``PanelFormat``; ``Matcher`` calls ``scan(norms:blocks:probe:probeNorm:cutoff:heap:)``
/// and ``scanTiled(norms:blocks:probes:probeNorms:probeCount:cutoffs:heaps:)`` without knowing which
/// (one dynamic call per chunk of blocks), and each type runs the kernels compiled for its format.
///
/// A copy represents rows `ĝ` that may differ from the exact rows `g`; ``quantizationError``
/// bounds `||g − ĝ||` over all rows, which ``Matcher`` adds to its error margin before it
/// re-ranks the candidates from the float32 rows. Norms are always the exact rows' (the
/// storage's), passed in by the caller.
protocol ScanPanels: Sendable {
    /// How a panel value is stored and widened to float32.
    associatedtype Format: PanelFormat
    /// Which precision this is.
    var precision: ScanPrecision { get }
    /// The panels, `blocks x dim` values of `Format`.
    var scanned: UnsafePointer<Format.Element> { get }
    /// The dimension of a row.
    var dim: Int { get }
    /// An upper bound of `||g − ĝ||` over all rows (0 for the float32 panels themselves).
    var quantizationError: Double { get }
    /// The factor probes are multiplied by before a scan (a power of two: exact).
    var probeScale: Float { get }
    /// Memory this copy keeps beyond the float32 storage (0 for the float32 panels themselves).
    var copyBytes: Int { get }

    /// One probe over `blocks`: ``MatchKernel/scan(_:panels:norms:dim:blocks:probe:probeNorm:cutoff:heap:)``.
    func scan(
        norms: UnsafePointer<SIMD16<Float>>, blocks: Range<Int>, probe: UnsafePointer<Float>, probeNorm: Float,
        cutoff: Float, heap: inout TopK)

    /// Many probes over `blocks`: ``MatchKernel/scanTiled(_:panels:norms:dim:blocks:probes:probeNorms:probeCount:cutoffs:heaps:)``.
    func scanTiled(
        norms: UnsafePointer<SIMD16<Float>>, blocks: Range<Int>, probes: UnsafePointer<Float>,
        probeNorms: UnsafePointer<Float>, probeCount: Int, cutoffs: UnsafePointer<Float>,
        heaps: UnsafeMutablePointer<TopK>)
}

extension ScanPanels {
    func scan(
        norms: UnsafePointer<SIMD16<Float>>, blocks: Range<Int>, probe: UnsafePointer<Float>, probeNorm: Float,
        cutoff: Float, heap: inout TopK
    ) {
        MatchKernel.scan(
            Format.self, panels: scanned, norms: norms, dim: dim, blocks: blocks, probe: probe, probeNorm: probeNorm,
            cutoff: cutoff, heap: &heap)
    }

    func scanTiled(
        norms: UnsafePointer<SIMD16<Float>>, blocks: Range<Int>, probes: UnsafePointer<Float>,
        probeNorms: UnsafePointer<Float>, probeCount: Int, cutoffs: UnsafePointer<Float>,
        heaps: UnsafeMutablePointer<TopK>
    ) {
        MatchKernel.scanTiled(
            Format.self, panels: scanned, norms: norms, dim: dim, blocks: blocks, probes: probes, probeNorms: probeNorms,
            probeCount: probeCount, cutoffs: cutoffs, heaps: heaps)
    }
}

/// Makes a compact scan copy from float32 panels range by range, so that ``GalleryCache`` can
/// convert a mapped file a few megabytes at a time (and drop each range from memory after).
protocol ScanCopyMaker {
    /// Room for `blocks` blocks; `maxSquaredNorm` is the largest squared norm of a real row.
    init(blocks: Int, dim: Int, maxSquaredNorm: Float)
    /// Converts `blocks` of float32 panels (`source` points at block `blocks.lowerBound`).
    mutating func convert(blocks: Range<Int>, source: UnsafePointer<SIMD16<Float>>)
    /// The finished copy (call once, after every block is converted).
    func finish() -> any ScanPanels
}

/// The float32 panels of a ``PanelStorage``, scanned as they are.
struct Float32Scan: ScanPanels {
    typealias Format = Float32Panels
    let storage: PanelStorage

    var precision: ScanPrecision { .float32 }
    var scanned: UnsafePointer<SIMD16<Float>> { UnsafePointer(storage.panels) }
    var dim: Int { storage.dim }
    var quantizationError: Double { 0 }
    var probeScale: Float { 1 }
    var copyBytes: Int { 0 }
}
