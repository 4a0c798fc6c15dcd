import DlibFormat
import Foundation
import NeuralNet

// Conversions from the parsed model records (DlibFormat) to the layer types (NeuralNet).

extension Convolution {
    init(_ layer: ConvolutionLayer) {
        self.init(filterCount: layer.filterCount, inputChannels: layer.inputChannels, kernelRows: layer.kernelRows,
                  kernelColumns: layer.kernelColumns, strideY: layer.strideY, strideX: layer.strideX,
                  paddingY: layer.paddingY, paddingX: layer.paddingX, weights: layer.weights, bias: layer.biases)
    }
}

extension Affine {
    init(_ layer: AffineLayer) {
        self.init(gamma: layer.gamma, beta: layer.beta)
    }
}

extension Pooling {
    init(_ layer: PoolingLayer) {
        self.init(kind: layer.kind == .max ? .max : .average, windowRows: layer.windowRows,
                  windowColumns: layer.windowColumns, strideY: layer.strideY, strideX: layer.strideX,
                  paddingY: layer.paddingY, paddingX: layer.paddingX)
    }
}

/// Result slots filled concurrently, one writer per index.
///
/// Each slot is written exactly once by the iteration that owns its index, under `lock`, and
/// read only after the parallel loop has finished.
final class DescriptorSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [[Float]]

    init(count: Int) {
        slots = [[Float]](repeating: [], count: count)
    }

    func set(_ index: Int, _ value: [Float]) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    var values: [[Float]] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}
