import Basics
import Dispatch
import DlibFormat
import Imaging
import NeuralNet

/// dlib's face recognition ResNet: maps an aligned 150 × 150 face chip to a 128-value
/// descriptor (DLIB-FORMAT.md §4). Descriptors of the same person are close in Euclidean
/// distance (face_recognition uses 0.6 as the match threshold).
///
/// The network is immutable after construction, so one instance can serve any number of
/// threads at once.
public final class FaceDescriptorNetwork: Sendable {
    /// One residual unit with its convolutions' affine maps and rectifiers fused in.
    struct Unit: Sendable {
        /// conv → affine → relu.
        var first: Convolution
        /// conv → affine (the rectifier comes after the residual add).
        var second: Convolution
        /// The shortcut's 2 × 2 average pool in a down-sampling unit.
        var shortcutPool: Pooling?
    }

    let mean: RGBMean
    let stem: Convolution
    let stemPool: Pooling
    let units: [Unit]
    let finalPool: Pooling
    let embedding: FullyConnected

    /// Side of the square input chip (150).
    public let chipSize: Int

    /// Builds the network from parsed model parameters.
    public init(model: FaceRecognitionModel) {
        mean = model.inputMean
        chipSize = model.inputSize
        stem = Convolution(model.stemConvolution).fused(with: Affine(model.stemAffine), relu: true)
        stemPool = Pooling(model.stemPool)
        units = model.residualUnits.map { u in
            Unit(first: Convolution(u.convolution1).fused(with: Affine(u.affine1), relu: true),
                 second: Convolution(u.convolution2).fused(with: Affine(u.affine2), relu: false),
                 shortcutPool: u.shortcutPool.map(Pooling.init))
        }
        finalPool = Pooling(model.finalPool)
        embedding = FullyConnected(inputs: model.embedding.inputs, outputs: model.embedding.outputs,
                                   weights: model.embedding.weights)
    }

    /// Loads `dlib_face_recognition_resnet_model_v1.dat`.
    /// - Throws: ``DlibFormatError`` when the file is missing or malformed.
    public convenience init(contentsOf path: String) throws {
        self.init(model: try FaceRecognitionModel(contentsOf: path))
    }

    /// The 128-value descriptor of one aligned face chip.
    ///
    /// Uses all cores for the chip's convolutions; to describe many chips, prefer
    /// ``descriptors(chips:)``, which runs one chip per core.
    /// - Parameter chip: a `chipSize × chipSize` RGB chip (from the face chip extractor).
    /// - Precondition: the chip is `chipSize × chipSize`.
    /// - Complexity: about 1.1 GFLOP per chip.
    public func descriptor(chip: RGBImage) -> [Float] {
        forward(chip, threads: defaultThreadCount)
    }

    /// The descriptor of one chip, computed on at most `threads` threads (1 = the caller's thread
    /// only; use this when the caller already runs one chip per core).
    /// - Precondition: the chip is `chipSize × chipSize`.
    public func descriptor(chip: RGBImage, threads: Int) -> [Float] {
        forward(chip, threads: max(threads, 1))
    }

    /// Descriptors of several chips, in order, computed in parallel (one chip per thread).
    /// - Precondition: every chip is `chipSize × chipSize`.
    public func descriptors(chips: [RGBImage]) -> [[Float]] {
        let threads = defaultThreadCount
        if chips.count < threads {
            // Too few chips to keep every core busy one per chip: split each chip instead.
            return chips.map { forward($0, threads: threads) }
        }
        return ParallelWork.map(count: chips.count, workers: threads) { i in self.forward(chips[i], threads: 1) }
    }

    /// Floating-point operations of one chip's convolutions and fully connected layer (a
    /// multiply-add counts 2; pooling, affine maps and additions are not counted).
    public var flopsPerChip: Double {
        var rows = chipSize, columns = chipSize, total = 0.0
        func conv(_ c: Convolution) {
            let o = c.outputSize(rows: rows, columns: columns)
            total += 2 * Double(c.filterCount * c.inputChannels * c.kernelRows * c.kernelColumns) * Double(o.rows * o.columns)
            (rows, columns) = o
        }
        conv(stem)
        (rows, columns) = stemPool.outputSize(rows: rows, columns: columns)
        for unit in units {
            conv(unit.first)
            conv(unit.second)
        }
        return total + 2 * Double(embedding.inputs * embedding.outputs)
    }

    /// The whole forward pass.
    func forward(_ chip: RGBImage, threads: Int) -> [Float] {
        var x = inputTensor(chip)
        x = stemPool.forward(stem.forward(x, threads: threads))
        for unit in units {
            let y = unit.second.forward(unit.first.forward(x, threads: threads), threads: threads)
            let shortcut = unit.shortcutPool.map { $0.forward(x) } ?? x
            x = AddPrev.forward(shortcut, y, relu: true)
        }
        x = finalPool.forward(x)
        return embedding.forward(x).values
    }

    /// `(Float(pixel) − mean) / 256` per channel, planes R, G, B (DLIB-FORMAT.md §3).
    func inputTensor(_ chip: RGBImage) -> Tensor {
        precondition(chip.width == chipSize && chip.height == chipSize,
                     "face chip must be \(chipSize)x\(chipSize), got \(chip.width)x\(chip.height)")
        let plane = chipSize * chipSize
        var values = [Float](repeating: 0, count: 3 * plane)
        let means = [mean.red, mean.green, mean.blue]
        chip.pixels.withUnsafeBufferPointer { src in
            values.withUnsafeMutableBufferPointer { dst in
                for ch in 0..<3 {
                    let m = means[ch]
                    for i in 0..<plane { dst[ch * plane + i] = (Float(src[i * 3 + ch]) - m) / 256 }
                }
            }
        }
        return Tensor(channels: 3, rows: chipSize, columns: chipSize, values: values)
    }
}

