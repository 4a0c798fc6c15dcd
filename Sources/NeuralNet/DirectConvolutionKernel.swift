/// Direct (im2col-free) convolution for a layer with a single filter and horizontal stride 1,
/// like the detector's final 9 × 9 × 45 → 1 score layer. With one filter, packing im2col panels
/// would cost as much as the multiply itself; here each tap is one broadcast weight times
/// contiguous input, accumulated in registers for 32 output columns at a time.
///
/// Memory layout it assumes:
/// - Input band as in ``ConvolutionKernel``: channel `ch`, input row `y`, column `x` at
///   `base[ch * channelStride + (y - rowOrigin) * inputColumns + x]`; rows outside
///   `0 ..< inputRows` and columns outside `0 ..< inputColumns` are zero padding.
/// - `weights`: the filter's `channels × kh × kw` weights, row-major.
/// - `output`: row-major rows of `outputColumns` floats; `output` points at the first row computed.
enum DirectConvolutionKernel {
    /// Computes output rows `rows` of the single filter into rows of `outputRowStride` floats.
    static func rows(
        _ rows: Range<Int>, geometry g: ConvolutionGeometry, input: ConvolutionKernel.Band,
        weights: UnsafePointer<Float>, epilogue: GEMMKernel.Epilogue, output: UnsafeMutablePointer<Float>,
        outputRowStride: Int
    ) {
        precondition(g.strideX == 1, "the direct kernel needs horizontal stride 1")
        let ow = g.outputColumns, inCols = g.inputColumns, kw = g.kernelColumns, px = g.paddingX
        // Columns whose taps are all data or zero margin: [cLo, cHi).
        let cLo = min(max(px - input.marginLeft, 0), ow)
        let cHi = max(min(ow, inCols + input.zeroRight - kw + 1 + px), cLo)
        for r in rows {
            let out = output + (r - rows.lowerBound) * outputRowStride
            var c = cLo
            while c + 32 <= cHi {
                let sums = chunk(r, column: c, lanes: 4, geometry: g, input: input, weights: weights)
                store(sums, lanes: 4, count: 32, to: out + c, epilogue: epilogue)
                c += 32
            }
            while c + 8 <= cHi {
                let sums = chunk(r, column: c, lanes: 1, geometry: g, input: input, weights: weights)
                store(sums, lanes: 1, count: 8, to: out + c, epilogue: epilogue)
                c += 8
            }
            // A last partial chunk, if its extra lanes only read readable memory.
            if c < cHi && c + 7 - px + kw - 1 < inCols + input.readableRight {
                let sums = chunk(r, column: c, lanes: 1, geometry: g, input: input, weights: weights)
                store(sums, lanes: 1, count: cHi - c, to: out + c, epilogue: epilogue)
                c = cHi
            }
            // Borders: one column at a time, with bounds checks.
            for col in Array(0..<cLo) + Array(c..<ow) {
                out[col] = scalar(r, column: col, geometry: g, input: input, weights: weights, epilogue: epilogue)
            }
        }
    }

    /// Sums for columns `c ..< c + 8·lanes` (lanes = 1 or 4), accumulated over all taps.
    @inline(__always)
    private static func chunk(
        _ r: Int, column c: Int, lanes: Int, geometry g: ConvolutionGeometry, input: ConvolutionKernel.Band,
        weights: UnsafePointer<Float>
    ) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let kh = g.kernelRows, kw = g.kernelColumns
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        for ch in 0..<g.inputChannels {
            for ky in 0..<kh {
                let iy = r * g.strideY - g.paddingY + ky
                guard iy >= 0 && iy < g.inputRows else { continue }
                let src = UnsafeRawPointer(input.base + ch * input.channelStride + (iy - input.rowOrigin) * input.rowStride
                    + c - g.paddingX)
                let w = weights + (ch * kh + ky) * kw
                if lanes == 4 {
                    for kx in 0..<kw {
                        let wv = SIMD8<Float>(repeating: w[kx])
                        let p = src + 4 * kx
                        GEMMKernel.madd(&a0, wv, p.loadUnaligned(as: SIMD8<Float>.self))
                        GEMMKernel.madd(&a1, wv, p.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self))
                        GEMMKernel.madd(&a2, wv, p.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self))
                        GEMMKernel.madd(&a3, wv, p.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self))
                    }
                } else {
                    for kx in 0..<kw {
                        GEMMKernel.madd(&a0, SIMD8<Float>(repeating: w[kx]), (src + 4 * kx).loadUnaligned(as: SIMD8<Float>.self))
                    }
                }
            }
        }
        return (a0, a1, a2, a3)
    }

    @inline(__always)
    private static func store(
        _ sums: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>), lanes: Int, count: Int,
        to out: UnsafeMutablePointer<Float>, epilogue: GEMMKernel.Epilogue
    ) {
        let bias = SIMD8<Float>(repeating: epilogue.bias[0])
        let scale = SIMD8<Float>(repeating: epilogue.scale[0]), shift = SIMD8<Float>(repeating: epilogue.shift[0])
        let all = [sums.0, sums.1, sums.2, sums.3]
        for i in 0..<lanes {
            var v = (all[i] + bias) * scale + shift
            if epilogue.relu { v = v.replacing(with: 0, where: v .< 0) }
            let n = min(count - 8 * i, 8)
            if n == 8 {
                UnsafeMutableRawPointer(out + 8 * i).storeBytes(of: v, as: SIMD8<Float>.self)
            } else {
                for j in 0..<n { out[8 * i + j] = v[j] }
            }
        }
    }

    /// One output column with bounds checks.
    private static func scalar(
        _ r: Int, column col: Int, geometry g: ConvolutionGeometry, input: ConvolutionKernel.Band,
        weights: UnsafePointer<Float>, epilogue: GEMMKernel.Epilogue
    ) -> Float {
        let kh = g.kernelRows, kw = g.kernelColumns
        var sum: Float = 0
        for ch in 0..<g.inputChannels {
            for ky in 0..<kh {
                let iy = r * g.strideY - g.paddingY + ky
                guard iy >= 0 && iy < g.inputRows else { continue }
                let src = input.base + ch * input.channelStride + (iy - input.rowOrigin) * input.rowStride
                let w = weights + (ch * kh + ky) * kw
                for kx in 0..<kw {
                    let x = col - g.paddingX + kx
                    if x >= 0 && x < g.inputColumns { sum += w[kx] * src[x] }
                }
            }
        }
        var v = (sum + epilogue.bias[0]) * epilogue.scale[0] + epilogue.shift[0]
        if epilogue.relu { v = max(v, 0) }
        return v
    }
}
