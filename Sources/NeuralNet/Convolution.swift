/// A 2-D convolution with bias (dlib `con_`), optionally fused with the per-channel affine map
/// and the rectifier that follow it.
///
/// `out[n,f,r,c] = bias[f] + Σ_k Σ_y Σ_x W[f,k,y,x] · in[n,k, r·strideY − padY + y, c·strideX − padX + x]`,
/// with zeros outside the input. Output size is `1 + (H + 2·padY − kh) / strideY` (integer
/// division), likewise for columns. When fused, each output becomes
/// `max?((conv + bias) · gamma[f] + beta[f], 0)`, the same operations in the same order as
/// dlib's separate layers.
///
/// The computation is a register-blocked GEMM (``GEMMKernel``) over strips of 24 output pixels.
/// Where it can, a strip's taps are read from the input where they lie: straight from the rows
/// at stride 1, from a copy of the rows split by column parity at stride 2 (each tap of 24
/// pixels is then 24 consecutive floats either way). Other strips (at borders, narrow maps,
/// stride-2 layers with few filters per input value) are packed first by a banded im2col
/// (``ConvolutionKernel``) into small per-thread panels, never the whole im2col matrix. Both
/// paths add the products in the same order with the same operations: the same bits.
public struct Convolution: Sendable {
    public let filterCount: Int
    public let inputChannels: Int
    public let kernelRows: Int
    public let kernelColumns: Int
    public let strideY: Int
    public let strideX: Int
    public let paddingY: Int
    public let paddingX: Int
    /// `filterCount × inputChannels × kernelRows × kernelColumns` weights, row-major (dlib's layout).
    public let weights: [Float]
    /// One bias per filter.
    public let bias: [Float]
    /// Per-filter scale of the fused affine map (all 1 when none).
    public let scale: [Float]
    /// Per-filter offset of the fused affine map (all 0 when none).
    public let shift: [Float]
    /// Whether the fused rectifier is applied.
    public let appliesReLU: Bool
    /// Weights in ``GEMMKernel``'s `A` layout: blocks of 4 filters, `[block][k][4]`, zero-padded.
    let packedWeights: [Float]

    /// - Precondition: positive sizes and strides, non-negative padding,
    ///   `weights.count == filterCount * inputChannels * kernelRows * kernelColumns`,
    ///   `bias.count == filterCount`.
    public init(
        filterCount: Int, inputChannels: Int, kernelRows: Int, kernelColumns: Int,
        strideY: Int = 1, strideX: Int = 1, paddingY: Int = 0, paddingX: Int = 0,
        weights: [Float], bias: [Float]
    ) {
        self.init(filterCount: filterCount, inputChannels: inputChannels, kernelRows: kernelRows,
                  kernelColumns: kernelColumns, strideY: strideY, strideX: strideX, paddingY: paddingY,
                  paddingX: paddingX, weights: weights, bias: bias,
                  scale: [Float](repeating: 1, count: filterCount), shift: [Float](repeating: 0, count: filterCount),
                  relu: false, packedWeights: nil)
    }

    private init(
        filterCount: Int, inputChannels: Int, kernelRows: Int, kernelColumns: Int,
        strideY: Int, strideX: Int, paddingY: Int, paddingX: Int,
        weights: [Float], bias: [Float], scale: [Float], shift: [Float], relu: Bool, packedWeights: [Float]?
    ) {
        precondition(filterCount > 0 && inputChannels > 0 && kernelRows > 0 && kernelColumns > 0, "bad convolution size")
        precondition(strideY > 0 && strideX > 0 && paddingY >= 0 && paddingX >= 0, "bad convolution stride or padding")
        let depth = inputChannels * kernelRows * kernelColumns
        precondition(weights.count == filterCount * depth, "convolution weight count does not match its shape")
        precondition(bias.count == filterCount && scale.count == filterCount && shift.count == filterCount,
                     "convolution bias count does not match its filter count")
        self.filterCount = filterCount
        self.inputChannels = inputChannels
        self.kernelRows = kernelRows
        self.kernelColumns = kernelColumns
        self.strideY = strideY
        self.strideX = strideX
        self.paddingY = paddingY
        self.paddingX = paddingX
        self.weights = weights
        self.bias = bias
        self.scale = scale
        self.shift = shift
        self.appliesReLU = relu
        if let packedWeights {
            self.packedWeights = packedWeights
            return
        }
        let mr = GEMMKernel.blockRows
        let blocks = (filterCount + mr - 1) / mr
        var packed = [Float](repeating: 0, count: blocks * depth * mr)
        for f in 0..<filterCount {
            let blockBase = (f / mr) * depth * mr + f % mr
            for k in 0..<depth { packed[blockBase + k * mr] = weights[f * depth + k] }
        }
        self.packedWeights = packed
    }

    /// This convolution followed by `affine` (per filter) and, if `relu`, the rectifier.
    /// - Precondition: `affine.channels == filterCount`; nothing is fused yet.
    public func fused(with affine: Affine?, relu: Bool) -> Convolution {
        precondition(!appliesReLU && scale.allSatisfy { $0 == 1 } && shift.allSatisfy { $0 == 0 }, "convolution is already fused")
        if let affine { precondition(affine.channels == filterCount, "affine channel count differs from the filter count") }
        return Convolution(filterCount: filterCount, inputChannels: inputChannels, kernelRows: kernelRows,
                           kernelColumns: kernelColumns, strideY: strideY, strideX: strideX, paddingY: paddingY,
                           paddingX: paddingX, weights: weights, bias: bias,
                           scale: affine?.gamma ?? scale, shift: affine?.beta ?? shift, relu: relu,
                           packedWeights: packedWeights)
    }

    /// Output plane size for an input plane of `rows × columns` (0 when the kernel does not fit).
    public func outputSize(rows: Int, columns: Int) -> (rows: Int, columns: Int) {
        let h = rows + 2 * paddingY - kernelRows, w = columns + 2 * paddingX - kernelColumns
        guard h >= 0, w >= 0 else { return (0, 0) }
        return (1 + h / strideY, 1 + w / strideX)
    }

    func geometry(rows: Int, columns: Int) -> ConvolutionGeometry {
        let (oh, ow) = outputSize(rows: rows, columns: columns)
        return ConvolutionGeometry(inputChannels: inputChannels, inputRows: rows, inputColumns: columns,
                                   kernelRows: kernelRows, kernelColumns: kernelColumns, strideY: strideY,
                                   strideX: strideX, paddingY: paddingY, paddingX: paddingX,
                                   outputRows: oh, outputColumns: ow)
    }

    /// Applies the (fused) convolution to every sample of `x`.
    /// - Parameters:
    ///   - x: input, `x.channels == inputChannels`.
    ///   - threads: threads to split each sample's output over (1 = run on the caller's thread).
    /// - Complexity: O(N · F · C · kh · kw · OH · OW).
    public func forward(_ x: Tensor, threads: Int = defaultThreadCount) -> Tensor {
        precondition(x.channels == inputChannels, "convolution expects \(inputChannels) channels, got \(x.channels)")
        let g = geometry(rows: x.rows, columns: x.columns)
        var y = Tensor(samples: x.samples, channels: filterCount, rows: g.outputRows, columns: g.outputColumns)
        guard g.outputRows > 0, g.outputColumns > 0 else { return y }
        let scratch = ScratchBuffers(workers: threads, floatsPerWorker: scratchFloats(geometry: g),
                                     sharedFloats: sharedFloats(geometry: g, rows: g.outputRows))
        let outSample = y.sampleSize, outPlane = y.planeSize
        // Each sample is copied into rows with zero margins as wide as the padding (plus slack at
        // the end), so the packing kernel's SIMD fast path applies at the borders too.
        let margin = paddingX, slack = 256
        let rowStride = x.columns + 2 * margin
        let padded = UnsafeMutablePointer<Float>.allocate(capacity: x.channels * x.rows * rowStride + slack)
        if margin == 0 {
            (padded + x.channels * x.rows * rowStride).initialize(repeating: 0, count: slack)
        } else {
            padded.initialize(repeating: 0, count: x.channels * x.rows * rowStride + slack)
        }
        defer { padded.deallocate() }
        x.values.withUnsafeBufferPointer { src in
            y.values.withUnsafeMutableBufferPointer { dst in
                for n in 0..<x.samples {
                    for plane in 0..<x.channels * x.rows {
                        (padded + plane * rowStride + margin).initialize(from: src.baseAddress! + n * x.sampleSize + plane * x.columns,
                                                                     count: x.columns)
                    }
                    let band = ConvolutionKernel.Band(base: padded + margin, channelStride: x.rows * rowStride,
                                                      rowStride: rowStride, rowOrigin: 0, marginLeft: margin,
                                                      zeroRight: margin, readableRight: margin + slack / 2)
                    let planes = OutputPlanes(base: dst.baseAddress! + n * outSample, channelStride: outPlane,
                                              rowStride: g.outputColumns, rowOrigin: 0)
                    forwardRows(0..<g.outputRows, geometry: g, input: band, output: planes, scratch: scratch,
                                threads: threads)
                }
            }
        }
        return y
    }

    // MARK: - Banded execution

    /// Where output rows go: filter `f`, row `r`, column `c` at
    /// `base[f * channelStride + (r - rowOrigin) * rowStride + c]`.
    struct OutputPlanes {
        var base: UnsafeMutablePointer<Float>
        var channelStride: Int
        var rowStride: Int
        var rowOrigin: Int
    }

    /// Target size of one worker's packed panel: about half of a 512 KiB L2 cache.
    private static let panelBytes = 256 * 1024

    /// Strips of 24 pixels packed together and multiplied by every filter block; for a stride-2
    /// layer read in place, ``inPlaceTileFactor`` times as many.
    func stripsPerTile(geometry g: ConvolutionGeometry) -> Int {
        let packed = max(1, Self.panelBytes / (g.depth * GEMMKernel.blockColumns * 4))
        return readsInPlace(geometry: g) && g.strideX == 2 ? packed * Self.inPlaceTileFactor : packed
    }

    /// How many times more strips a tile of a stride-2 layer read in place holds. Its strips are
    /// computed a filter block at a time over the whole tile (the block's weights stay in L1), so
    /// more strips per tile read the weights fewer times; the panel memory only holds their
    /// running sums and any packed strips.
    static let inPlaceTileFactor = 4

    /// Whether this layer uses ``DirectConvolutionKernel`` instead of im2col + GEMM.
    var usesDirectKernel: Bool { filterCount == 1 && strideX == 1 }

    /// Scratch floats one worker needs for this geometry.
    func scratchFloats(geometry g: ConvolutionGeometry) -> Int {
        usesDirectKernel ? 0 : stripsPerTile(geometry: g) * g.depth * GEMMKernel.blockColumns
    }

    /// Whether strips are read from the input in place (see ``ConvolutionKernel/InPlaceInput``)
    /// rather than packed: a multi-filter layer of stride 1, or of stride 2 without horizontal
    /// padding whose every input value takes part in at least ``splitMinimumUses`` multiply-adds
    /// (the parity split is one more pass over the input: the detector's first layer, 16 filters
    /// of 5 × 5 at stride 2, 100 uses, ran slower with it).
    func readsInPlace(geometry g: ConvolutionGeometry) -> Bool {
        guard !usesDirectKernel else { return false }
        if g.strideX == 1 { return true }
        return g.strideX == 2 && g.paddingX == 0
            && filterCount * kernelRows * kernelColumns / (strideX * strideY) >= Self.splitMinimumUses
    }

    /// See ``readsInPlace(geometry:)``.
    static let splitMinimumUses = 128

    /// Shared scratch floats (see ``ScratchBuffers``) for computing up to `rows` output rows at
    /// once: the parity split of their input rows for a stride-2 layer read in place.
    func sharedFloats(geometry g: ConvolutionGeometry, rows: Int) -> Int {
        guard readsInPlace(geometry: g), g.strideX == 2, rows > 0 else { return 0 }
        return ConvolutionKernel.splitFloats(g, rows: g.inputRows(for: 0..<min(rows, g.outputRows)).count)
    }

    /// Computes output rows `rows` of one sample from a band of its input.
    ///
    /// - Parameters:
    ///   - rows: output rows to compute; the input band must hold `geometry.inputRows(for: rows)`.
    ///   - input: the band (see ``ConvolutionKernel``).
    ///   - output: where the rows go.
    ///   - scratch: per-worker buffers of at least ``scratchFloats(geometry:)`` floats.
    func forwardRows(
        _ rows: Range<Int>, geometry g: ConvolutionGeometry, input: ConvolutionKernel.Band, output: OutputPlanes,
        scratch: ScratchBuffers, threads: Int
    ) {
        guard !rows.isEmpty, g.outputColumns > 0 else { return }
        weights.withUnsafeBufferPointer { w in
            packedWeights.withUnsafeBufferPointer { a in
                bias.withUnsafeBufferPointer { b in
                    scale.withUnsafeBufferPointer { sc in
                        shift.withUnsafeBufferPointer { sh in
                            let epilogue = GEMMKernel.Epilogue(bias: b.baseAddress!, scale: sc.baseAddress!,
                                                               shift: sh.baseAddress!, relu: appliesReLU)
                            if usesDirectKernel {
                                let job = DirectConvolutionJob(geometry: g, input: input, rows: rows,
                                                               weights: w.baseAddress!, epilogue: epilogue, output: output)
                                let groups = (rows.count + 1) / 2
                                parallelForEach(count: groups, threads: threads) { _, group in job.run(group: group) }
                                return
                            }
                            let perTile = stripsPerTile(geometry: g)
                            precondition(scratch.floatsPerWorker >= perTile * g.depth * GEMMKernel.blockColumns,
                                         "scratch buffer too small")
                            let nr = GEMMKernel.blockColumns
                            // Narrow maps (the face net's 17×17 … 1×1) pack strips that run over
                            // several rows; wide ones use row-aligned strips and the SIMD packer.
                            let linear = g.outputColumns < 2 * nr && output.rowStride == g.outputColumns
                            let stripsPerRow = (g.outputColumns + nr - 1) / nr
                            let strips = linear ? (rows.count * g.outputColumns + nr - 1) / nr : rows.count * stripsPerRow
                            let inPlace = !linear && readsInPlace(geometry: g)
                            let split = inPlace && g.strideX == 2
                            let splitRows = g.inputRows(for: rows)
                            let splitStride = ConvolutionKernel.splitRowStride(columns: g.inputColumns)
                            if split {
                                precondition(scratch.sharedFloats >= ConvolutionKernel.splitFloats(g, rows: splitRows.count),
                                             "shared scratch too small for the column split")
                                ConvolutionKernel.splitColumns(g, input: input, rows: splitRows, into: scratch.shared,
                                                               rowStride: splitStride, threads: threads)
                            }
                            let taps = ConvolutionKernel.tapOffsets(kernelColumns: g.kernelColumns,
                                                                    splitHalf: split ? splitStride / 2 : nil)
                            taps.withUnsafeBufferPointer { taps in
                                let source = !inPlace ? nil : split
                                    ? ConvolutionKernel.InPlaceInput(
                                        base: scratch.shared, channelStride: splitRows.count * splitStride,
                                        rowStride: splitStride, rowOrigin: splitRows.lowerBound,
                                        rowEnd: splitRows.upperBound, taps: taps.baseAddress!, split: true)
                                    : ConvolutionKernel.InPlaceInput(
                                        base: input.base, channelStride: input.channelStride, rowStride: input.rowStride,
                                        rowOrigin: input.rowOrigin, rowEnd: .max, taps: taps.baseAddress!, split: false)
                                let job = ConvolutionTileJob(
                                    geometry: g, input: input, inPlace: source, firstRow: rows.lowerBound, linear: linear,
                                    pixels: rows.count * g.outputColumns, stripsPerRow: stripsPerRow,
                                    strips: strips, stripsPerTile: perTile, filterCount: filterCount,
                                    weights: a.baseAddress!, epilogue: epilogue, output: output, scratch: scratch)
                                let tiles = (strips + perTile - 1) / perTile
                                parallelForEach(count: tiles, threads: min(threads, scratch.workers)) { worker, tile in
                                    job.run(worker: worker, tile: tile)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One banded convolution call, cut into tiles of 24-pixel strips (strips never cross output rows).
///
/// Holds raw pointers into buffers the caller keeps alive for the duration of the parallel loop.
/// It is `@unchecked Sendable` because of those pointers; the loop is safe because the inputs are
/// only read, each tile writes a disjoint set of output pixels, and worker `w` only touches
/// scratch slice `w`.
private struct ConvolutionTileJob: @unchecked Sendable {
    let geometry: ConvolutionGeometry
    let input: ConvolutionKernel.Band
    /// Where strips may be read in place; nil: every strip is packed.
    let inPlace: ConvolutionKernel.InPlaceInput?
    let firstRow: Int
    /// Strips are runs of 24 consecutive pixels of the band (possibly spanning rows) rather than
    /// row-aligned; requires output rows stored contiguously.
    let linear: Bool
    let pixels: Int
    let stripsPerRow: Int
    let strips: Int
    let stripsPerTile: Int
    let filterCount: Int
    let weights: UnsafePointer<Float>
    let epilogue: GEMMKernel.Epilogue
    let output: Convolution.OutputPlanes
    let scratch: ScratchBuffers

    /// Computes the strips that can be read in place (``computeInPlace(strips:count:source:panel:firstStrip:)``),
    /// packs the others, then multiplies those by every block of 4 filters.
    func run(worker: Int, tile: Int) {
        let nr = GEMMKernel.blockColumns, mr = GEMMKernel.blockRows
        let depth = geometry.depth
        let panel = scratch.slice(worker)
        let s0 = tile * stripsPerTile, s1 = min(s0 + stripsPerTile, strips)
        var packed = 0
        // Strips read in place are computed together after this loop (``computeInPlace(strips:count:source:panel:firstStrip:)``).
        let inPlaceStrips = UnsafeMutablePointer<(strip: Int, firstTap: UnsafePointer<Float>)>.allocate(capacity: s1 - s0)
        defer { inPlaceStrips.deallocate() }
        var inPlaceCount = 0
        for s in s0..<s1 {
            if inPlace != nil, let first = direct(s) {
                inPlaceStrips[inPlaceCount] = (s, first)
                inPlaceCount += 1
                continue
            }
            packed += 1
            if linear {
                ConvolutionKernel.packLinearStrip(geometry, input: input, firstRow: firstRow, firstPixel: s * nr,
                                                  count: min(nr, pixels - s * nr), into: panel + (s - s0) * depth * nr)
            } else {
                let (row, column, count) = place(s)
                ConvolutionKernel.packStrip(geometry, input: input, row: row, column: column, count: count,
                                            into: panel + (s - s0) * depth * nr)
            }
        }
        if let inPlace, inPlaceCount > 0 {
            computeInPlace(strips: inPlaceStrips, count: inPlaceCount, source: inPlace, panel: panel, firstStrip: s0)
        }
        guard packed > 0 else { return }
        var f0 = 0
        while f0 < filterCount {
            let blockEpilogue = GEMMKernel.Epilogue(bias: epilogue.bias + f0, scale: epilogue.scale + f0,
                                                    shift: epilogue.shift + f0, relu: epilogue.relu)
            let blockWeights = weights + f0 * depth
            let blockOutput = output.base + f0 * output.channelStride
            for s in s0..<s1 where direct(s) == nil {
                let (row, column, count) = place(s)
                GEMMKernel.block(depth: depth, a: blockWeights, b: panel + (s - s0) * depth * nr,
                                 c: blockOutput + (row - output.rowOrigin) * output.rowStride + column,
                                 ldc: output.channelStride, rows: min(mr, filterCount - f0), columns: count,
                                 epilogue: blockEpilogue)
            }
            f0 += mr
        }
    }

    /// Input channels per part of an in-place strip: the part's input window (8 × kh rows of
    /// 24 + kw − 1 floats, 4.5 KB for 5 × 5) stays in the L1 cache while every filter block
    /// reads it, and the running sums are parked once per 200 taps.
    private static let channelsPerPart = 8

    /// Computes the tile's strips that are read in place (``GEMMKernel/directBlock(channels:kernelRows:kernelColumns:taps:a:input:channelStride:rowStride:partial:first:last:c:ldc:rows:columns:epilogue:)``):
    /// channel part by channel part, and per part filter block by filter block, every strip of
    /// the tile, so that a block's weights for the part (3.2 KB for 8 channels of 5 × 5) stay in
    /// the L1 cache while all the strips use them, rather than every weight of the layer streaming
    /// through it once per strip. Each strip's slot of `panel` holds its blocks' running sums.
    /// Every output still gets its channels' products in increasing order: the same bits.
    private func computeInPlace(
        strips: UnsafeMutablePointer<(strip: Int, firstTap: UnsafePointer<Float>)>, count stripCount: Int,
        source: ConvolutionKernel.InPlaceInput, panel: UnsafeMutablePointer<Float>, firstStrip s0: Int
    ) {
        let mr = GEMMKernel.blockRows, nr = GEMMKernel.blockColumns
        let channels = geometry.inputChannels, tapsPerChannel = geometry.kernelRows * geometry.kernelColumns
        let depth = geometry.depth
        var ch0 = 0
        while ch0 < channels {
            let part = min(Self.channelsPerPart, channels - ch0)
            var f0 = 0
            while f0 < filterCount {
                let blockEpilogue = GEMMKernel.Epilogue(bias: epilogue.bias + f0, scale: epilogue.scale + f0,
                                                        shift: epilogue.shift + f0, relu: epilogue.relu)
                let a = weights + f0 * depth + ch0 * tapsPerChannel * mr
                for i in 0..<stripCount {
                    let (s, firstTap) = strips[i]
                    let (row, column, count) = place(s)
                    let out = output.base + (row - output.rowOrigin) * output.rowStride + column
                    GEMMKernel.directBlock(
                        channels: part, kernelRows: geometry.kernelRows, kernelColumns: geometry.kernelColumns,
                        taps: source.taps, a: a, input: firstTap + ch0 * source.channelStride,
                        channelStride: source.channelStride, rowStride: source.rowStride,
                        partial: panel + (s - s0) * depth * nr + f0 * nr, first: ch0 == 0, last: ch0 + part == channels,
                        c: out + f0 * output.channelStride, ldc: output.channelStride,
                        rows: min(mr, filterCount - f0), columns: count, epilogue: blockEpilogue)
                }
                f0 += mr
            }
            ch0 += part
        }
    }

    /// Where strip `s` can be read in place (row-aligned strips only), or nil.
    @inline(__always)
    private func direct(_ s: Int) -> UnsafePointer<Float>? {
        guard let inPlace else { return nil }
        // The running sums (24 per filter, padded to the block) use the strip's panel slot.
        let paddedFilters = (filterCount + GEMMKernel.blockRows - 1) / GEMMKernel.blockRows * GEMMKernel.blockRows
        guard paddedFilters <= geometry.depth else { return nil }
        let (row, column, count) = place(s)
        return ConvolutionKernel.directStrip(geometry, band: input, inPlace: inPlace, row: row, column: column,
                                             count: count)
    }

    /// Output row, first column and pixel count of strip `s` (in linear mode, the strip's pixels
    /// continue on the following rows, which are contiguous in the output).
    @inline(__always)
    private func place(_ s: Int) -> (row: Int, column: Int, count: Int) {
        if linear {
            let p = s * GEMMKernel.blockColumns
            return (firstRow + p / geometry.outputColumns, p % geometry.outputColumns,
                    min(GEMMKernel.blockColumns, pixels - p))
        }
        let nr = GEMMKernel.blockColumns, width = geometry.outputColumns
        let row = firstRow + s / stripsPerRow, k = s % stripsPerRow
        // A row whose last strip would hold 1-8 pixels ends in two strips of 16 and 9-16 pixels
        // instead (a 31-pixel row: 16 + 15 rather than 24 + 7): a 4 × 16 block keeps both FMA
        // pipes busy, while a 4 × 8 block has too few independent sums to hide the FMA latency.
        let remainder = width % nr
        if remainder > 0 && remainder <= 8 && stripsPerRow >= 2 && k >= stripsPerRow - 2 {
            let start = (stripsPerRow - 2) * nr
            return k == stripsPerRow - 2 ? (row, start, 16) : (row, start + 16, width - start - 16)
        }
        let column = k * nr
        return (row, column, min(nr, width - column))
    }
}

/// A direct single-filter convolution over a band, in groups of two output rows.
///
/// `@unchecked Sendable` for its raw pointers; safe because inputs are only read and each group
/// writes its own output rows.
private struct DirectConvolutionJob: @unchecked Sendable {
    let geometry: ConvolutionGeometry
    let input: ConvolutionKernel.Band
    let rows: Range<Int>
    let weights: UnsafePointer<Float>
    let epilogue: GEMMKernel.Epilogue
    let output: Convolution.OutputPlanes

    func run(group: Int) {
        let r0 = rows.lowerBound + 2 * group, r1 = min(r0 + 2, rows.upperBound)
        DirectConvolutionKernel.rows(r0..<r1, geometry: geometry, input: input, weights: weights, epilogue: epilogue,
                                     output: output.base + (r0 - output.rowOrigin) * output.rowStride,
                                     outputRowStride: output.rowStride)
    }
}
