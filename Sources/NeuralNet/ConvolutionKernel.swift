/// The im2col packing step of the convolution: copies the receptive fields of a strip of up to
/// 24 consecutive output pixels of one output row into the `B` panel layout ``GEMMKernel`` reads.
///
/// Memory layout it assumes:
///
/// - Input (a *band* of an NCHW plane set, see ``Band``): channel `ch`, input row `y`, column `x`
///   is `base[ch * channelStride + (y - rowOrigin) * rowStride + x]`, for `0 ≤ x < inputColumns`.
///   Columns `-marginLeft ..< 0` and `inputColumns ..< inputColumns + zeroRight` exist and hold
///   zeros (so they can stand in for the convolution's zero padding). Only rows
///   `0 ..< inputRows` exist; columns up to `readableRight` past the row may be read but hold
///   arbitrary values (only columns `n ≥ count` of the panel depend on them); the caller guarantees that every row a strip needs is resident.
/// - Packed strip: `b[k * 24 + n]` for reduction index `k = (ch · kh + ky) · kw + kx` and pixel
///   `n` of the strip. Columns `n ≥ count` may hold anything (their results are never stored).
///
/// Fast path: when every tap of the strip's 24 columns lies inside the readable part of the row
/// (data or zero margin), each (ch, ky, kx) is three 8-float SIMD copies (stride 1) or three
/// even-element shuffles of 16-float loads (stride 2). Other strips (at unpadded borders) use a
/// bounds-checked scalar loop.
enum ConvolutionKernel {
    /// An input band; see the type's documentation.
    struct Band {
        var base: UnsafePointer<Float>
        var channelStride: Int
        var rowStride: Int
        var rowOrigin: Int
        /// Readable zero columns left of column 0.
        var marginLeft: Int = 0
        /// Readable zero columns right of the last column.
        var zeroRight: Int = 0
        /// Readable columns (of any value) right of the last column, ≥ `zeroRight`.
        var readableRight: Int = 0
    }

    /// Packs output pixels `c0 ..< c0 + count` (count ≤ 24) of output row `row` into `b`.
    static func packStrip(
        _ g: ConvolutionGeometry, input: Band, row r: Int, column c0: Int, count: Int,
        into b: UnsafeMutablePointer<Float>
    ) {
        let nr = GEMMKernel.blockColumns
        let inRows = g.inputRows, inCols = g.inputColumns
        let kh = g.kernelRows, kw = g.kernelColumns, sx = g.strideX
        let xBase = c0 * sx - g.paddingX
        let fast = simdColumns(g, input: input, column: c0, count: count)
        for ch in 0..<g.inputChannels {
            let plane = input.base + ch * input.channelStride
            for ky in 0..<kh {
                let iy = r * g.strideY - g.paddingY + ky
                let kBase = (ch * kh + ky) * kw
                if iy < 0 || iy >= inRows {
                    for kx in 0..<kw {
                        let dst = UnsafeMutableRawPointer(b + (kBase + kx) * nr)
                        dst.storeBytes(of: SIMD8<Float>(), as: SIMD8<Float>.self)
                        dst.storeBytes(of: SIMD8<Float>(), toByteOffset: 32, as: SIMD8<Float>.self)
                        dst.storeBytes(of: SIMD8<Float>(), toByteOffset: 64, as: SIMD8<Float>.self)
                    }
                    continue
                }
                let row = plane + (iy - input.rowOrigin) * input.rowStride
                if fast {
                    for kx in 0..<kw {
                        let dst = UnsafeMutableRawPointer(b + (kBase + kx) * nr)
                        let src = UnsafeRawPointer(row + xBase + kx)
                        if sx == 1 {
                            dst.storeBytes(of: src.loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                            dst.storeBytes(of: src.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self),
                                           toByteOffset: 32, as: SIMD8<Float>.self)
                            dst.storeBytes(of: src.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self),
                                           toByteOffset: 64, as: SIMD8<Float>.self)
                        } else {
                            dst.storeBytes(of: src.loadUnaligned(as: SIMD16<Float>.self).evenHalf, as: SIMD8<Float>.self)
                            dst.storeBytes(of: src.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self).evenHalf,
                                           toByteOffset: 32, as: SIMD8<Float>.self)
                            dst.storeBytes(of: src.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self).evenHalf,
                                           toByteOffset: 64, as: SIMD8<Float>.self)
                        }
                    }
                    continue
                }
                for kx in 0..<kw {
                    let dst = b + (kBase + kx) * nr
                    let x0 = xBase + kx
                    for j in 0..<count {
                        let x = x0 + j * sx
                        dst[j] = x >= 0 && x < inCols ? row[x] : 0
                    }
                }
            }
        }
    }
}

/// The parity split of one layer step: read-only input; each item (up to 8 rows of one channel)
/// written by one worker.
private struct SplitJob: @unchecked Sendable {
    let input: ConvolutionKernel.Band
    let rows: Range<Int>
    let split: UnsafeMutablePointer<Float>
    let rowStride: Int
}

extension ConvolutionKernel {
    /// Whether the strip of output pixels `c0 ..< c0 + count` can be read with SIMD loads: every
    /// column the 24-pixel loads touch is readable (stride 2 reads one float past its last tap),
    /// and every column a *valid* pixel reads is data or zero margin.
    @inline(__always)
    static func simdColumns(_ g: ConvolutionGeometry, input: Band, column c0: Int, count: Int) -> Bool {
        let nr = GEMMKernel.blockColumns, sx = g.strideX, kw = g.kernelColumns, inCols = g.inputColumns
        let xBase = c0 * sx - g.paddingX
        let simdEnd = xBase + (nr - 1) * sx + kw - 1 + (sx == 2 ? 1 : 0)
        let validEnd = xBase + (count - 1) * sx + kw - 1
        return (sx == 1 || sx == 2) && xBase >= -input.marginLeft
            && simdEnd < inCols + input.readableRight && validEnd < inCols + input.zeroRight
    }

    /// Where the strips of a layer can be read in place by ``GEMMKernel/directBlock(channels:kernelRows:kernelColumns:taps:a:input:channelStride:rowStride:partial:first:last:c:ldc:rows:columns:epilogue:)``:
    /// the band itself (stride 1), or the band's rows split by column parity (stride 2, see
    /// ``splitColumns(_:input:rows:into:rowStride:threads:)``).
    struct InPlaceInput {
        /// Channel `ch`, input row `y` at `base + ch * channelStride + (y - rowOrigin) * rowStride`.
        var base: UnsafePointer<Float>
        var channelStride: Int
        var rowStride: Int
        var rowOrigin: Int
        /// Input rows present: `rowOrigin ..< rowEnd`.
        var rowEnd: Int
        /// Byte offset of tap `kx` from a row and the strip's first column, `kernelColumns` entries.
        var taps: UnsafePointer<Int>
        /// Whether the rows are split by column parity (then column `c` of a strip is at `c`;
        /// otherwise at `c − paddingX`).
        var split: Bool
    }

    /// Byte offsets of the taps of a row: `4 · kx` for stride 1; for a row split by parity into
    /// halves `half` floats apart, tap `kx` of output column `c` is input column `2c + kx`, so
    /// even taps are at `c + kx / 2` of the even half and odd ones at `c + kx / 2` of the odd half.
    static func tapOffsets(kernelColumns kw: Int, splitHalf half: Int?) -> [Int] {
        (0..<kw).map { kx in
            guard let half else { return 4 * kx }
            return 4 * ((kx % 2) * half + kx / 2)
        }
    }

    /// Floats per row of a parity split of rows of `columns` floats: two halves of
    /// `(columns + 1) / 2` floats each, rounded up to 8.
    static func splitRowStride(columns: Int) -> Int {
        2 * (((columns + 1) / 2 + 7) & ~7)
    }

    /// Floats the parity split of `rows` rows of every channel needs, slack for the strips'
    /// reads past the last row included.
    static func splitFloats(_ g: ConvolutionGeometry, rows: Int) -> Int {
        g.inputChannels * rows * splitRowStride(columns: g.inputColumns) + 2 * GEMMKernel.blockColumns + 16
    }

    /// Copies input rows `rows` of every channel of the band into `split` with the even columns
    /// first and the odd columns `rowStride / 2` floats later: channel `ch`, row `y` starts at
    /// `split + (ch * rows.count + y - rows.lowerBound) * rowStride`.
    static func splitColumns(
        _ g: ConvolutionGeometry, input: Band, rows: Range<Int>, into split: UnsafeMutablePointer<Float>,
        rowStride: Int, threads: Int
    ) {
        let columns = g.inputColumns, half = rowStride / 2
        let job = SplitJob(input: input, rows: rows, split: split, rowStride: rowStride)
        // Items of up to 8 rows of one channel: enough of them to share out evenly even when
        // there are only 3 channels.
        let groups = (rows.count + 7) / 8
        parallelForEach(count: g.inputChannels * groups, threads: threads) { _, item in
            let input = job.input
            let ch = item / groups, first = job.rows.lowerBound + (item % groups) * 8
            for y in first..<min(first + 8, job.rows.upperBound) {
                let src = input.base + ch * input.channelStride + (y - input.rowOrigin) * input.rowStride
                let even = job.split + (ch * job.rows.count + y - job.rows.lowerBound) * job.rowStride
                let odd = even + half
                var j = 0
                // 16 source floats give 8 of each parity; reads stay within the readable row,
                // writes within each half.
                while 2 * j + 16 <= columns + input.readableRight && j + 8 <= half {
                    let v = UnsafeRawPointer(src + 2 * j).loadUnaligned(as: SIMD16<Float>.self)
                    UnsafeMutableRawPointer(even + j).storeBytes(of: v.evenHalf, as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(odd + j).storeBytes(of: v.oddHalf, as: SIMD8<Float>.self)
                    j += 8
                }
                while 2 * j < columns {
                    even[j] = src[2 * j]
                    if 2 * j + 1 < columns { odd[j] = src[2 * j + 1] }
                    j += 1
                }
            }
        }
    }

    /// The strip of output pixels `c0 ..< c0 + count` of row `r` in `inPlace`, at its first tap
    /// row and column in channel 0, when every tap row is inside the input and, for stride 1,
    /// ``simdColumns(_:input:column:count:)``. Nil when the strip must be packed.
    @inline(__always)
    static func directStrip(
        _ g: ConvolutionGeometry, band: Band, inPlace: InPlaceInput, row r: Int, column c0: Int, count: Int
    ) -> UnsafePointer<Float>? {
        let iy = r * g.strideY - g.paddingY
        guard iy >= 0, iy + g.kernelRows <= g.inputRows, iy >= inPlace.rowOrigin,
              iy + g.kernelRows <= inPlace.rowEnd else { return nil }
        let rowStart = inPlace.base + (iy - inPlace.rowOrigin) * inPlace.rowStride
        if inPlace.split { return rowStart + c0 }
        guard simdColumns(g, input: band, column: c0, count: count) else { return nil }
        return rowStart + c0 - g.paddingX
    }

    /// Packs `count` (≤ 24) consecutive pixels of a row-major band of output rows, starting at
    /// pixel `firstPixel` of the band that begins at output row `firstRow`; the strip may run
    /// over several (short) rows. Scalar and bounds-checked: used for feature maps narrower
    /// than two strips, where row-aligned strips would leave most of each panel empty.
    static func packLinearStrip(
        _ g: ConvolutionGeometry, input: Band, firstRow: Int, firstPixel: Int, count: Int,
        into b: UnsafeMutablePointer<Float>
    ) {
        let nr = GEMMKernel.blockColumns
        let kh = g.kernelRows, kw = g.kernelColumns, sx = g.strideX
        // When the band's zero margins cover the horizontal padding, every tap of a valid pixel
        // is readable and only rows need checking.
        let marginsCoverPadding = input.marginLeft >= g.paddingX && input.zeroRight >= g.paddingX
        var n0 = 0
        while n0 < count {
            let p = firstPixel + n0
            let r = firstRow + p / g.outputColumns
            let c0 = p % g.outputColumns
            let len = min(count - n0, g.outputColumns - c0)
            for ch in 0..<g.inputChannels {
                let plane = input.base + ch * input.channelStride
                for ky in 0..<kh {
                    let iy = r * g.strideY - g.paddingY + ky
                    let kBase = (ch * kh + ky) * kw
                    let inside = iy >= 0 && iy < g.inputRows
                    let row = plane + (iy - input.rowOrigin) * input.rowStride
                    if !inside {
                        for kx in 0..<kw {
                            let dst = b + (kBase + kx) * nr + n0
                            for j in 0..<len { dst[j] = 0 }
                        }
                        continue
                    }
                    if marginsCoverPadding {
                        for kx in 0..<kw {
                            let dst = b + (kBase + kx) * nr + n0
                            let src = row + c0 * sx - g.paddingX + kx
                            if sx == 1 {
                                for j in 0..<len { dst[j] = src[j] }
                            } else {
                                for j in 0..<len { dst[j] = src[j * sx] }
                            }
                        }
                        continue
                    }
                    for kx in 0..<kw {
                        let dst = b + (kBase + kx) * nr + n0
                        let x0 = c0 * sx - g.paddingX + kx
                        for j in 0..<len {
                            let x = x0 + j * sx
                            dst[j] = inside && x >= 0 && x < g.inputColumns ? row[x] : 0
                        }
                    }
                }
            }
            n0 += len
        }
    }
}

/// The shape arithmetic of one convolution on a given input size.
struct ConvolutionGeometry {
    var inputChannels: Int
    var inputRows: Int
    var inputColumns: Int
    var kernelRows: Int
    var kernelColumns: Int
    var strideY: Int
    var strideX: Int
    var paddingY: Int
    var paddingX: Int
    var outputRows: Int
    var outputColumns: Int

    /// Reduction length `channels · kh · kw`.
    var depth: Int { inputChannels * kernelRows * kernelColumns }

    /// The input rows (clipped to the input) that output rows `rows` read.
    func inputRows(for rows: Range<Int>) -> Range<Int> {
        guard !rows.isEmpty else { return 0..<0 }
        let lo = max(rows.lowerBound * strideY - paddingY, 0)
        let hi = min((rows.upperBound - 1) * strideY - paddingY + kernelRows, inputRows)
        return lo..<max(hi, lo)
    }
}
