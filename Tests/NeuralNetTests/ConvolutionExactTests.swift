@testable import NeuralNet
import Testing

/// The convolution's exact arithmetic, bit for bit: every kernel (packed GEMM, the kernels that
/// read rows in place, the single-filter direct kernel) must give exactly these floats, so that
/// the detector's scores and the descriptors never move when a kernel changes.
///
/// The contract: for each output, one float accumulator starting at +0 takes one fused
/// multiply-add per reduction index `k = (channel, ky, kx)` in increasing `k` (taps in the zero
/// padding contribute `w · 0`); then `((acc + bias) · scale) + shift`, each operation rounded
/// separately, and the rectifier replaces values `< 0` by 0.
@Suite("Convolution, bit-exact")
struct ConvolutionExactTests {
    /// (filters, channels, kh, kw, sy, sx, py, px, rows, cols): odd sizes, widths around the
    /// 8/16/24-pixel blocks and the 48-column switch to row-aligned strips, detector and
    /// face-net shapes, strides 1–3, padding wider than the input.
    static let cases: [(Int, Int, Int, Int, Int, Int, Int, Int, Int, Int)] = [
        (16, 3, 5, 5, 2, 2, 0, 0, 29, 121),      // detector conv1 shape
        (32, 16, 5, 5, 2, 2, 0, 0, 15, 97),      // detector conv2 shape
        (45, 32, 5, 5, 1, 1, 2, 2, 7, 61),       // detector conv4 shape
        (45, 45, 5, 5, 1, 1, 2, 2, 6, 50),       // detector conv5 shape
        (1, 45, 9, 9, 1, 1, 4, 4, 7, 83),        // detector conv7 shape
        (1, 3, 9, 9, 1, 1, 4, 4, 5, 7),          // single filter, narrower than a vector
        (1, 2, 3, 3, 1, 1, 1, 1, 9, 130),        // single filter, odd width
        (5, 3, 3, 3, 1, 1, 1, 1, 11, 49),        // 5 filters, one column past two strips
        (9, 4, 3, 3, 1, 1, 0, 0, 6, 73),         // stride 1, no padding
        (10, 3, 3, 3, 1, 1, 1, 1, 4, 48),
        (7, 2, 5, 5, 2, 2, 0, 0, 13, 101),       // stride 2, odd input width
        (6, 2, 4, 4, 2, 2, 1, 1, 12, 99),        // stride 2 with padding
        (4, 3, 3, 2, 3, 1, 1, 0, 14, 70),        // unequal strides
        (6, 3, 4, 3, 3, 3, 1, 2, 7, 160),        // stride 3
        (32, 3, 7, 7, 2, 2, 0, 0, 30, 30),       // face stem shape (linear strips)
        (13, 6, 3, 3, 1, 1, 1, 1, 17, 17),       // face-net narrow map
        (3, 2, 5, 5, 1, 1, 2, 2, 3, 3),          // padding wider than half the input
        (47, 5, 3, 3, 1, 1, 1, 1, 3, 55),        // filters past a multiple of 4 and 5
        (40, 3, 5, 5, 2, 2, 0, 0, 9, 103),       // stride 2 read in place (column split), odd width
        (12, 9, 3, 3, 1, 1, 1, 1, 5, 77),        // stride 1 read in place in two channel parts
    ]

    @Test("forward equals the exact arithmetic", arguments: 0..<cases.count)
    func forward(_ index: Int) {
        let (f, c, kh, kw, sy, sx, py, px, h, w) = Self.cases[index]
        var rng = TestRandom(seed: UInt64(1000 + index))
        let conv = randomConvolution(&rng, filters: f, channels: c, kh: kh, kw: kw, sy: sy, sx: sx, py: py, px: px)
            .fused(with: Affine(gamma: rng.floats(f), beta: rng.floats(f)), relu: index % 2 == 0)
        let x = rng.tensor(samples: 2, channels: c, rows: h, columns: w)
        let expected = exactConvolution(x, conv)
        for threads in [1, 2, 3] {
            let y = conv.forward(x, threads: threads)
            #expect(y.rows == expected.rows && y.columns == expected.columns)
            #expect(firstBitDifference(y, expected) == nil, "case \(index), threads \(threads)")
        }
    }

    /// A detector-shaped chain at small widths: every stage's kernel, banded, bit for bit.
    @Test("banded chain equals the exact arithmetic layer by layer",
          arguments: [(61, 43, 1), (75, 200, 3), (64, 117, 16), (58, 301, 5), (90, 77, 2)])
    func chain(rows: Int, columns: Int, bandRows: Int) {
        var rng = TestRandom(seed: UInt64(rows * 1000 + columns))
        let specs: [(Int, Int, Int, Int, Int)] = [  // filters, channels, size, stride, padding
            (16, 3, 5, 2, 0), (24, 16, 5, 2, 0), (8, 24, 3, 2, 0), (10, 8, 5, 1, 2), (5, 10, 5, 1, 2), (1, 5, 9, 1, 4),
        ]
        let chain = ConvolutionChain(stages: specs.map { f, c, k, s, p in
            randomConvolution(&rng, filters: f, channels: c, kh: k, kw: k, sy: s, sx: s, py: p, px: p)
                .fused(with: Affine(gamma: rng.floats(f), beta: rng.floats(f)), relu: f > 1)
        })
        let x = rng.tensor(channels: 3, rows: rows, columns: columns)
        var expected = x
        for stage in chain.stages { expected = exactConvolution(expected, stage) }
        for threads in [1, 2] {
            let banded = x.values.withUnsafeBufferPointer {
                chain.forward(input: $0, rows: x.rows, columns: x.columns, bandRows: bandRows, threads: threads)
            }
            #expect(expected.values.count > 0)
            #expect(banded.rows == expected.rows && banded.columns == expected.columns)
            #expect(firstBitDifference(banded, expected) == nil, "threads \(threads)")
        }
    }
}

/// The index of the first element whose bits differ, or -1 when the shapes differ; nil when equal.
func firstBitDifference(_ a: Tensor, _ b: Tensor) -> Int? {
    guard a.samples == b.samples, a.channels == b.channels, a.rows == b.rows, a.columns == b.columns else { return -1 }
    return a.values.indices.first { a.values[$0].bitPattern != b.values[$0].bitPattern }
}

/// The convolution in scalar Float with the exact operation sequence described on
/// ``ConvolutionExactTests``.
func exactConvolution(_ x: Tensor, _ conv: Convolution) -> Tensor {
    let (oh, ow) = conv.outputSize(rows: x.rows, columns: x.columns)
    var y = Tensor(samples: x.samples, channels: conv.filterCount, rows: oh, columns: ow)
    let kh = conv.kernelRows, kw = conv.kernelColumns, c = conv.inputChannels
    for n in 0..<x.samples {
        for f in 0..<conv.filterCount {
            for r in 0..<oh {
                for col in 0..<ow {
                    var acc: Float = 0
                    for k in 0..<c {
                        for yy in 0..<kh {
                            for xx in 0..<kw {
                                let iy = r * conv.strideY - conv.paddingY + yy
                                let ix = col * conv.strideX - conv.paddingX + xx
                                let inside = iy >= 0 && iy < x.rows && ix >= 0 && ix < x.columns
                                let w = conv.weights[((f * c + k) * kh + yy) * kw + xx]
                                acc = acc.addingProduct(w, inside ? x[n, k, iy, ix] : 0)
                            }
                        }
                    }
                    let biased = acc + conv.bias[f]
                    let scaled = biased * conv.scale[f]
                    var v = scaled + conv.shift[f]
                    if conv.appliesReLU && v < 0 { v = 0 }
                    y[n, f, r, col] = v
                }
            }
        }
    }
    return y
}
