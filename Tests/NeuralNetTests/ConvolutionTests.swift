@testable import NeuralNet
import Testing

@Suite("Convolution")
struct ConvolutionTests {
    /// (filters, channels, kh, kw, sy, sx, py, px, rows, cols)
    static let cases: [(Int, Int, Int, Int, Int, Int, Int, Int, Int, Int)] = [
        (1, 1, 1, 1, 1, 1, 0, 0, 1, 1),
        (4, 3, 3, 3, 1, 1, 1, 1, 7, 9),
        (5, 2, 3, 3, 2, 2, 0, 0, 11, 13),        // filters not a multiple of 4, stride 2
        (16, 3, 5, 5, 2, 2, 0, 0, 23, 37),       // detector layer 1 shape
        (45, 7, 5, 5, 1, 1, 2, 2, 9, 31),        // rcon-like, 45 filters
        (1, 6, 9, 9, 1, 1, 4, 4, 12, 10),        // final detector layer: one filter, big kernel
        (3, 2, 2, 4, 1, 3, 1, 0, 10, 17),        // non-square kernel, unequal strides
        (7, 4, 3, 2, 3, 1, 2, 1, 14, 8),
        (32, 3, 7, 7, 2, 2, 0, 0, 30, 30),       // face stem shape
        (9, 5, 3, 3, 1, 1, 1, 1, 1, 50),         // a single row
        (6, 2, 5, 5, 1, 1, 2, 2, 3, 3),          // padding larger than half the input
        (8, 3, 3, 3, 1, 1, 1, 1, 5, 70),         // wide rows: row-aligned strips, SIMD packing
        (5, 2, 5, 5, 2, 2, 0, 0, 9, 121),        // wide, stride 2 (even-element packing)
        (6, 3, 4, 3, 3, 3, 1, 2, 7, 160),        // wide, stride 3 (general packing)
        (1, 4, 9, 9, 1, 1, 4, 4, 6, 77),         // single filter: direct kernel
        (2, 3, 5, 5, 1, 1, 2, 2, 4, 100),        // two filters, wide
    ]

    @Test("matches the plain definition", arguments: 0..<cases.count)
    func matchesNaive(_ index: Int) {
        let (f, c, kh, kw, sy, sx, py, px, h, w) = Self.cases[index]
        var rng = TestRandom(seed: UInt64(index + 1))
        let conv = randomConvolution(&rng, filters: f, channels: c, kh: kh, kw: kw, sy: sy, sx: sx, py: py, px: px)
        let x = rng.tensor(samples: 2, channels: c, rows: h, columns: w)
        for threads in [1, 3] {
            let y = conv.forward(x, threads: threads)
            let expected = naiveConvolution(x, conv)
            #expect(y.rows == expected.rows && y.columns == expected.columns)
            #expect(maxDifference(y, expected) < 1e-4, "case \(index), threads \(threads)")
        }
    }

    @Test("fused affine and rectifier")
    func fused() {
        var rng = TestRandom(seed: 99)
        let conv = randomConvolution(&rng, filters: 6, channels: 3, kh: 3, kw: 3, sy: 1, sx: 1, py: 1, px: 1)
        let affine = Affine(gamma: rng.floats(6), beta: rng.floats(6))
        let x = rng.tensor(channels: 3, rows: 13, columns: 11)
        let separate = ReLU().forward(affine.forward(conv.forward(x)))
        let fusedConv = conv.fused(with: affine, relu: true)
        #expect(maxDifference(fusedConv.forward(x), separate) < 1e-5)
        #expect(maxDifference(fusedConv.forward(x), naiveConvolution(x, fusedConv)) < 1e-4)
        #expect(fusedConv.forward(x).values.allSatisfy { $0 >= 0 })
        #expect(conv.forward(x).values.contains { $0 < 0 })
    }

    @Test("output size follows dlib's formula")
    func outputSize() {
        var rng = TestRandom(seed: 5)
        let conv = randomConvolution(&rng, filters: 1, channels: 1, kh: 5, kw: 5, sy: 2, sx: 2, py: 0, px: 0)
        #expect(conv.outputSize(rows: 150, columns: 150) == (73, 73))
        let stem = randomConvolution(&rng, filters: 1, channels: 1, kh: 7, kw: 7, sy: 2, sx: 2, py: 0, px: 0)
        #expect(stem.outputSize(rows: 150, columns: 150) == (72, 72))
        #expect(conv.outputSize(rows: 4, columns: 9) == (0, 0))
        let empty = conv.forward(Tensor(channels: 1, rows: 4, columns: 9))
        #expect(empty.values.isEmpty)
    }
}
