import DlibFormat
import Dispatch
import Imaging
import NeuralNet

/// dlib's MMOD CNN face detector end to end (`cnn_face_detection_model_v1`, DLIB-FORMAT.md §5):
/// optional 2× upsampling, the tiled image pyramid, the network's score map, and decoding with
/// non-maximum suppression, mapped back to the input image.
///
/// Immutable and safe to share between threads; one call uses all cores for the network.
public final class FaceDetector: Sendable {
    /// The machine's fused multiply-add peak in FLOP/s on `threads` threads, measured now with the
    /// plain 10-accumulator loop the convolution kernels are compared with (``NeuralNet/FMAPeakKernel``).
    public static func fmaPeak(threads: Int) -> Double {
        FMAPeakKernel.measure(threads: threads)
    }

    /// The same peak per second of processor time (``NeuralNet/ProcessCPUClock``), the ceiling for
    /// ``StageTiming/cpuSeconds``.
    public static func fmaPeakPerCPUSecond(threads: Int) -> Double {
        FMAPeakKernel.measurePerCPUSecond(threads: threads)
    }

    /// Frees the buffers kept between probes (``NeuralNet/ReusableMemory``): for a process with no
    /// probe to analyse for a while (an idle daemon), which then keeps only its models.
    public static func releaseKeptMemory() {
        ReusableMemory.shared.removeAll()
    }

    /// The convolutional network.
    public let network: DetectorNetwork
    /// Score map → boxes, with the model's window and NMS thresholds.
    public let decoder: DetectionDecoder
    /// Where the pyramid tensor and the network's row buffers come from between probes.
    let memory: ReusableMemory = .shared

    public init(network: DetectorNetwork) {
        self.network = network
        let options = network.options
        let window = options.detectorWindows.first
        decoder = DetectionDecoder(
            windowWidth: window?.width ?? 80, windowHeight: window?.height ?? 80,
            nmsIoU: options.overlapsNMS.iouThreshold,
            nmsPercentCovered: options.overlapsNMS.percentCoveredThreshold,
            stride: network.outputStride,
            pyramidScale: Double(network.model.pyramidDownRate) / Double(network.model.pyramidDownRate - 1)
        )
    }

    /// Loads `mmod_human_face_detector.dat`.
    public convenience init(contentsOf path: String) throws {
        self.init(network: try DetectorNetwork(contentsOf: path))
    }

    /// Finds faces.
    ///
    /// - Parameters:
    ///   - image: the photo.
    ///   - upsample: how many times to double the image first (face_recognition's default is 1; each
    ///     step finds faces half as large and costs about 4× the time).
    /// - Returns: dlib's raw detections in `image`'s pixel coordinates (boxes may extend past the
    ///   edges), highest confidence first.
    public func detect(_ image: RGBImage, upsample: Int = 1, threads: Int = defaultThreadCount) -> [Detection] {
        detect(image, upsample: upsample, threads: threads, profile: nil)
    }

    /// Time and arithmetic of one stage of the detector (for benchmarks).
    public struct StageTiming: Sendable {
        /// E.g. `conv1 5x5/2 3->16`, or `pyramid` (upsampling and the tiled pyramid; no FLOPs counted).
        public var name: String
        public var seconds: Double
        /// Floating-point operations (a multiply-add counts 2).
        public var flops: Double
        /// Processor time of the process during the stage (all threads; 0 for the pyramid).
        public var cpuSeconds: Double = 0
    }

    /// ``detect(_:upsample:threads:)`` with the time of each stage: building the pyramid, then each
    /// convolution of the network (summed over its bands).
    public func detectProfiled(_ image: RGBImage, upsample: Int = 1, threads: Int = defaultThreadCount)
        -> (detections: [Detection], stages: [StageTiming])
    {
        let profile = ConvolutionChain.Profile(stages: network.stageNames.count)
        var pyramidSeconds = 0.0
        let found = detect(image, upsample: upsample, threads: threads, profile: profile, pyramidSeconds: &pyramidSeconds)
        var stages = [StageTiming(name: "pyramid", seconds: pyramidSeconds, flops: 0)]
        for (i, name) in network.stageNames.enumerated() {
            stages.append(StageTiming(name: name, seconds: profile.seconds[i], flops: profile.flops[i],
                                      cpuSeconds: profile.cpuSeconds[i]))
        }
        return (found, stages)
    }

    private func detect(_ image: RGBImage, upsample: Int, threads: Int, profile: ConvolutionChain.Profile?) -> [Detection] {
        var unused = 0.0
        return detect(image, upsample: upsample, threads: threads, profile: profile, pyramidSeconds: &unused)
    }

    private func detect(_ image: RGBImage, upsample: Int, threads: Int, profile: ConvolutionChain.Profile?,
                        pyramidSeconds: inout Double) -> [Detection] {
        let start = DispatchTime.now().uptimeNanoseconds
        guard image.width > 0, image.height > 0 else { return [] }
        var input = image
        for _ in 0..<upsample { input = input.pyramidUp() }
        let mean = network.model.inputMean
        // The tensor's storage comes from, and goes back to, the pool of buffers kept between
        // probes (``NeuralNet/ReusableMemory``): no fresh pages for every probe.
        let padding = network.model.pyramidPadding, outerPadding = network.model.pyramidOuterPadding
        let layout = TiledPyramid.layout(imageRows: input.height, imageCols: input.width, padding: padding,
                                         outerPadding: outerPadding)
        var pyramid = TiledPyramid(reusing: memory.takeKept(capacity: 3 * layout.rows * layout.cols) ?? [],
                                   padding: padding, outerPadding: outerPadding)
        pyramid.rebuild(image: input, averageRGB: SIMD3(mean.red, mean.green, mean.blue))
        defer { memory.recycle(pyramid.releaseStorage()) }
        pyramidSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let map = pyramid.tensor.withUnsafeBufferPointer {
            network.scores(input: $0, rows: pyramid.rows, cols: pyramid.cols, threads: threads, profile: profile)
        }
        guard map.rows > 0, map.cols > 0 else { return [] }
        let found = decoder.detections(scores: map.scores, rows: map.rows, cols: map.cols, levelRects: pyramid.levelRects)
        guard upsample > 0 else { return found }
        return found.map { Detection(box: DetectionDecoder.rectDown($0.box, times: upsample), confidence: $0.confidence) }
    }
}
