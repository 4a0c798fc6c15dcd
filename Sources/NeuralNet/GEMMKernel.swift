/// The register-blocked matrix-multiply micro-kernel behind every convolution.
///
/// It computes a `4 × 24` block of `C = A · B` and applies the convolution epilogue
/// `max?((acc + bias) · scale + shift, 0)` before storing. Memory layout it assumes:
///
/// - `a`: packed weights of 4 consecutive filters, `a[k * 4 + m]` = weight of filter `m` at
///   reduction index `k` (k = (channel, ky, kx) flattened), `k < depth`. Filters past the end of
///   the layer are zero rows.
/// - `b`: packed im2col columns of 24 consecutive output pixels, `b[k * 24 + n]`; pixels past the
///   end of the band are zero columns (see ``ConvolutionKernel``).
/// - `c`: output, `c[m * ldc + n]` for the first `rows` filters and `columns` pixels; pixels are
///   contiguous (one NCHW plane per filter, `ldc` = plane stride).
/// - `epilogue`: per-filter `bias`, `scale`, `shift`, already offset to filter 0 of this block.
///
/// The 12 accumulators are `SIMD8<Float>` (one AVX register each on x86-64-v3), leaving room for
/// three B vectors and one broadcast A value. With `FRS_FMA` defined (the package builds the
/// NeuralNet module for x86-64-v3) the update is a fused multiply-add; otherwise it is a
/// separate multiply and add, which is faster than the library call `addProduct` becomes on a
/// target without FMA.
enum GEMMKernel {
    /// Filters per block.
    static let blockRows = 4
    /// Pixels per block.
    static let blockColumns = 24

    @inline(__always)
    static func madd(_ acc: inout SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) {
        #if FRS_FMA
        acc.addProduct(a, b)
        #else
        acc += a * b
        #endif
    }

    /// Per-filter output transform applied to the accumulated sums.
    struct Epilogue {
        var bias: UnsafePointer<Float>
        var scale: UnsafePointer<Float>
        var shift: UnsafePointer<Float>
        var relu: Bool
    }

    /// Computes one block; see the type's documentation for the layouts.
    /// - Parameters:
    ///   - depth: reduction length (`channels · kh · kw`).
    ///   - rows: valid filters in this block, 1…4.
    ///   - columns: valid pixels in this block, 1…24.
    @inline(__always)
    static func block(
        depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, epilogue: Epilogue
    ) {
        // A strip narrower than the block takes a narrower one (see `directBlock`).
        if columns <= 8 {
            Self.packed(Accumulators8.self, depth: depth, a: a, b: b, c: c, ldc: ldc, rows: rows, columns: columns,
                        epilogue: epilogue)
        } else if columns <= 16 {
            Self.packed(Accumulators16.self, depth: depth, a: a, b: b, c: c, ldc: ldc, rows: rows, columns: columns,
                        epilogue: epilogue)
        } else {
            Self.packed(Accumulators.self, depth: depth, a: a, b: b, c: c, ldc: ldc, rows: rows, columns: columns,
                        epilogue: epilogue)
        }
    }

    @inline(__always)
    private static func packed<Sums: BlockSums>(
        _: Sums.Type, depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, epilogue: Epilogue
    ) {
        var acc = Sums()
        var pa = a
        var pb = UnsafeRawPointer(b)
        for _ in 0..<depth {
            acc.step(a: pa, b: pb)
            pa += 4
            pb += 96
        }
        acc.store(c: c, ldc: ldc, rows: rows, columns: columns, epilogue: epilogue)
    }

    /// Computes part of one block of a convolution straight from its input, without packing:
    /// the 24 pixels of tap `(ch, ky, kx)` are 24 consecutive floats at byte offset `taps[kx]`
    /// from `input + ch · channelStride + ky · rowStride` (for stride 1 the row itself, `taps[kx]
    /// = 4 · kx`; for stride 2 a copy of it split by column parity), so each step loads them where
    /// they are. The sums of the block's earlier channels come from `partial` (none when
    /// `first`); the sums go back to `partial`, or, when `last`, through the epilogue to `c`.
    /// Over all parts the reduction runs over `k = (ch · kh + ky) · kw + kx` in the same order,
    /// with the same operations, as ``block(depth:a:b:c:ldc:rows:columns:epilogue:)`` on a packed
    /// strip, and a float parked in memory comes back unchanged: the results are bit-identical.
    /// - Parameters:
    ///   - channels: input channels of this part.
    ///   - a: the block's packed weights at this part's first channel.
    ///   - input: the strip's first tap row in this part's first channel.
    ///   - partial: 96 floats of running sums for this block.
    @inline(__always)
    static func directBlock(
        channels: Int, kernelRows kh: Int, kernelColumns kw: Int, taps: UnsafePointer<Int>, a: UnsafePointer<Float>,
        input: UnsafePointer<Float>, channelStride: Int, rowStride: Int,
        partial: UnsafeMutablePointer<Float>, first: Bool, last: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, epilogue: Epilogue
    ) {
        // A strip's last columns of a row narrower than the block (a 54-pixel row is 24 + 24 + 6)
        // take a narrower block: the same sums for the columns there are, a third or two thirds
        // of the work. On the booking pipeline's small tensors (rows of 30–60 pixels in conv3–6)
        // a third of the 24-column blocks' work was for columns past the row's end.
        if columns <= 8 {
            Self.direct(Accumulators8.self, channels: channels, kernelRows: kh, kernelColumns: kw, taps: taps, a: a,
                        input: input, channelStride: channelStride, rowStride: rowStride, partial: partial,
                        first: first, last: last, c: c, ldc: ldc, rows: rows, columns: columns, epilogue: epilogue)
        } else if columns <= 16 {
            Self.direct(Accumulators16.self, channels: channels, kernelRows: kh, kernelColumns: kw, taps: taps, a: a,
                        input: input, channelStride: channelStride, rowStride: rowStride, partial: partial,
                        first: first, last: last, c: c, ldc: ldc, rows: rows, columns: columns, epilogue: epilogue)
        } else {
            Self.direct(Accumulators.self, channels: channels, kernelRows: kh, kernelColumns: kw, taps: taps, a: a,
                        input: input, channelStride: channelStride, rowStride: rowStride, partial: partial,
                        first: first, last: last, c: c, ldc: ldc, rows: rows, columns: columns, epilogue: epilogue)
        }
    }

    @inline(__always)
    private static func direct<Sums: BlockSums>(
        _: Sums.Type, channels: Int, kernelRows kh: Int, kernelColumns kw: Int, taps: UnsafePointer<Int>,
        a: UnsafePointer<Float>, input: UnsafePointer<Float>, channelStride: Int, rowStride: Int,
        partial: UnsafeMutablePointer<Float>, first: Bool, last: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, epilogue: Epilogue
    ) {
        var acc = first ? Sums() : Sums(loading: UnsafeRawPointer(partial))
        var pa = a
        for ch in 0..<channels {
            var row = UnsafeRawPointer(input + ch * channelStride)
            for _ in 0..<kh {
                for kx in 0..<kw {
                    acc.step(a: pa, b: row + taps[kx])
                    pa += 4
                }
                row += 4 * rowStride
            }
        }
        if last {
            acc.store(c: c, ldc: ldc, rows: rows, columns: columns, epilogue: epilogue)
        } else {
            acc.park(UnsafeMutableRawPointer(partial))
        }
    }

    /// The running sums of a block of 4 filters and up to 24 pixels, parked as 96 floats
    /// (filter `m`'s at `24 · m`, the unused columns left as they are).
    protocol BlockSums {
        init()
        init(loading p: UnsafeRawPointer)
        func park(_ p: UnsafeMutableRawPointer)
        mutating func step(a pa: UnsafePointer<Float>, b pb: UnsafeRawPointer)
        func store(c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, epilogue: Epilogue)
    }

    /// A 4 × 16 block (for the last 9–16 pixels of a row).
    struct Accumulators16: BlockSums {
        var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
        var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
        var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
        var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()

        init() {}

        @inline(__always)
        init(loading p: UnsafeRawPointer) {
            (c00, c01) = Self.row(0, from: p)
            (c10, c11) = Self.row(1, from: p)
            (c20, c21) = Self.row(2, from: p)
            (c30, c31) = Self.row(3, from: p)
        }

        @inline(__always)
        func park(_ p: UnsafeMutableRawPointer) {
            Self.put((c00, c01), row: 0, to: p)
            Self.put((c10, c11), row: 1, to: p)
            Self.put((c20, c21), row: 2, to: p)
            Self.put((c30, c31), row: 3, to: p)
        }

        @inline(__always)
        private static func row(_ m: Int, from p: UnsafeRawPointer) -> (SIMD8<Float>, SIMD8<Float>) {
            let q = p + 96 * m
            return (q.loadUnaligned(as: SIMD8<Float>.self), q.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self))
        }

        @inline(__always)
        private static func put(_ v: (SIMD8<Float>, SIMD8<Float>), row m: Int, to p: UnsafeMutableRawPointer) {
            let q = p + 96 * m
            q.storeBytes(of: v.0, as: SIMD8<Float>.self)
            q.storeBytes(of: v.1, toByteOffset: 32, as: SIMD8<Float>.self)
        }

        @inline(__always)
        mutating func step(a pa: UnsafePointer<Float>, b pb: UnsafeRawPointer) {
            let b0 = pb.loadUnaligned(as: SIMD8<Float>.self)
            let b1 = pb.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
            let a0 = SIMD8<Float>(repeating: pa[0])
            madd(&c00, a0, b0); madd(&c01, a0, b1)
            let a1 = SIMD8<Float>(repeating: pa[1])
            madd(&c10, a1, b0); madd(&c11, a1, b1)
            let a2 = SIMD8<Float>(repeating: pa[2])
            madd(&c20, a2, b0); madd(&c21, a2, b1)
            let a3 = SIMD8<Float>(repeating: pa[3])
            madd(&c30, a3, b0); madd(&c31, a3, b1)
        }

        @inline(__always)
        func store(c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, epilogue: Epilogue) {
            let z = SIMD8<Float>()
            GEMMKernel.store(c00, c01, z, row: 0, c: c, ldc: ldc, rows: rows, columns: columns, epilogue: epilogue)
            GEMMKernel.store(c10, c11, z, row: 1, c: c, ldc: ldc, rows: rows, columns: columns, epilogue: epilogue)
            GEMMKernel.store(c20, c21, z, row: 2, c: c, ldc: ldc, rows: rows, columns: columns, epilogue: epilogue)
            GEMMKernel.store(c30, c31, z, row: 3, c: c, ldc: ldc, rows: rows, columns: columns, epilogue: epilogue)
        }
    }

    /// A 4 × 8 block (for the last 1–8 pixels of a row).
    struct Accumulators8: BlockSums {
        var c00 = SIMD8<Float>(), c10 = SIMD8<Float>(), c20 = SIMD8<Float>(), c30 = SIMD8<Float>()

        init() {}

        @inline(__always)
        init(loading p: UnsafeRawPointer) {
            c00 = p.loadUnaligned(as: SIMD8<Float>.self)
            c10 = p.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
            c20 = p.loadUnaligned(fromByteOffset: 192, as: SIMD8<Float>.self)
            c30 = p.loadUnaligned(fromByteOffset: 288, as: SIMD8<Float>.self)
        }

        @inline(__always)
        func park(_ p: UnsafeMutableRawPointer) {
            p.storeBytes(of: c00, as: SIMD8<Float>.self)
            p.storeBytes(of: c10, toByteOffset: 96, as: SIMD8<Float>.self)
            p.storeBytes(of: c20, toByteOffset: 192, as: SIMD8<Float>.self)
            p.storeBytes(of: c30, toByteOffset: 288, as: SIMD8<Float>.self)
        }

        @inline(__always)
        mutating func step(a pa: UnsafePointer<Float>, b pb: UnsafeRawPointer) {
            let b0 = pb.loadUnaligned(as: SIMD8<Float>.self)
            madd(&c00, SIMD8<Float>(repeating: pa[0]), b0)
            madd(&c10, SIMD8<Float>(repeating: pa[1]), b0)
            madd(&c20, SIMD8<Float>(repeating: pa[2]), b0)
            madd(&c30, SIMD8<Float>(repeating: pa[3]), b0)
        }

        @inline(__always)
        func store(c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, epilogue: Epilogue) {
            let z = SIMD8<Float>()
            GEMMKernel.store(c00, z, z, row: 0, c: c, ldc: ldc, rows: rows, columns: columns, epilogue: epilogue)
            GEMMKernel.store(c10, z, z, row: 1, c: c, ldc: ldc, rows: rows, columns: columns, epilogue: epilogue)
            GEMMKernel.store(c20, z, z, row: 2, c: c, ldc: ldc, rows: rows, columns: columns, epilogue: epilogue)
            GEMMKernel.store(c30, z, z, row: 3, c: c, ldc: ldc, rows: rows, columns: columns, epilogue: epilogue)
        }
    }

    /// The 4 × 24 block's sums: 12 `SIMD8<Float>` registers.
    struct Accumulators: BlockSums {
        var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c02 = SIMD8<Float>()
        var c10 = SIMD8<Float>(), c11 = SIMD8<Float>(), c12 = SIMD8<Float>()
        var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c22 = SIMD8<Float>()
        var c30 = SIMD8<Float>(), c31 = SIMD8<Float>(), c32 = SIMD8<Float>()

        init() {}

        /// Sums parked by ``park(_:)``.
        @inline(__always)
        init(loading p: UnsafeRawPointer) {
            (c00, c01, c02) = Self.row(0, from: p)
            (c10, c11, c12) = Self.row(1, from: p)
            (c20, c21, c22) = Self.row(2, from: p)
            (c30, c31, c32) = Self.row(3, from: p)
        }

        /// Writes the sums, unchanged, to 96 floats at `p` (filter `m`'s 24 at `24 · m`).
        @inline(__always)
        func park(_ p: UnsafeMutableRawPointer) {
            Self.put((c00, c01, c02), row: 0, to: p)
            Self.put((c10, c11, c12), row: 1, to: p)
            Self.put((c20, c21, c22), row: 2, to: p)
            Self.put((c30, c31, c32), row: 3, to: p)
        }

        @inline(__always)
        private static func row(_ m: Int, from p: UnsafeRawPointer) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
            let q = p + 96 * m
            return (q.loadUnaligned(as: SIMD8<Float>.self), q.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self),
                    q.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self))
        }

        @inline(__always)
        private static func put(_ v: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>), row m: Int, to p: UnsafeMutableRawPointer) {
            let q = p + 96 * m
            q.storeBytes(of: v.0, as: SIMD8<Float>.self)
            q.storeBytes(of: v.1, toByteOffset: 32, as: SIMD8<Float>.self)
            q.storeBytes(of: v.2, toByteOffset: 64, as: SIMD8<Float>.self)
        }

        /// Adds the products of the 4 weights at `a` and the 24 values at `b`.
        @inline(__always)
        mutating func step(a pa: UnsafePointer<Float>, b pb: UnsafeRawPointer) {
            let b0 = pb.loadUnaligned(as: SIMD8<Float>.self)
            let b1 = pb.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
            let b2 = pb.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
            let a0 = SIMD8<Float>(repeating: pa[0])
            madd(&c00, a0, b0); madd(&c01, a0, b1); madd(&c02, a0, b2)
            let a1 = SIMD8<Float>(repeating: pa[1])
            madd(&c10, a1, b0); madd(&c11, a1, b1); madd(&c12, a1, b2)
            let a2 = SIMD8<Float>(repeating: pa[2])
            madd(&c20, a2, b0); madd(&c21, a2, b1); madd(&c22, a2, b2)
            let a3 = SIMD8<Float>(repeating: pa[3])
            madd(&c30, a3, b0); madd(&c31, a3, b1); madd(&c32, a3, b2)
        }

        /// Applies the epilogue and stores the first `rows` filters' first `columns` pixels.
        @inline(__always)
        func store(c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, epilogue: Epilogue) {
            GEMMKernel.store(c00, c01, c02, row: 0, c: c, ldc: ldc, rows: rows, columns: columns, epilogue: epilogue)
            GEMMKernel.store(c10, c11, c12, row: 1, c: c, ldc: ldc, rows: rows, columns: columns, epilogue: epilogue)
            GEMMKernel.store(c20, c21, c22, row: 2, c: c, ldc: ldc, rows: rows, columns: columns, epilogue: epilogue)
            GEMMKernel.store(c30, c31, c32, row: 3, c: c, ldc: ldc, rows: rows, columns: columns, epilogue: epilogue)
        }
    }

    @inline(__always)
    fileprivate static func store(
        _ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ v2: SIMD8<Float>, row m: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, epilogue: Epilogue
    ) {
        guard m < rows else { return }
        let bias = SIMD8<Float>(repeating: epilogue.bias[m])
        let scale = SIMD8<Float>(repeating: epilogue.scale[m])
        let shift = SIMD8<Float>(repeating: epilogue.shift[m])
        var r0 = (v0 + bias) * scale + shift
        var r1 = (v1 + bias) * scale + shift
        var r2 = (v2 + bias) * scale + shift
        if epilogue.relu {
            let zero = SIMD8<Float>()
            r0 = r0.replacing(with: zero, where: r0 .< zero)
            r1 = r1.replacing(with: zero, where: r1 .< zero)
            r2 = r2.replacing(with: zero, where: r2 .< zero)
        }
        let out = c + m * ldc
        if columns == blockColumns {
            let raw = UnsafeMutableRawPointer(out)
            raw.storeBytes(of: r0, as: SIMD8<Float>.self)
            raw.storeBytes(of: r1, toByteOffset: 32, as: SIMD8<Float>.self)
            raw.storeBytes(of: r2, toByteOffset: 64, as: SIMD8<Float>.self)
        } else {
            for n in 0..<columns {
                out[n] = n < 8 ? r0[n] : (n < 16 ? r1[n - 8] : r2[n - 16])
            }
        }
    }
}
