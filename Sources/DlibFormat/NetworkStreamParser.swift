/// Reads a dlib DNN file whose architecture is known in advance (STYLE.md, "The model reader").
///
/// The caller declares the layers in input → output order (``LayerSpec``), mirroring the C++
/// network type. The file (DLIB-FORMAT.md §2) is: `int 1`, the loss record, then one wrapper
/// version per layer from the output down (1 for tag/skip wrappers, 2 for `add_layer`, 3 for the
/// `add_layer` directly on the input), the input record, and then every non-tag layer's record
/// and trailer in input → output order. Each record's version tag must be one of an explicit
/// set, and its hyper-parameters and parameter counts must equal the declared ones; any mismatch
/// is a ``DlibFormatError`` naming the layer (`"layer 12 of 131 (con_4)"`) and byte offset.
struct NetworkStreamParser {
    /// One layer of the declared architecture, above the input layer.
    enum LayerSpec {
        /// A tag or skip wrapper (byte-identical in the file, no record of its own).
        case tag
        /// `con_`: filters, input channels, square kernel size, stride and padding.
        case convolution(filters: Int, channels: Int, size: Int, stride: Int, padding: Int)
        /// `affine_` in CONV_MODE.
        case affine(channels: Int)
        /// `bn_con2`, to be loaded as an affine layer.
        case batchNorm(channels: Int)
        /// `relu_`.
        case relu
        /// `max_pool_2` or `avg_pool_2` with a square window (0 = the whole plane).
        case pool(PoolingLayer.Kind, size: Int, stride: Int)
        /// `add_prev_`.
        case addPrev
        /// `fc_2` without bias.
        case fullyConnected(inputs: Int, outputs: Int)

        /// The layer's main version tag, for messages.
        var tag: String {
            switch self {
            case .tag: "tag/skip wrapper"
            case .convolution: "con_4"
            case .affine: "affine_"
            case .batchNorm: "bn_con2"
            case .relu: "relu_"
            case .pool(.max, _, _): "max_pool_2"
            case .pool(.average, _, _): "avg_pool_2"
            case .addPrev: "add_prev_"
            case .fullyConnected: "fc_2"
            }
        }
    }

    /// A layer as read from the file.
    enum Layer {
        case tag
        case convolution(ConvolutionLayer)
        case affine(AffineLayer)
        case relu
        case pool(PoolingLayer)
        case addPrev
        case fullyConnected(FullyConnectedLayer)
    }

    private(set) var reader: DlibReader
    let specs: [LayerSpec]
    /// Index in `specs` of the next layer record to read.
    private(set) var next = 0

    /// Total layer count including the input layer, as used in messages.
    var layerCount: Int { specs.count + 1 }

    init(bytes: [UInt8], specs: [LayerSpec]) {
        self.reader = DlibReader(bytes: bytes, context: "file header")
        self.specs = specs
    }

    // MARK: - Framing

    /// Reads the loss layer's version and tag; returns the tag (the loss fields follow).
    mutating func readLossTag(accepted: [String]) throws(DlibFormatError) -> String {
        reader.context = "loss layer"
        try reader.expectInt(1, "loss layer (add_loss_layer) version")
        let tag = try reader.expectString(oneOf: accepted)
        reader.context = "loss layer (\(tag))"
        return tag
    }

    /// Reads the run of wrapper versions, outermost (output) first.
    mutating func readNesting() throws(DlibFormatError) {
        for i in stride(from: specs.count - 1, through: 0, by: -1) {
            let spec = specs[i]
            reader.context = "layer \(i + 2) of \(layerCount) (\(spec.tag)), wrapper version"
            switch spec {
            case .tag: try reader.expectInt(1, "tag/skip wrapper version")
            default:
                if i == 0 {
                    try reader.expectInt(3, "add_layer version (layer on the input)")
                } else {
                    try reader.expectInt(2, "add_layer version")
                }
            }
        }
    }

    /// Sets the context for the input layer record (layer 1) and reads its tag.
    mutating func readInputTag(accepted: [String]) throws(DlibFormatError) -> String {
        reader.context = "layer 1 of \(layerCount) (input)"
        let tag = try reader.expectString(oneOf: accepted)
        reader.context = "layer 1 of \(layerCount) (\(tag))"
        return tag
    }

    /// Reads the input layer's three channel means.
    mutating func readMean() throws(DlibFormatError) -> RGBMean {
        let r = try reader.readFloat(), g = try reader.readFloat(), b = try reader.readFloat()
        return RGBMean(red: r, green: g, blue: b)
    }

    /// Reads an unsigned field and checks it equals `expected`.
    mutating func expectUInt(_ expected: UInt64, _ what: String) throws(DlibFormatError) {
        let start = reader.offset
        let v = try reader.readUInt64()
        guard v == expected else { throw reader.error("\(what): expected \(expected), found \(v)", at: start) }
    }

    /// Reads a double (loss options and similar fields).
    mutating func readDouble() throws(DlibFormatError) -> Double { try reader.readDouble() }
    mutating func readUInt() throws(DlibFormatError) -> UInt64 { try reader.readUInt64() }
    mutating func readInt() throws(DlibFormatError) -> Int64 { try reader.readInt64() }
    mutating func readFloat() throws(DlibFormatError) -> Float { try reader.readFloat() }
    mutating func readBool() throws(DlibFormatError) -> Bool { try reader.readBool() }
    mutating func readByte() throws(DlibFormatError) -> UInt8 { try reader.readByte() }
    mutating func readString() throws(DlibFormatError) -> String { try reader.readString() }
    func error(_ message: String, at offset: Int? = nil) -> DlibFormatError { reader.error(message, at: offset) }

    /// Checks that every byte was consumed.
    func expectEnd() throws(DlibFormatError) {
        guard reader.isAtEnd else {
            var r = reader
            r.context = "end of file"
            throw r.error("\(reader.remaining) unexpected trailing bytes after the last layer")
        }
    }

    // MARK: - Layers

    /// Reads the next declared layer (record and trailer).
    mutating func nextLayer() throws(DlibFormatError) -> Layer {
        precondition(next < specs.count, "read past the declared network")
        let spec = specs[next]
        let index = next
        next += 1
        reader.context = "layer \(index + 2) of \(layerCount) (\(spec.tag))"
        let layer: Layer
        switch spec {
        case .tag:
            return .tag
        case let .convolution(filters, channels, size, stride, padding):
            layer = .convolution(try readConvolution(filters: filters, channels: channels, size: size, stride: stride, padding: padding))
        case let .affine(channels):
            layer = .affine(try readAffine(channels: channels))
        case let .batchNorm(channels):
            layer = .affine(try readBatchNorm(channels: channels))
        case .relu:
            let tag = try reader.expectString(oneOf: ["relu_", "relu_2"])
            if tag == "relu_2" { try expectFlag(false, "relu disabled flag") }
            layer = .relu
        case let .pool(kind, size, stride):
            layer = .pool(try readPool(kind: kind, size: size, stride: stride))
        case .addPrev:
            try reader.expectString("add_prev_")
            layer = .addPrev
        case let .fullyConnected(inputs, outputs):
            layer = .fullyConnected(try readFullyConnected(inputs: inputs, outputs: outputs))
        }
        try readTrailer(onInput: index == 0)
        return layer
    }

    /// The next layer, which the declaration says is a convolution.
    mutating func nextConvolution() throws(DlibFormatError) -> ConvolutionLayer {
        guard case let .convolution(c) = try nextLayer() else { preconditionFailure("declared layer is not a convolution") }
        return c
    }

    /// The next layer, which the declaration says is affine or batch norm.
    mutating func nextAffine() throws(DlibFormatError) -> AffineLayer {
        guard case let .affine(a) = try nextLayer() else { preconditionFailure("declared layer is not affine") }
        return a
    }

    /// The next layer, which the declaration says is a pooling layer.
    mutating func nextPool() throws(DlibFormatError) -> PoolingLayer {
        guard case let .pool(p) = try nextLayer() else { preconditionFailure("declared layer is not a pooling layer") }
        return p
    }

    /// The next layer, which the declaration says is fully connected.
    mutating func nextFullyConnected() throws(DlibFormatError) -> FullyConnectedLayer {
        guard case let .fullyConnected(f) = try nextLayer() else { preconditionFailure("declared layer is not fully connected") }
        return f
    }

    /// The next layer, which the declaration says has no parameters (tag, relu, add_prev).
    mutating func skipLayer() throws(DlibFormatError) {
        _ = try nextLayer()
    }

    // MARK: - Records

    private mutating func expectInteger(_ expected: Int, _ what: String) throws(DlibFormatError) {
        let start = reader.offset
        let v = try reader.readInt64()
        guard v == Int64(expected) else { throw reader.error("\(what): expected \(expected), found \(v)", at: start) }
    }

    private mutating func expectFlag(_ expected: Bool, _ what: String) throws(DlibFormatError) {
        let start = reader.offset
        let v = try reader.readBool()
        guard v == expected else { throw reader.error("\(what): expected \(expected), found \(v)", at: start) }
    }

    private mutating func expectAlias(_ shape: (Int, Int, Int, Int), _ what: String) throws(DlibFormatError) {
        let start = reader.offset
        let a = try reader.readAliasTensor()
        guard a.n == shape.0, a.k == shape.1, a.nr == shape.2, a.nc == shape.3 else {
            throw reader.error("\(what) shape: expected \(shape.0)x\(shape.1)x\(shape.2)x\(shape.3), found \(a.n)x\(a.k)x\(a.nr)x\(a.nc)", at: start)
        }
    }

    private mutating func readParams(count: Int, _ what: String) throws(DlibFormatError) -> [Float] {
        let start = reader.offset
        let t = try reader.readTensor()
        guard t.values.count == count else {
            throw reader.error("\(what): expected \(count) values, found \(t.values.count)", at: start)
        }
        return t.values
    }

    private mutating func readMultipliers(_ count: Int) throws(DlibFormatError) {
        for _ in 0..<count { _ = try reader.readDouble() }
    }

    private mutating func readConvolution(filters: Int, channels: Int, size: Int, stride: Int, padding: Int) throws(DlibFormatError) -> ConvolutionLayer {
        let tag = try reader.expectString(oneOf: ["con_4", "con_5", "con_6"])
        reader.context = "layer \(next + 1) of \(layerCount) (\(tag))"
        let weightCount = filters * channels * size * size
        let params = try readParams(count: weightCount + filters, "convolution parameters")
        try expectInteger(filters, "num_filters")
        try expectInteger(size, "kernel rows")
        try expectInteger(size, "kernel columns")
        try expectInteger(stride, "stride_y")
        try expectInteger(stride, "stride_x")
        try expectInteger(padding, "padding_y")
        try expectInteger(padding, "padding_x")
        try expectAlias((filters, channels, size, size), "filters alias")
        try expectAlias((1, filters, 1, 1), "biases alias")
        try readMultipliers(4)
        if tag != "con_4" { try expectFlag(true, "use_bias") }
        if tag == "con_6" { try expectFlag(false, "use_relu") }
        return ConvolutionLayer(filterCount: filters, inputChannels: channels, kernelRows: size, kernelColumns: size,
                                strideY: stride, strideX: stride, paddingY: padding, paddingX: padding,
                                weights: Array(params[0..<weightCount]), biases: Array(params[weightCount...]))
    }

    private mutating func readAffine(channels: Int) throws(DlibFormatError) -> AffineLayer {
        let tag = try reader.expectString(oneOf: ["affine_", "affine_2"])
        reader.context = "layer \(next + 1) of \(layerCount) (\(tag))"
        let params = try readParams(count: 2 * channels, "affine parameters")
        try expectAlias((1, channels, 1, 1), "gamma alias")
        try expectAlias((1, channels, 1, 1), "beta alias")
        try expectInteger(0, "affine mode (0 = per channel)")
        if tag == "affine_2" { try expectFlag(false, "affine disabled flag") }
        return AffineLayer(gamma: Array(params[0..<channels]), beta: Array(params[channels...]))
    }

    private mutating func readBatchNorm(channels: Int) throws(DlibFormatError) -> AffineLayer {
        try reader.expectString("bn_con2")
        let params = try readParams(count: 2 * channels, "batch-norm parameters")
        try expectAlias((1, channels, 1, 1), "gamma alias")
        try expectAlias((1, channels, 1, 1), "beta alias")
        _ = try readParams(count: channels, "batch-norm means")
        _ = try readParams(count: channels, "batch-norm invstds")
        let mean = try readParams(count: channels, "batch-norm running means")
        let variance = try readParams(count: channels, "batch-norm running variances")
        _ = try reader.readUInt64()  // num_updates
        _ = try reader.readUInt64()  // running_stats_window_size
        try readMultipliers(4)
        let epsStart = reader.offset
        let eps = try reader.readDouble()
        guard eps.isFinite, eps > 0 else { throw reader.error("batch-norm epsilon \(eps) is not positive", at: epsStart) }
        // dlib's conversion when loading bn_ into affine_, in float32 (DLIB-FORMAT.md §3).
        let e = Float(eps)
        var gamma = [Float](repeating: 0, count: channels), beta = [Float](repeating: 0, count: channels)
        for i in 0..<channels {
            gamma[i] = params[i] / (variance[i] + e).squareRoot()
            beta[i] = params[channels + i] - gamma[i] * mean[i]
        }
        return AffineLayer(gamma: gamma, beta: beta)
    }

    private mutating func readPool(kind: PoolingLayer.Kind, size: Int, stride: Int) throws(DlibFormatError) -> PoolingLayer {
        try reader.expectString(kind == .max ? "max_pool_2" : "avg_pool_2")
        try expectInteger(size, "window rows")
        try expectInteger(size, "window columns")
        try expectInteger(stride, "stride_y")
        try expectInteger(stride, "stride_x")
        try expectInteger(0, "padding_y")
        try expectInteger(0, "padding_x")
        return PoolingLayer(kind: kind, windowRows: size, windowColumns: size, strideY: stride, strideX: stride,
                            paddingY: 0, paddingX: 0)
    }

    private mutating func readFullyConnected(inputs: Int, outputs: Int) throws(DlibFormatError) -> FullyConnectedLayer {
        let tag = try reader.expectString(oneOf: ["fc_2", "fc_3"])
        reader.context = "layer \(next + 1) of \(layerCount) (\(tag))"
        let outStart = reader.offset
        let o = try reader.readUInt64()
        guard o == UInt64(outputs) else { throw reader.error("num_outputs: expected \(outputs), found \(o)", at: outStart) }
        let inStart = reader.offset
        let i = try reader.readUInt64()
        guard i == UInt64(inputs) else { throw reader.error("num_inputs: expected \(inputs), found \(i)", at: inStart) }
        let weights = try readParams(count: inputs * outputs, "fully connected weights")
        try expectAlias((inputs, outputs, 1, 1), "weights alias")
        try expectAlias((0, 0, 0, 0), "biases alias")
        try expectInteger(1, "bias mode (1 = no bias)")
        try readMultipliers(4)
        if tag == "fc_3" { try expectFlag(false, "use_bias") }
        return FullyConnectedLayer(inputs: inputs, outputs: outputs, weights: weights)
    }

    /// The `add_layer` trailer: three bools and the (empty) gradient/output tensors.
    private mutating func readTrailer(onInput: Bool) throws(DlibFormatError) {
        for _ in 0..<3 { _ = try reader.readBool() }
        _ = try reader.readTensor()  // x_grad
        _ = try reader.readTensor()  // cached_output
        _ = try reader.readTensor()  // params_grad / grad_final
        if onInput { try expectUInt(1, "sample_expansion_factor") }
    }
}
