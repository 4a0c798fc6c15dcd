@testable import NeuralNet
import Testing

@Suite("Pooling, add_prev, affine, relu, fully connected")
struct LayerTests {
    /// Pooling written plainly from the definition (clipped windows; average over the clipped cells).
    func naivePool(_ x: Tensor, _ p: Pooling) -> Tensor {
        let kh = p.windowRows == 0 ? x.rows : p.windowRows, kw = p.windowColumns == 0 ? x.columns : p.windowColumns
        let (oh, ow) = p.outputSize(rows: x.rows, columns: x.columns)
        var y = Tensor(samples: x.samples, channels: x.channels, rows: oh, columns: ow)
        for n in 0..<x.samples {
            for k in 0..<x.channels {
                for r in 0..<oh {
                    for c in 0..<ow {
                        var values = [Float]()
                        for yy in 0..<kh {
                            for xx in 0..<kw {
                                let iy = r * p.strideY - p.paddingY + yy, ix = c * p.strideX - p.paddingX + xx
                                if iy >= 0 && iy < x.rows && ix >= 0 && ix < x.columns { values.append(x[n, k, iy, ix]) }
                            }
                        }
                        y[n, k, r, c] = p.kind == .max ? values.max()! : Float(values.reduce(0.0) { $0 + Double($1) } / Double(values.count))
                    }
                }
            }
        }
        return y
    }

    @Test("max and average pooling", arguments: [
        (Pooling.Kind.max, 3, 2, 0), (.average, 2, 2, 0), (.max, 3, 1, 1), (.average, 3, 2, 1), (.average, 2, 3, 0),
    ])
    func pooling(kind: Pooling.Kind, size: Int, stride: Int, padding: Int) {
        var rng = TestRandom(seed: 11)
        let x = rng.tensor(samples: 2, channels: 3, rows: 35, columns: 17)
        let p = Pooling(kind: kind, windowRows: size, windowColumns: size, strideY: stride, strideX: stride,
                        paddingY: padding, paddingX: padding)
        let y = p.forward(x)
        #expect(maxDifference(y, naivePool(x, p)) < 1e-6)
    }

    @Test("face-net pool shapes")
    func poolShapes() {
        let maxPool = Pooling(kind: .max, windowRows: 3, windowColumns: 3, strideY: 2, strideX: 2)
        #expect(maxPool.outputSize(rows: 72, columns: 72) == (35, 35))
        let avg = Pooling(kind: .average, windowRows: 2, windowColumns: 2, strideY: 2, strideX: 2)
        #expect(avg.outputSize(rows: 35, columns: 35) == (17, 17))
        #expect(avg.outputSize(rows: 8, columns: 8) == (4, 4))
    }

    @Test("average over everything")
    func poolEverything() {
        var rng = TestRandom(seed: 12)
        let x = rng.tensor(samples: 2, channels: 4, rows: 2, columns: 3)
        let y = Pooling(kind: .average, windowRows: 0, windowColumns: 0, strideY: 1, strideX: 1).forward(x)
        #expect(y.rows == 1 && y.columns == 1 && y.channels == 4 && y.samples == 2)
        for n in 0..<2 {
            for k in 0..<4 {
                var s: Float = 0
                for r in 0..<2 { for c in 0..<3 { s += x[n, k, r, c] } }
                #expect(abs(y[n, k, 0, 0] - s / 6) < 1e-6)
            }
        }
    }

    @Test("add_prev pads the smaller operand with zeros")
    func addPrevShapes() {
        var rng = TestRandom(seed: 13)
        // The face net's alevel1: pooled shortcut 128x4x4 and block output 256x3x3.
        let a = rng.tensor(channels: 128, rows: 4, columns: 4)
        let b = rng.tensor(channels: 256, rows: 3, columns: 3)
        let y = AddPrev.forward(a, b)
        #expect(y.channels == 256 && y.rows == 4 && y.columns == 4)
        for k in 0..<256 {
            for r in 0..<4 {
                for c in 0..<4 {
                    let va: Float = k < 128 ? a[0, k, r, c] : 0
                    let vb: Float = r < 3 && c < 3 ? b[0, k, r, c] : 0
                    #expect(y[0, k, r, c] == va + vb)
                }
            }
        }
        #expect(AddPrev.forward(b, a) == y)
        // Neither operand covers the other.
        let c = rng.tensor(samples: 2, channels: 1, rows: 5, columns: 2)
        let d = rng.tensor(samples: 1, channels: 3, rows: 2, columns: 4)
        let z = AddPrev.forward(c, d, relu: true)
        #expect(z.samples == 2 && z.channels == 3 && z.rows == 5 && z.columns == 4)
        #expect(z[1, 0, 4, 1] == max(c[1, 0, 4, 1], 0))
        #expect(z[0, 2, 1, 3] == max(d[0, 2, 1, 3], 0))
        #expect(z[0, 0, 1, 1] == max(c[0, 0, 1, 1] + d[0, 0, 1, 1], 0))
        #expect(z[1, 2, 4, 3] == 0)
    }

    @Test("affine, batch-norm conversion and relu")
    func elementwise() {
        var rng = TestRandom(seed: 14)
        let x = rng.tensor(samples: 2, channels: 3, rows: 4, columns: 5)
        let affine = Affine(gamma: [2, -1, 0.5], beta: [1, 0, -3])
        let y = affine.forward(x)
        #expect(y[1, 0, 2, 3] == 2 * x[1, 0, 2, 3] + 1)
        #expect(y[0, 2, 3, 4] == 0.5 * x[0, 2, 3, 4] - 3)
        let relu = ReLU().forward(x)
        #expect(relu.values == x.values.map { max($0, 0) })
        let bn = Affine(batchNormGamma: [2], beta: [1], runningMean: [0.5], runningVariance: [3.9999], epsilon: 1e-4)
        #expect(bn.gamma == [Float(2) / (Float(3.9999) + Float(1e-4)).squareRoot()])
        #expect(bn.beta == [1 - bn.gamma[0] * 0.5])
    }

    @Test("fully connected without bias")
    func fullyConnected() {
        var rng = TestRandom(seed: 15)
        let x = rng.tensor(samples: 2, channels: 6, rows: 1, columns: 1)
        let fc = FullyConnected(inputs: 6, outputs: 4, weights: rng.floats(24))
        let y = fc.forward(x)
        #expect(y.samples == 2 && y.channels == 4)
        for n in 0..<2 {
            for o in 0..<4 {
                var s: Double = 0
                for i in 0..<6 { s += Double(x[n, i, 0, 0]) * Double(fc.weights[i * 4 + o]) }
                #expect(abs(Double(y[n, o, 0, 0]) - s) < 1e-5)
            }
        }
    }
}
