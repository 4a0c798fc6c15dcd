import DlibFormat
import NeuralNet

/// The convolutional part of dlib's MMOD CNN face detector (DLIB-FORMAT.md §5.1): from the
/// normalised, tiled image-pyramid tensor to the score map.
///
/// Output cell `(r, c)` scores an 80 × 80 window centred on tensor point
/// `(x, y) = (8c + 14, 8r + 14)`; a score above 0 is a detection candidate. Building the input
/// tensor and decoding detections (pyramid mapping, NMS with ``options``) happen elsewhere.
///
/// The forward pass streams the input in horizontal bands through all seven convolutions
/// (``ConvolutionChain``), so its extra memory is a few rows per layer (tens of MB) however large
/// the input is. It is immutable and safe to share between threads.
public final class DetectorNetwork: Sendable {
    /// The parsed model, including its loss options and input means.
    public let model: FaceDetectorModel
    let chain: ConvolutionChain

    /// Builds the network from parsed model parameters.
    public init(model: FaceDetectorModel) {
        self.model = model
        chain = ConvolutionChain(stages: model.stages.map { stage in
            Convolution(stage.convolution).fused(with: stage.affine.map(Affine.init), relu: stage.relu)
        })
    }

    /// Loads `mmod_human_face_detector.dat`.
    /// - Throws: ``DlibFormatError`` when the file is missing or malformed.
    public convenience init(contentsOf path: String) throws {
        self.init(model: try FaceDetectorModel(contentsOf: path))
    }

    /// The loss layer's options: detection window size and NMS overlap thresholds.
    public var options: MMODOptions { model.options }

    /// One name per convolution, input to output, e.g. `conv1 5x5/2 3->16`.
    public var stageNames: [String] {
        chain.stages.enumerated().map { i, c in
            "conv\(i + 1) \(c.kernelRows)x\(c.kernelColumns)/\(c.strideY) \(c.inputChannels)->\(c.filterCount)"
        }
    }

    /// Score-map rows the chain computes per step. 16: since the convolutions read their input
    /// in place, smaller steps keep each layer's rows in the L2 cache, and against 64 the stride-2
    /// layers conv2 and conv3 ran at 83 and 84 % of the FMA peak per processor-second rather than
    /// 67 and 79 %, all seven convolutions in 5 % less time (`frs bench faces` on four 1280 × 720
    /// surveillance-like probes, the two settings alternated 5 times on a 2-core EPYC, load 1.7;
    /// conv7, with 4× as many small steps, fell from 73 to 67 %). 8 was no faster than 16; 32 and
    /// 48 were in between. It also holds fewer intermediate rows. On small photos (obama.jpg and
    /// obama2.jpg, `scripts/bench-faces-ab.sh`) the processor time fell about 3 % but the wall
    /// time did not (0–5 % more): the more frequent steps' hand-overs between the threads cost
    /// there what the cache gains.
    static let bandRows = 16

    /// Score-map rows per step for a tensor `cols` wide: ``bandRows``, and more for narrow
    /// tensors (the booking pipeline's small levels, 250–600 columns), up to 64, so that a step
    /// holds about as many values as a step of a 1200-column tensor: each step's hand-overs
    /// between the threads cost the same whatever its width, and a narrow step's rows still fit
    /// the L2 cache. On the 56 photos of `scripts/bench-enroll-bands.sh`'s 20–25 % band, one photo
    /// at a time (`frs bench faces --booking`), the booking pipeline's wall time fell about 3 %
    /// against 16; in `frs gallery enroll` (two photos at once) the processor time did not change
    /// measurably (caps of 16, 32 and 64 within 1 %). The full pipeline's tensors are wider: unchanged.
    static func bandRows(columns cols: Int) -> Int {
        min(64, max(bandRows, bandRows * 1200 / max(cols, 1)))
    }

    /// Total stride from input tensor to score map (8).
    public var outputStride: Int { chain.stages.reduce(1) { $0 * $1.strideY } }

    /// Score-map size for an input tensor of `rows × cols`.
    public func outputSize(rows: Int, cols: Int) -> (rows: Int, cols: Int) {
        let s = chain.outputSize(rows: rows, columns: cols)
        return (s.rows, s.columns)
    }

    /// Runs the network on a planar input tensor.
    ///
    /// - Parameters:
    ///   - input: `3 × rows × cols` floats, planes R, G, B, already normalised
    ///     (`(pixel − mean) / 256`), as laid out by the tiled pyramid.
    ///   - rows: tensor rows.
    ///   - cols: tensor columns.
    ///   - threads: threads to use (default: all active processors).
    /// - Returns: the score map, `rows × cols` row-major (empty when the input is smaller than the
    ///   network's receptive field).
    /// - Precondition: `input.count >= 3 * rows * cols`.
    ///   - profile: if given, per-convolution time and FLOPs are added to it (``stageNames`` order).
    public func scores(input: UnsafeBufferPointer<Float>, rows: Int, cols: Int,
                       threads: Int = defaultThreadCount, profile: ConvolutionChain.Profile? = nil)
        -> (scores: [Float], rows: Int, cols: Int)
    {
        let out = chain.forward(input: input, rows: rows, columns: cols, bandRows: Self.bandRows(columns: cols), threads: threads,
                                profile: profile)
        return (out.values, out.rows, out.columns)
    }
}
