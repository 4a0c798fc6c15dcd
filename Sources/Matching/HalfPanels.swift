import Dispatch

/// The compact scan copy of a float16 ``GalleryMatrix``: every descriptor value rounded to
/// IEEE half precision, in the same panel layout as ``PanelStorage`` (block `b`, dimension `k`
/// is one `SIMD16<Float16>` at `b * dim + k`, lane `j` being row `16b + j`; 4 KiB a block for
/// 128-d, half the float32 bytes). Padding rows are zero (their norms are `+infinity`).
///
/// Values are stored scaled by `2^-scaleExponent` (0 unless a row's norm reaches 32768: larger
/// values could round beyond half precision's range); the kernels multiply the probe by `2^scaleExponent`
/// instead, exactly. ``quantizationError`` bounds, for every row, the Euclidean norm of the
/// difference between the exact row and what the half values represent; ``Matcher`` turns it
/// into the error bound that keeps float16 results exact (see its documentation).
///
/// Written only while being built, read-only afterwards (hence `@unchecked Sendable`).
final class HalfPanels: @unchecked Sendable {
    /// `blocks x dim` half-precision panel values.
    let panels: UnsafeMutablePointer<SIMD16<Float16>>
    let blocks: Int
    let dim: Int
    /// Gallery values are stored multiplied by `2^-scaleExponent`; probes are multiplied by
    /// `2^scaleExponent` (a power of two: exact in float).
    let scaleExponent: Int
    /// An upper bound of `||g − ĝ||` over all rows, `ĝ` being the row the half values represent
    /// (`2^scaleExponent x half`), computed in double and rounded up.
    let quantizationError: Double

    /// Bytes of the panels.
    var panelBytes: Int { blocks * dim * MemoryLayout<SIMD16<Float16>>.stride }

    /// The factor probes are multiplied by.
    var probeScale: Float { Float(sign: .plus, exponent: scaleExponent, significand: 1) }

    /// Takes ownership of filled `panels` (from ``allocate(blocks:dim:)``).
    init(blocks: Int, dim: Int, scaleExponent: Int, quantizationError: Double,
                 panels: UnsafeMutablePointer<SIMD16<Float16>>) {
        self.blocks = blocks
        self.dim = dim
        self.scaleExponent = scaleExponent
        self.quantizationError = quantizationError
        self.panels = panels
    }

    deinit { panels.deallocate() }

    /// The smallest `s >= 0` with `maxAbs x 2^-s < 32768`: every scaled value then rounds to a
    /// finite half (the largest is 65504).
    static func scaleExponent(maxAbs: Float) -> Int {
        var s = 0
        while Double(maxAbs) * Double(sign: .plus, exponent: -s, significand: 1) >= 32768 { s += 1 }
        return s
    }

    /// Rounds the float32 panels `source` (blocks `0..<blocks`) to half precision.
    ///
    /// - Parameters:
    ///   - source: float32 panels.
    ///   - maxAbs: the largest absolute value in the rows (chooses the scale).
    /// - Complexity: O(blocks x 16 x dim), on all processors.
    static func make(blocks: Int, dim: Int, maxAbs: Float, source: UnsafePointer<SIMD16<Float>>) -> HalfPanels {
        let s = scaleExponent(maxAbs: maxAbs)
        let panels = allocate(blocks: blocks, dim: dim)
        let error = convert(blocks: 0..<blocks, dim: dim, scaleExponent: s, source: source, into: panels)
        return HalfPanels(blocks: blocks, dim: dim, scaleExponent: s, quantizationError: error, panels: panels)
    }

    /// Allocates room for `blocks` half panels (uninitialized), for the cache loader to fill
    /// with ``convert(blocks:dim:scaleExponent:source:into:)`` before wrapping them with
    /// ``init(blocks:dim:scaleExponent:quantizationError:panels:)``.
    static func allocate(blocks: Int, dim: Int) -> UnsafeMutablePointer<SIMD16<Float16>> {
        let panels = allocateLarge(SIMD16<Float16>.self, count: max(1, blocks * dim))
        if blocks == 0 { panels.initialize(to: SIMD16<Float16>()) }
        return panels
    }

    /// Converts `blocks` of float32 panels (`source` points at block `blocks.lowerBound`) into
    /// `into` (at the same block index), on all processors; returns the largest row error
    /// `||g − ĝ||` (double, rounded up).
    static func convert(
        blocks: Range<Int>, dim: Int, scaleExponent s: Int, source: UnsafePointer<SIMD16<Float>>,
        into panels: UnsafeMutablePointer<SIMD16<Float16>>
    ) -> Double {
        guard !blocks.isEmpty else { return 0 }
        let down = Float(sign: .plus, exponent: -s, significand: 1)
        let up = Double(sign: .plus, exponent: s, significand: 1)
        let chunks = min(blocks.count, 64)
        let errors = UnsafeMutablePointer<Double>.allocate(capacity: chunks)
        errors.initialize(repeating: 0, count: chunks)
        defer { errors.deallocate() }
        let src = UnsafeSendable(source), dst = UnsafeSendable(panels), err = UnsafeSendable(errors)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = blocks.count * c / chunks, hi = blocks.count * (c + 1) / chunks
            var worst = 0.0
            for b in lo..<hi {
                var sum = SIMD16<Double>()
                for k in 0..<dim {
                    let g = src.pointer[b * dim + k]
                    let h = SIMD16<Float16>(g * down)
                    dst.pointer[(blocks.lowerBound + b) * dim + k] = h
                    // Exact in double: g and h are floats, `up` a power of two.
                    let e = SIMD16<Double>(g) - SIMD16<Double>(SIMD16<Float>(h)) * up
                    sum += e * e
                }
                worst = max(worst, sum.max())
            }
            err.pointer[c] = worst
        }
        var worst = 0.0
        for c in 0..<chunks { worst = max(worst, errors[c]) }
        // sqrt of a double sum of 128 squares: relative error far below 2^-40; 2^-30 covers it.
        return (worst.squareRoot() * (1 + 0x1p-30)).nextUp
    }
}

/// A raw pointer handed to `concurrentPerform` workers that each touch a disjoint part of it.
struct UnsafeSendable<Pointee>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Pointee>
    init(_ pointer: UnsafeMutablePointer<Pointee>) { self.pointer = pointer }
    init(_ pointer: UnsafePointer<Pointee>) { self.pointer = UnsafeMutablePointer(mutating: pointer) }
}
