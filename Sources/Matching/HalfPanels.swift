import Dispatch

/// The float16 scan copy of a gallery (``ScanPrecision/float16``): every descriptor value rounded
/// to IEEE half precision, in the same panel layout as ``PanelStorage`` (block `b`, dimension `k`
/// is one `SIMD16<Float16>` at `b * dim + k`, lane `j` being row `16b + j`; 4 KiB a block for
/// 128-d, half the float32 bytes). Padding rows are zero (their norms are `+infinity`).
///
/// Values are stored scaled by `2^-scaleExponent` (0 unless a row's norm reaches 32768: larger
/// values could round beyond half precision's range); the kernels multiply the probe by `2^scaleExponent`
/// instead, exactly. ``quantizationError`` bounds, for every row, the Euclidean norm of the
/// difference between the exact row and what the half values represent; ``Matcher`` turns it
/// into the error bound that keeps float16 results exact (see its documentation).
///
/// Made by a ``Maker`` and only read afterwards (hence `@unchecked Sendable`).
final class HalfPanels: ScanPanels, @unchecked Sendable {
    typealias Format = Float16Panels
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

    var precision: ScanPrecision { .float16 }
    var scanned: UnsafePointer<SIMD16<Float16>> { UnsafePointer(panels) }

    /// Bytes of the panels.
    var copyBytes: Int { blocks * dim * MemoryLayout<SIMD16<Float16>>.stride }

    /// The factor probes are multiplied by.
    var probeScale: Float { Float(sign: .plus, exponent: scaleExponent, significand: 1) }

    private init(maker: Maker) {
        blocks = maker.blocks
        dim = maker.dim
        scaleExponent = maker.scaleExponent
        quantizationError = (maker.worst.squareRoot() * (1 + 0x1p-30)).nextUp
        panels = maker.panels.pointer
    }

    deinit { panels.deallocate() }

    /// The smallest `s >= 0` with `maxAbs x 2^-s < 32768`: every scaled value then rounds to a
    /// finite half (the largest is 65504).
    static func scaleExponent(maxAbs: Float) -> Int {
        var s = 0
        while Double(maxAbs) * Double(sign: .plus, exponent: -s, significand: 1) >= 32768 { s += 1 }
        return s
    }

    /// Rounds float32 panels to half precision range by range (see ``ScanCopyMaker``).
    struct Maker: ScanCopyMaker {
        let blocks: Int
        let dim: Int
        let scaleExponent: Int
        /// Owned until ``finish()`` hands it to the ``HalfPanels``.
        let panels: UnsafeSendable<SIMD16<Float16>>
        /// The largest squared row error so far.
        var worst = 0.0

        init(blocks: Int, dim: Int, maxSquaredNorm: Float) {
            self.blocks = blocks
            self.dim = dim
            // |v| <= ||row|| <= sqrt(max norm): a cheap bound for the scale, no extra pass.
            scaleExponent = HalfPanels.scaleExponent(maxAbs: maxSquaredNorm.squareRoot().nextUp)
            let pointer = allocateLarge(SIMD16<Float16>.self, count: max(1, blocks * dim))
            if blocks == 0 { pointer.initialize(to: SIMD16<Float16>()) }
            panels = UnsafeSendable(pointer)
        }

        /// Converts on all processors and keeps the largest squared row error `||g − ĝ||²`.
        /// - Complexity: O(blocks.count x 16 x dim).
        mutating func convert(blocks: Range<Int>, source: UnsafePointer<SIMD16<Float>>) {
            guard !blocks.isEmpty else { return }
            let dim = self.dim
            let down = Float(sign: .plus, exponent: -scaleExponent, significand: 1)
            let up = Double(sign: .plus, exponent: scaleExponent, significand: 1)
            let chunks = min(blocks.count, 64)
            let errors = UnsafeMutablePointer<Double>.allocate(capacity: chunks)
            errors.initialize(repeating: 0, count: chunks)
            defer { errors.deallocate() }
            let src = UnsafeSendable(source), dst = panels, err = UnsafeSendable(errors)
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
            for c in 0..<chunks { worst = max(worst, errors[c]) }
        }

        /// The copy; its ``quantizationError`` is the square root of the worst squared error,
        /// rounded up (sqrt of a double sum of 128 squares: relative error far below 2^-40; 2^-30
        /// covers it).
        func finish() -> any ScanPanels { HalfPanels(maker: self) }
    }
}

/// A raw pointer handed to `concurrentPerform` workers that each touch a disjoint part of it.
struct UnsafeSendable<Pointee>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Pointee>
    init(_ pointer: UnsafeMutablePointer<Pointee>) { self.pointer = pointer }
    init(_ pointer: UnsafePointer<Pointee>) { self.pointer = UnsafeMutablePointer(mutating: pointer) }
}
