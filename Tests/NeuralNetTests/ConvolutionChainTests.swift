@testable import NeuralNet
import Testing

@Suite("ConvolutionChain")
struct ConvolutionChainTests {
    /// A detector-shaped chain (three stride-2 stages, then stride-1 stages), small widths.
    static func chain(_ rng: inout TestRandom) -> ConvolutionChain {
        let specs: [(Int, Int, Int, Int, Int)] = [  // filters, channels, size, stride, padding
            (5, 3, 5, 2, 0), (6, 5, 5, 2, 0), (4, 6, 3, 2, 0), (7, 4, 5, 1, 2), (1, 7, 9, 1, 4),
        ]
        return ConvolutionChain(stages: specs.map { f, c, k, s, p in
            randomConvolution(&rng, filters: f, channels: c, kh: k, kw: k, sy: s, sx: s, py: p, px: p)
                .fused(with: Affine(gamma: rng.floats(f), beta: rng.floats(f)), relu: f > 1)
        })
    }

    @Test("banded evaluation equals layer-by-layer evaluation", arguments: [1, 2, 5, 64])
    func bandedEqualsLayered(bandRows: Int) {
        var rng = TestRandom(seed: 7)
        let chain = Self.chain(&rng)
        let x = rng.tensor(channels: 3, rows: 157, columns: 61)
        var layered = x
        for stage in chain.stages { layered = stage.forward(layered, threads: 1) }
        let banded = x.values.withUnsafeBufferPointer {
            chain.forward(input: $0, rows: x.rows, columns: x.columns, bandRows: bandRows, threads: 2)
        }
        #expect(layered.rows > 10)
        #expect(banded.rows == layered.rows && banded.columns == layered.columns)
        #expect(maxDifference(banded, layered) < 1e-5)
        let size = chain.outputSize(rows: x.rows, columns: x.columns)
        #expect(size.rows == layered.rows && size.columns == layered.columns && size.channels == 1)
    }

    @Test("banded evaluation at widths around the 24-pixel strip and 32-column chunk sizes",
          arguments: [(60, 43), (75, 200), (64, 117), (58, 300)])
    func widths(rows: Int, columns: Int) {
        var rng = TestRandom(seed: UInt64(rows * 1000 + columns))
        let chain = Self.chain(&rng)
        let x = rng.tensor(channels: 3, rows: rows, columns: columns)
        var layered = x
        for stage in chain.stages { layered = stage.forward(layered, threads: 1) }
        let banded = x.values.withUnsafeBufferPointer {
            chain.forward(input: $0, rows: x.rows, columns: x.columns, bandRows: 3, threads: 2)
        }
        #expect(layered.values.count > 0)
        let scale = max(1, layered.values.map(abs).max() ?? 0)
        #expect(maxDifference(banded, layered) / scale < 1e-6)
        // And against the plain definition, stage by stage.
        var naive = x
        for stage in chain.stages { naive = naiveConvolution(naive, stage) }
        #expect(maxDifference(banded, naive) / scale < 1e-5)
    }

    @Test("an input smaller than the receptive field gives an empty output")
    func tooSmall() {
        var rng = TestRandom(seed: 8)
        let chain = Self.chain(&rng)
        let x = rng.tensor(channels: 3, rows: 20, columns: 200)
        let y = x.values.withUnsafeBufferPointer { chain.forward(input: $0, rows: 20, columns: 200) }
        #expect(y.values.isEmpty)
    }
}
