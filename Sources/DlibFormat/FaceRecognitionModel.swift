import Foundation

/// The parameters of dlib's face recognition ResNet (`dlib_face_recognition_resnet_model_v1.dat`,
/// the `anet_type` of `dnn_face_recognition_ex.cpp`; DLIB-FORMAT.md §4).
///
/// ```
/// net(x) = fc128( avg_everything( residualUnits( maxpool3x3/2( relu(affine(con7x7/2(32, x))) ) ) ) )
/// ares(x)      = relu( affine(con3x3(relu(affine(con3x3(x))))) + x )
/// ares_down(x) = relu( avgpool2x2/2(x) ⊕ affine(con3x3(relu(affine(con3x3/2(x))))) )
/// ```
/// Units (input → output): 3 × ares32, ares_down64, 3 × ares64, ares_down128, 2 × ares128,
/// ares_down256, 2 × ares256, ares_down256. `⊕` is dlib's zero-padded add.
public struct FaceRecognitionModel: Sendable {
    /// One residual unit: two 3 × 3 convolutions with affine layers, plus the shortcut.
    public struct ResidualUnit: Sendable, Equatable {
        /// First convolution (stride 2 in a down-sampling unit, else stride 1 with padding 1).
        public var convolution1: ConvolutionLayer
        public var affine1: AffineLayer
        /// Second convolution (stride 1, padding 1).
        public var convolution2: ConvolutionLayer
        public var affine2: AffineLayer
        /// The 2 × 2 / 2 average pool on the shortcut of a down-sampling unit; `nil` for identity.
        public var shortcutPool: PoolingLayer?
    }

    /// Means subtracted from each channel before dividing by 256.
    public var inputMean: RGBMean
    /// Input chips are `inputSize × inputSize` (150).
    public var inputSize: Int
    /// The 7 × 7 / 2 convolution on the input.
    public var stemConvolution: ConvolutionLayer
    public var stemAffine: AffineLayer
    /// The 3 × 3 / 2 max pool after the stem.
    public var stemPool: PoolingLayer
    /// The 14 residual units, input to output.
    public var residualUnits: [ResidualUnit]
    /// The average over each whole plane (window 0 × 0).
    public var finalPool: PoolingLayer
    /// The 256 → 128 projection without bias; its output is the descriptor.
    public var embedding: FullyConnectedLayer
    /// `loss_metric_2` margin (training only).
    public var lossMargin: Float
    /// `loss_metric_2` distance threshold (training only).
    public var distanceThreshold: Float

    /// Unit kinds and widths, input to output: `(filters, downsamples)`.
    static let unitPlan: [(filters: Int, down: Bool)] =
        [(32, false), (32, false), (32, false),
         (64, true), (64, false), (64, false), (64, false),
         (128, true), (128, false), (128, false),
         (256, true), (256, false), (256, false),
         (256, true)]

    /// The declared layers above the input, input to output (131 records with the input).
    static var layerSpecs: [NetworkStreamParser.LayerSpec] {
        var specs: [NetworkStreamParser.LayerSpec] = [
            .convolution(filters: 32, channels: 3, size: 7, stride: 2, padding: 0), .affine(channels: 32), .relu,
            .pool(.max, size: 3, stride: 2),
        ]
        var channels = 32
        for unit in unitPlan {
            let n = unit.filters
            specs.append(.tag)
            specs.append(.convolution(filters: n, channels: channels, size: 3, stride: unit.down ? 2 : 1, padding: unit.down ? 0 : 1))
            specs += [.affine(channels: n), .relu]
            specs.append(.convolution(filters: n, channels: n, size: 3, stride: 1, padding: 1))
            specs.append(.affine(channels: n))
            if unit.down { specs += [.tag, .tag, .pool(.average, size: 2, stride: 2)] }
            specs += [.addPrev, .relu]
            channels = n
        }
        specs.append(.pool(.average, size: 0, stride: 1))
        specs.append(.fullyConnected(inputs: 256, outputs: 128))
        return specs
    }

    /// Parses the model from the file's bytes.
    /// - Throws: ``DlibFormatError`` naming the layer and byte offset of the first problem:
    ///   an unexpected version tag, hyper-parameter or parameter count, a malformed value, a
    ///   truncated file, or bytes left over after the last layer.
    /// - Complexity: O(file size); the parameter tensors are copied in bulk.
    public init(bytes: [UInt8]) throws(DlibFormatError) {
        var p = NetworkStreamParser(bytes: bytes, specs: Self.layerSpecs)
        _ = try p.readLossTag(accepted: ["loss_metric_2"])
        lossMargin = try p.readFloat()
        distanceThreshold = try p.readFloat()
        try p.readNesting()
        _ = try p.readInputTag(accepted: ["input_rgb_image_sized"])
        inputMean = try p.readMean()
        try p.expectUInt(150, "input rows")
        try p.expectUInt(150, "input columns")
        inputSize = 150

        stemConvolution = try p.nextConvolution()
        stemAffine = try p.nextAffine()
        try p.skipLayer()  // relu
        stemPool = try p.nextPool()
        var units = [ResidualUnit]()
        for unit in Self.unitPlan {
            try p.skipLayer()  // tag1
            let c1 = try p.nextConvolution(), a1 = try p.nextAffine()
            try p.skipLayer()  // relu
            let c2 = try p.nextConvolution(), a2 = try p.nextAffine()
            var pool: PoolingLayer?
            if unit.down {
                try p.skipLayer()  // tag2
                try p.skipLayer()  // skip1
                pool = try p.nextPool()
            }
            try p.skipLayer()  // add_prev
            try p.skipLayer()  // relu
            units.append(ResidualUnit(convolution1: c1, affine1: a1, convolution2: c2, affine2: a2, shortcutPool: pool))
        }
        residualUnits = units
        finalPool = try p.nextPool()
        embedding = try p.nextFullyConnected()
        try p.expectEnd()
    }

    /// Reads and parses a model file.
    /// - Throws: ``DlibFormatError`` (with `file` set) when the file cannot be read or parsed.
    public init(contentsOf path: String) throws(DlibFormatError) {
        let bytes = try readDNNModelFile(path)
        do {
            try self.init(bytes: bytes)
        } catch {
            var e = error
            e.file = path
            throw e
        }
    }
}

/// Reads a whole model file into memory.
func readDNNModelFile(_ path: String) throws(DlibFormatError) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw DlibFormatError(message: "cannot read the model file (missing or unreadable)", offset: 0, context: "file", file: path)
    }
    return [UInt8](data)
}
