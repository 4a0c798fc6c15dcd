/// The im2col packing step of the convolution: copies the receptive fields of a strip of
/// consecutive output pixels into the `B` panel layout that ``GEMMKernel`` reads.
///
/// Memory layout it assumes:
///
/// - Input (a *band* of an NCHW plane set): value of channel `ch`, input row `y`, column `x` is
///   `base[ch * channelStride + (y - rowOrigin) * columns + x]`. Rows of the band are contiguous
///   and full width; only rows `0 ..< inputRows` exist, everything else is zero padding, and the
///   caller guarantees that every existing row a strip needs is resident in the band.
/// - Output pixels are numbered row-major within the band of output rows that starts at
///   `firstRow`: pixel `p` is output row `firstRow + p / outputColumns`, column
///   `p % outputColumns`.
/// - Packed strip: `b[k * 24 + n]` for reduction index `k = (ch · kh + ky) · kw + kx` and pixel
///   `n` of the strip; columns past `count` are zero.
///
/// The strip is cut into runs that lie in one output row, so the inner copy loops are
/// contiguous (stride 1) or strided (stride 2) reads of one input row.
enum ConvolutionKernel {
    /// An input band; see the type's documentation.
    struct Band {
        var base: UnsafePointer<Float>
        var channelStride: Int
        var rowOrigin: Int
    }

    /// Packs `count` (≤ 24) output pixels starting at band pixel `firstPixel` into `b`.
    static func packStrip(
        _ g: ConvolutionGeometry, input: Band, firstRow: Int, firstPixel: Int, count: Int,
        into b: UnsafeMutablePointer<Float>
    ) {
        let nr = GEMMKernel.blockColumns
        let depth = g.depth
        if count < nr {
            for k in 0..<depth {
                let d = b + k * nr
                for n in count..<nr { d[n] = 0 }
            }
        }
        let inRows = g.inputRows, inCols = g.inputColumns
        let kh = g.kernelRows, kw = g.kernelColumns, sx = g.strideX
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
                    if iy < 0 || iy >= inRows {
                        for kx in 0..<kw {
                            let dst = b + (kBase + kx) * nr + n0
                            for j in 0..<len { dst[j] = 0 }
                        }
                        continue
                    }
                    let row = plane + (iy - input.rowOrigin) * inCols
                    for kx in 0..<kw {
                        let dst = b + (kBase + kx) * nr + n0
                        let x0 = c0 * sx - g.paddingX + kx
                        // Valid j: 0 <= x0 + j·sx < inCols.
                        let jLo = min(x0 >= 0 ? 0 : (-x0 + sx - 1) / sx, len)
                        let jHi = max(x0 < inCols ? min(len, (inCols - 1 - x0) / sx + 1) : 0, jLo)
                        for j in 0..<jLo { dst[j] = 0 }
                        if sx == 1 {
                            let src = row + x0
                            for j in jLo..<jHi { dst[j] = src[j] }
                        } else {
                            for j in jLo..<jHi { dst[j] = row[x0 + j * sx] }
                        }
                        for j in jHi..<len { dst[j] = 0 }
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
