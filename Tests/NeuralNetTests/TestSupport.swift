@testable import NeuralNet

/// A small deterministic generator (64-bit LCG) so that test data is reproducible.
struct TestRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed &* 6364136223846793005 &+ 1442695040888963407 }

    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 11
    }

    /// Uniform in [-1, 1).
    mutating func float() -> Float { Float(Double(next() % 2_000_001) / 1_000_000 - 1) }

    mutating func floats(_ n: Int) -> [Float] { (0..<n).map { _ in float() } }

    mutating func tensor(samples: Int = 1, channels: Int, rows: Int, columns: Int) -> Tensor {
        Tensor(samples: samples, channels: channels, rows: rows, columns: columns,
               values: floats(samples * channels * rows * columns))
    }
}

/// Largest absolute element difference; `.infinity` when the shapes differ.
func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
    guard a.samples == b.samples, a.channels == b.channels, a.rows == b.rows, a.columns == b.columns else { return .infinity }
    var m: Float = 0
    for i in a.values.indices { m = max(m, abs(a.values[i] - b.values[i])) }
    return m
}

/// The convolution written plainly from its definition (DLIB-FORMAT.md §3), in Double.
func naiveConvolution(_ x: Tensor, _ conv: Convolution) -> Tensor {
    let (oh, ow) = conv.outputSize(rows: x.rows, columns: x.columns)
    var y = Tensor(samples: x.samples, channels: conv.filterCount, rows: oh, columns: ow)
    let kh = conv.kernelRows, kw = conv.kernelColumns, c = conv.inputChannels
    for n in 0..<x.samples {
        for f in 0..<conv.filterCount {
            for r in 0..<oh {
                for col in 0..<ow {
                    var sum = Double(conv.bias[f])
                    for k in 0..<c {
                        for yy in 0..<kh {
                            for xx in 0..<kw {
                                let iy = r * conv.strideY - conv.paddingY + yy
                                let ix = col * conv.strideX - conv.paddingX + xx
                                guard iy >= 0, iy < x.rows, ix >= 0, ix < x.columns else { continue }
                                sum += Double(conv.weights[((f * c + k) * kh + yy) * kw + xx]) * Double(x[n, k, iy, ix])
                            }
                        }
                    }
                    var v = Float(sum) * conv.scale[f] + conv.shift[f]
                    if conv.appliesReLU { v = max(v, 0) }
                    y[n, f, r, col] = v
                }
            }
        }
    }
    return y
}

func randomConvolution(_ rng: inout TestRandom, filters: Int, channels: Int, kh: Int, kw: Int,
                       sy: Int, sx: Int, py: Int, px: Int) -> Convolution {
    Convolution(filterCount: filters, inputChannels: channels, kernelRows: kh, kernelColumns: kw,
                strideY: sy, strideX: sx, paddingY: py, paddingX: px,
                weights: rng.floats(filters * channels * kh * kw), bias: rng.floats(filters))
}
