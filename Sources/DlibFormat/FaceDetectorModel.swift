/// The parameters of dlib's MMOD CNN face detector (`mmod_human_face_detector.dat`;
/// DLIB-FORMAT.md §5.1):
///
/// ```
/// loss_mmod< con<1,9,9,1,1, rcon5<rcon5<rcon5< downsampler< input_rgb_image_pyramid<pyramid_down<6>> >>>>>>
/// downsampler = relu(bn(con5x5/2(32, relu(bn(con5x5/2(32, relu(bn(con5x5/2(16, ·)))))))))
/// rcon5       = relu(bn(con5x5/1 pad 2(45, ·)))
/// ```
/// The batch-norm layers are stored already converted to affine maps, as dlib does when the
/// network declares `affine` in their place. The output is one score channel at stride 8.
public struct FaceDetectorModel: Sendable {
    /// One convolution with the affine map and rectifier that follow it.
    public struct Stage: Sendable, Equatable {
        public var convolution: ConvolutionLayer
        /// `nil` for the final 9 × 9 convolution.
        public var affine: AffineLayer?
        public var relu: Bool
    }

    /// Means subtracted from each channel before dividing by 256.
    public var inputMean: RGBMean
    /// Rows/columns between pyramid levels in the tiled input (10).
    public var pyramidPadding: Int
    /// Rows/columns of zeros around the tiled input (11).
    public var pyramidOuterPadding: Int
    /// Each pyramid level is `(rate − 1)/rate` of the previous one; `pyramid_down<6>`.
    public var pyramidDownRate: Int
    /// The seven convolution stages, input to output.
    public var stages: [Stage]
    /// The loss layer's options (window size, NMS thresholds).
    public var options: MMODOptions

    static let stagePlan: [(filters: Int, channels: Int, size: Int, stride: Int, padding: Int, bn: Bool)] = [
        (16, 3, 5, 2, 0, true), (32, 16, 5, 2, 0, true), (32, 32, 5, 2, 0, true),
        (45, 32, 5, 1, 2, true), (45, 45, 5, 1, 2, true), (45, 45, 5, 1, 2, true),
        (1, 45, 9, 1, 4, false),
    ]

    static var layerSpecs: [NetworkStreamParser.LayerSpec] {
        var specs = [NetworkStreamParser.LayerSpec]()
        for s in stagePlan {
            specs.append(.convolution(filters: s.filters, channels: s.channels, size: s.size, stride: s.stride, padding: s.padding))
            if s.bn { specs += [.batchNorm(channels: s.filters), .relu] }
        }
        return specs
    }

    /// Parses the model from the file's bytes.
    /// - Throws: ``DlibFormatError`` naming the layer and byte offset of the first problem.
    public init(bytes: [UInt8]) throws(DlibFormatError) {
        var p = NetworkStreamParser(bytes: bytes, specs: Self.layerSpecs)
        _ = try p.readLossTag(accepted: ["loss_mmod_"])
        options = try Self.readOptions(&p)
        try p.readNesting()
        let inputTag = try p.readInputTag(accepted: ["input_rgb_image_pyramid", "input_rgb_image_pyramid2"])
        inputMean = try p.readMean()
        pyramidDownRate = 6
        if inputTag == "input_rgb_image_pyramid2" {
            let start = p.reader.offset
            let pad = try p.readUInt(), outer = try p.readUInt()
            guard pad <= 1000, outer <= 1000 else { throw p.error("pyramid padding \(pad)/\(outer) out of range", at: start) }
            pyramidPadding = Int(pad)
            pyramidOuterPadding = Int(outer)
        } else {
            pyramidPadding = 10
            pyramidOuterPadding = 11
        }
        var stages = [Stage]()
        for s in Self.stagePlan {
            let conv = try p.nextConvolution()
            var affine: AffineLayer?
            if s.bn {
                affine = try p.nextAffine()
                try p.skipLayer()  // relu
            }
            stages.append(Stage(convolution: conv, affine: affine, relu: s.bn))
        }
        self.stages = stages
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

    /// `mmod_options` (DLIB-FORMAT.md §2.3).
    private static func readOptions(_ p: inout NetworkStreamParser) throws(DlibFormatError) -> MMODOptions {
        let versionStart = p.reader.offset
        let version = try p.readInt()
        guard (1...4).contains(version) else { throw p.error("mmod_options version \(version) is not supported", at: versionStart) }
        var windows = [MMODOptions.DetectorWindow]()
        func size(_ p: inout NetworkStreamParser, _ what: String) throws(DlibFormatError) -> Int {
            let start = p.reader.offset
            let v = try p.readUInt()
            guard v >= 1, v <= 100_000 else { throw p.error("\(what) \(v) out of range", at: start) }
            return Int(v)
        }
        if version == 1 {
            let w = try size(&p, "window width"), h = try size(&p, "window height")
            windows.append(.init(width: w, height: h, label: ""))
        } else {
            let countStart = p.reader.offset
            let count = try p.readUInt()
            guard count >= 1, count <= 1000 else { throw p.error("detector window count \(count) out of range", at: countStart) }
            for _ in 0..<count {
                let vStart = p.reader.offset
                let v = try p.readInt()
                guard v == 1 || v == 2 else { throw p.error("detector window version \(v)", at: vStart) }
                let w = try size(&p, "window width"), h = try size(&p, "window height")
                windows.append(.init(width: w, height: h, label: v == 2 ? try p.readString() : ""))
            }
        }
        let fa = try p.readDouble(), miss = try p.readDouble(), truth = try p.readDouble()
        let nms = MMODOptions.OverlapTest(iouThreshold: try p.readDouble(), percentCoveredThreshold: try p.readDouble())
        let ignore = MMODOptions.OverlapTest(iouThreshold: try p.readDouble(), percentCoveredThreshold: try p.readDouble())
        var pyramid = true, bbr = false, lambda = 100.0
        if version >= 3 { pyramid = try p.readByte() != 0 }
        if version >= 4 {
            bbr = try p.readBool()
            lambda = try p.readDouble()
        }
        return MMODOptions(version: Int(version), detectorWindows: windows, lossPerFalseAlarm: fa, lossPerMissedTarget: miss,
                           truthMatchIOUThreshold: truth, overlapsNMS: nms, overlapsIgnore: ignore,
                           assumeImagePyramid: pyramid, useBoundingBoxRegression: bbr, boundingBoxRegressionLambda: lambda)
    }
}
