// Plain records for the layers of dlib's DNN model files. They carry exactly what inference
// needs; the parser (NetworkStreamParser) has already checked version tags, hyper-parameters
// and parameter counts against the network's declared architecture.

/// The per-channel means an `input_rgb_image*` layer subtracts (floats from the file).
public struct RGBMean: Sendable, Equatable {
    public var red: Float
    public var green: Float
    public var blue: Float

    public init(red: Float, green: Float, blue: Float) {
        self.red = red
        self.green = green
        self.blue = blue
    }
}

/// A convolution layer (`con_4`…`con_6`) with bias.
public struct ConvolutionLayer: Sendable, Equatable {
    public var filterCount: Int
    public var inputChannels: Int
    public var kernelRows: Int
    public var kernelColumns: Int
    public var strideY: Int
    public var strideX: Int
    public var paddingY: Int
    public var paddingX: Int
    /// `filterCount × inputChannels × kernelRows × kernelColumns` weights, row-major.
    public var weights: [Float]
    /// One bias per filter.
    public var biases: [Float]
}

/// A per-channel affine layer `y = gamma · x + beta`: an `affine_` layer, or a `bn_con2` layer
/// converted as dlib does when a network declares `affine` in its place (DLIB-FORMAT.md §3).
public struct AffineLayer: Sendable, Equatable {
    public var gamma: [Float]
    public var beta: [Float]
}

/// A pooling layer (`max_pool_2`, `avg_pool_2`). Window 0 × 0 pools each whole plane.
public struct PoolingLayer: Sendable, Equatable {
    /// The reduction a pooling layer applies.
    public enum Kind: Sendable, Equatable {
        /// `max_pool_2`.
        case max
        /// `avg_pool_2`.
        case average
    }

    public var kind: Kind
    public var windowRows: Int
    public var windowColumns: Int
    public var strideY: Int
    public var strideX: Int
    public var paddingY: Int
    public var paddingX: Int
}

/// A fully connected layer without bias (`fc_2` with bias mode 1).
public struct FullyConnectedLayer: Sendable, Equatable {
    public var inputs: Int
    public var outputs: Int
    /// `inputs × outputs` weights, row-major (`W[i][o]`).
    public var weights: [Float]
}
