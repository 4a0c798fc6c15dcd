import Dispatch

/// A chain of (fused) convolutions evaluated in horizontal bands, so that a huge input never
/// needs more than a few rows of each intermediate feature map in memory.
///
/// The MMOD face detector is such a chain (seven convolutions, each with its affine map and
/// rectifier fused in), and its input can be a 3 × 16 000 × 2 000 tiled image pyramid. Computing it
/// layer by layer would hold several full-size intermediate tensors (about 1 GB for that input);
/// this type instead pulls the final output `bandRows` rows at a time. Each intermediate stage keeps
/// a ring of just the rows its successor still needs (the halo): rows are computed once, never
/// recomputed, and dropped as soon as no later output row reads them.
///
/// Memory: the input (owned by the caller), the final output, and per intermediate stage about
/// `(bandRows · total stride + kernel halo) × width × channels` floats.
public struct ConvolutionChain: Sendable {
    /// The convolutions, input to output.
    public let stages: [Convolution]

    /// - Precondition: at least one stage, and each stage's input channels equal the previous
    ///   stage's filter count.
    public init(stages: [Convolution]) {
        precondition(!stages.isEmpty, "a convolution chain needs at least one stage")
        for i in 1..<stages.count {
            precondition(stages[i].inputChannels == stages[i - 1].filterCount, "convolution chain channel mismatch at stage \(i)")
        }
        self.stages = stages
    }

    /// Time and arithmetic per stage, accumulated over ``forward(input:rows:columns:bandRows:threads:profile:)``
    /// calls (for benchmarks). Not thread-safe: one forward pass at a time updates it, on the calling thread.
    public final class Profile {
        /// Seconds spent in each stage's convolution (all threads working on it).
        public private(set) var seconds: [Double]
        /// Floating-point operations of each stage (a multiply-add counts 2).
        public private(set) var flops: [Double]
        /// Processor time of the whole process during each stage (every thread's; see
        /// ``ProcessCPUClock``): on a shared machine, time the stage ran rather than waited.
        public private(set) var cpuSeconds: [Double]

        public init(stages: Int) {
            seconds = [Double](repeating: 0, count: stages)
            flops = [Double](repeating: 0, count: stages)
            cpuSeconds = [Double](repeating: 0, count: stages)
        }

        func add(stage: Int, seconds s: Double, cpuSeconds c: Double, flops f: Double) {
            seconds[stage] += s
            cpuSeconds[stage] += c
            flops[stage] += f
        }
    }

    /// Input channels of the first stage.
    public var inputChannels: Int { stages[0].inputChannels }

    /// Shape of the final output for an input plane of `rows × columns`.
    public func outputSize(rows: Int, columns: Int) -> (channels: Int, rows: Int, columns: Int) {
        var h = rows, w = columns
        for stage in stages { (h, w) = stage.outputSize(rows: h, columns: w) }
        return (stages[stages.count - 1].filterCount, h, w)
    }

    /// Runs the chain on one sample.
    ///
    /// - Parameters:
    ///   - input: planar `inputChannels × rows × columns` floats (NCHW with N = 1).
    ///   - rows: input rows.
    ///   - columns: input columns.
    ///   - bandRows: final-output rows produced per step (memory/overhead trade-off).
    ///   - threads: threads each convolution step is split over.
    /// - Returns: the final stage's output, `1 × F × OH × OW` (empty planes when the input is
    ///   smaller than the chain's receptive field).
    /// - Complexity: the sum over stages of `F · C · kh · kw · OH · OW`; memory as described above.
    ///   - profile: if given, each stage's time and FLOPs are added to it.
    ///   - memory: where the row buffers and scratch come from and go back to (see ``ReusableMemory``).
    public func forward(input: UnsafeBufferPointer<Float>, rows: Int, columns: Int, bandRows: Int = 16,
                        threads: Int = defaultThreadCount, profile: Profile? = nil,
                        memory: ReusableMemory = .shared) -> Tensor {
        precondition(input.count >= inputChannels * rows * columns, "convolution chain input is too small")
        let count = stages.count
        var geometries = [ConvolutionGeometry]()
        var h = rows, w = columns
        for stage in stages {
            let g = stage.geometry(rows: h, columns: w)
            geometries.append(g)
            (h, w) = (g.outputRows, g.outputColumns)
        }
        let last = geometries[count - 1]
        var output = Tensor(samples: 1, channels: stages[count - 1].filterCount, rows: last.outputRows,
                            columns: last.outputColumns)
        guard geometries.allSatisfy({ $0.outputRows > 0 && $0.outputColumns > 0 }) else {
            return Tensor(samples: 1, channels: stages[count - 1].filterCount, rows: 0, columns: 0)
        }

        // Rows each stage may be asked for at once, from the output backwards.
        var capacity = [Int](repeating: 0, count: count)
        capacity[count - 1] = max(1, min(bandRows, last.outputRows))
        for s in stride(from: count - 2, through: 0, by: -1) {
            let next = geometries[s + 1]
            capacity[s] = min(geometries[s].outputRows, (capacity[s + 1] - 1) * next.strideY + next.kernelRows)
        }
        var scratchFloats = 0, sharedFloats = 0
        for s in 0..<count {
            scratchFloats = max(scratchFloats, stages[s].scratchFloats(geometry: geometries[s]))
            sharedFloats = max(sharedFloats, stages[s].sharedFloats(geometry: geometries[s], rows: capacity[s]))
        }
        // Intermediate rows carry zero margins as wide as the next stage's padding, so that the
        // packing kernels read padding from memory instead of testing bounds; the slack at the end
        // keeps the SIMD reads past a row's end inside the allocation.
        var stageFloats = [Int](), margins = [Int](), rowStrides = [Int]()
        for s in 0..<count - 1 {
            let margin = stages[s + 1].paddingX
            let rowStride = geometries[s].outputColumns + 2 * margin
            margins.append(margin)
            rowStrides.append(rowStride)
            stageFloats.append(Self.aligned(capacity[s] * rowStride * stages[s].filterCount + Self.slack))
        }
        let scratchSize = ScratchBuffers.requiredFloats(workers: threads, floatsPerWorker: scratchFloats,
                                                        sharedFloats: sharedFloats)
        // One arena for the row buffers and the scratch, kept between calls by the pool (no fresh
        // pages, which the kernel would zero, for every probe); 16 floats to align its start.
        var arena = memory.take(count: stageFloats.reduce(0, +) + scratchSize + 16)
        defer { memory.recycle(arena) }
        let finalPlane = output.planeSize
        arena.withUnsafeMutableBufferPointer { arenaBuffer in
            let base = arenaBuffer.baseAddress!
            var offset = (16 - (Int(bitPattern: base) / MemoryLayout<Float>.stride) % 16) % 16
            var buffers = [StageBuffer]()
            for s in 0..<count - 1 {
                let rows = base + offset
                rows.update(repeating: 0, count: stageFloats[s])
                buffers.append(StageBuffer(memory: rows, margin: margins[s], rowStride: rowStrides[s],
                                           channelStride: capacity[s] * rowStrides[s]))
                offset += stageFloats[s]
            }
            let scratch = ScratchBuffers(workers: threads, floatsPerWorker: scratchFloats, sharedFloats: sharedFloats,
                                         memory: base + offset)
            output.values.withUnsafeMutableBufferPointer { out in
                var state = BandState(lo: [Int](repeating: 0, count: count), hi: [Int](repeating: 0, count: count))
                let finalRows = last.outputRows
                var next = 0
                while next < finalRows {
                    let upTo = min(next + capacity[count - 1], finalRows)
                    produce(stage: count - 1, upTo: upTo, state: &state, geometries: geometries, capacity: capacity,
                            buffers: buffers, input: input.baseAddress!, finalOutput: out.baseAddress!,
                            finalPlane: finalPlane, scratch: scratch, threads: threads, profile: profile)
                    next = upTo
                }
            }
        }
        return output
    }

    /// Floats allocated past the last row of an intermediate buffer.
    private static let slack = 256

    /// `n` rounded up to whole 64-byte lines of floats.
    private static func aligned(_ n: Int) -> Int { (n + 15) & ~15 }

    /// An intermediate stage's row buffer: `capacity` rows per channel of
    /// `margin zeros | outputColumns values | margin zeros`.
    private struct StageBuffer {
        var memory: UnsafeMutablePointer<Float>
        var margin: Int
        var rowStride: Int
        var channelStride: Int

        /// Logical column 0 of local row 0, channel 0.
        var origin: UnsafeMutablePointer<Float> { memory + margin }
    }

    /// Resident rows `lo ..< hi` of each stage's output.
    private struct BandState {
        var lo: [Int]
        var hi: [Int]
    }

    /// Makes stage `s`'s output rows up to `upTo` (exclusive) available, computing rows
    /// `hi[s] ..< upTo` after pulling and trimming the input rows they need.
    private func produce(
        stage s: Int, upTo: Int, state: inout BandState, geometries: [ConvolutionGeometry], capacity: [Int],
        buffers: [StageBuffer], input: UnsafePointer<Float>, finalOutput: UnsafeMutablePointer<Float>,
        finalPlane: Int, scratch: ScratchBuffers, threads: Int, profile: Profile?
    ) {
        guard upTo > state.hi[s] else { return }
        let rows = state.hi[s]..<upTo
        let g = geometries[s]
        let band: ConvolutionKernel.Band
        if s == 0 {
            band = ConvolutionKernel.Band(base: input, channelStride: g.inputRows * g.inputColumns,
                                          rowStride: g.inputColumns, rowOrigin: 0)
        } else {
            let need = g.inputRows(for: rows)
            evict(stage: s - 1, below: need.lowerBound, state: &state, geometries: geometries, capacity: capacity,
                  buffers: buffers)
            produce(stage: s - 1, upTo: need.upperBound, state: &state, geometries: geometries, capacity: capacity,
                    buffers: buffers, input: input, finalOutput: finalOutput, finalPlane: finalPlane,
                    scratch: scratch, threads: threads, profile: profile)
            let b = buffers[s - 1]
            band = ConvolutionKernel.Band(base: b.origin, channelStride: b.channelStride, rowStride: b.rowStride,
                                          rowOrigin: state.lo[s - 1], marginLeft: b.margin, zeroRight: b.margin,
                                          readableRight: b.margin + Self.slack / 2)
        }
        let output: Convolution.OutputPlanes
        if s == stages.count - 1 {
            output = .init(base: finalOutput, channelStride: finalPlane, rowStride: g.outputColumns, rowOrigin: 0)
        } else {
            precondition(upTo - state.lo[s] <= capacity[s], "convolution chain band overflow")
            let b = buffers[s]
            output = .init(base: b.origin, channelStride: b.channelStride, rowStride: b.rowStride, rowOrigin: state.lo[s])
        }
        let start = profile == nil ? 0 : DispatchTime.now().uptimeNanoseconds
        let cpuStart = profile == nil ? 0 : ProcessCPUClock.seconds()
        stages[s].forwardRows(rows, geometry: g, input: band, output: output, scratch: scratch, threads: threads)
        if let profile {
            let flops = 2 * Double(stages[s].filterCount) * Double(g.depth) * Double(rows.count) * Double(g.outputColumns)
            profile.add(stage: s, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9,
                        cpuSeconds: ProcessCPUClock.seconds() - cpuStart, flops: flops)
        }
        state.hi[s] = upTo
    }

    /// Drops stage `s`'s resident rows below `row`, moving the rest to the front of its buffer.
    private func evict(
        stage s: Int, below row: Int, state: inout BandState, geometries: [ConvolutionGeometry], capacity: [Int],
        buffers: [StageBuffer]
    ) {
        guard row > state.lo[s] else { return }
        let keep = max(state.hi[s] - row, 0)
        if keep > 0 {
            let b = buffers[s]
            let drop = row - state.lo[s]
            for f in 0..<stages[s].filterCount {
                let base = b.memory + f * b.channelStride
                base.update(from: base + drop * b.rowStride, count: keep * b.rowStride)
            }
        }
        state.lo[s] = row
        state.hi[s] = max(state.hi[s], row)
    }
}
