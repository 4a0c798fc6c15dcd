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
