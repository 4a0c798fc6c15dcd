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
        var r = rows.lowerBound
        while r < rows.upperBound {
            // Two output rows at once when possible: eight independent accumulator chains keep both
            // FMA pipes busy (one row's four chains would wait on the FMA latency).
            let pair = r + 1 < rows.upperBound && g.strideY == 1
            let out = output + (r - rows.lowerBound) * outputRowStride
            let out1 = out + outputRowStride
            var c = cLo
            while c + 32 <= cHi {
                if pair {
                    let (s0, s1) = chunkPair(r, column: c, lanes: 4, geometry: g, input: input, weights: weights)
                    store(s0, lanes: 4, count: 32, to: out + c, epilogue: epilogue)
                    store(s1, lanes: 4, count: 32, to: out1 + c, epilogue: epilogue)
                } else {
                    let sums = chunk(r, column: c, lanes: 4, geometry: g, input: input, weights: weights)
                    store(sums, lanes: 4, count: 32, to: out + c, epilogue: epilogue)
                }
                c += 32
            }
            // Then 8 columns at a time, and a last partial chunk if its extra lanes only read
            // readable memory.
            while c < cHi && (c + 8 <= cHi || c + 7 - px + kw - 1 < inCols + input.readableRight) {
                let count = min(8, cHi - c)
                if pair {
                    let (s0, s1) = chunkPair(r, column: c, lanes: 1, geometry: g, input: input, weights: weights)
                    store(s0, lanes: 1, count: count, to: out + c, epilogue: epilogue)
                    store(s1, lanes: 1, count: count, to: out1 + c, epilogue: epilogue)
                } else {
                    let sums = chunk(r, column: c, lanes: 1, geometry: g, input: input, weights: weights)
                    store(sums, lanes: 1, count: count, to: out + c, epilogue: epilogue)
                }
                c += count
            }
            // Borders: one column at a time, with bounds checks.
            for row in r..<(pair ? r + 2 : r + 1) {
                let o = output + (row - rows.lowerBound) * outputRowStride
                for col in Array(0..<cLo) + Array(c..<ow) {
                    o[col] = scalar(row, column: col, geometry: g, input: input, weights: weights, epilogue: epilogue)
                }
            }
            r += pair ? 2 : 1
        }
    }

    /// ``chunk(_:column:lanes:geometry:input:weights:)`` for rows `r` and `r + 1` at once
    /// (vertical stride 1). Input row `iy` is tap row `ky` of row `r` and tap row `ky − 1` of
    /// row `r + 1`, so each input vector is loaded once for both. Walking the input rows upwards
    /// visits each output row's taps in the same `(ch, ky, kx)` order as computing it alone.
    @inline(__always)
    private static func chunkPair(
        _ r: Int, column c: Int, lanes: Int, geometry g: ConvolutionGeometry, input: ConvolutionKernel.Band,
        weights: UnsafePointer<Float>
    ) -> ((SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>), (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)) {
        let kh = g.kernelRows, kw = g.kernelColumns
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var b0 = SIMD8<Float>(), b1 = SIMD8<Float>(), b2 = SIMD8<Float>(), b3 = SIMD8<Float>()
        for ch in 0..<g.inputChannels {
            let plane = input.base + ch * input.channelStride + c - g.paddingX
            for t in 0...kh {
                let iy = r - g.paddingY + t
                guard iy >= 0 && iy < g.inputRows else { continue }
                let src = UnsafeRawPointer(plane + (iy - input.rowOrigin) * input.rowStride)
                let w0 = weights + (ch * kh + t) * kw
                let w1 = w0 - kw
                if t < kh && t > 0 {
                    if lanes == 4 {
                        for kx in 0..<kw {
                            let p = src + 4 * kx
                            let v0 = p.loadUnaligned(as: SIMD8<Float>.self)
                            let v1 = p.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                            let v2 = p.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
                            let v3 = p.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
                            let wa = SIMD8<Float>(repeating: w0[kx])
                            GEMMKernel.madd(&a0, wa, v0)
                            GEMMKernel.madd(&a1, wa, v1)
                            GEMMKernel.madd(&a2, wa, v2)
                            GEMMKernel.madd(&a3, wa, v3)
                            let wb = SIMD8<Float>(repeating: w1[kx])
                            GEMMKernel.madd(&b0, wb, v0)
                            GEMMKernel.madd(&b1, wb, v1)
                            GEMMKernel.madd(&b2, wb, v2)
                            GEMMKernel.madd(&b3, wb, v3)
                        }
                    } else {
                        for kx in 0..<kw {
                            let v = (src + 4 * kx).loadUnaligned(as: SIMD8<Float>.self)
                            GEMMKernel.madd(&a0, SIMD8<Float>(repeating: w0[kx]), v)
                            GEMMKernel.madd(&b0, SIMD8<Float>(repeating: w1[kx]), v)
                        }
                    }
                } else if t < kh {
                    accumulate(&a0, &a1, &a2, &a3, lanes: lanes, src: src, weights: w0, count: kw)
                } else {
                    accumulate(&b0, &b1, &b2, &b3, lanes: lanes, src: src, weights: w1, count: kw)
                }
            }
        }
        return ((a0, a1, a2, a3), (b0, b1, b2, b3))
    }

    /// One input row's taps into one row's accumulators (lanes = 1 or 4).
    @inline(__always)
    private static func accumulate(
        _ a0: inout SIMD8<Float>, _ a1: inout SIMD8<Float>, _ a2: inout SIMD8<Float>, _ a3: inout SIMD8<Float>,
        lanes: Int, src: UnsafeRawPointer, weights w: UnsafePointer<Float>, count kw: Int
    ) {
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
                accumulate(&a0, &a1, &a2, &a3, lanes: lanes, src: src, weights: weights + (ch * kh + ky) * kw, count: kw)
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
