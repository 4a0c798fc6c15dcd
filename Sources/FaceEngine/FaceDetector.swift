import DlibFormat
import Imaging
import NeuralNet

/// dlib's MMOD CNN face detector end to end (`cnn_face_detection_model_v1`, DLIB-FORMAT.md §5):
/// optional 2× upsampling, the tiled image pyramid, the network's score map, and decoding with
/// non-maximum suppression, mapped back to the input image.
///
/// Immutable and safe to share between threads; one call uses all cores for the network.
public final class FaceDetector: Sendable {
    /// The convolutional network.
    public let network: DetectorNetwork
    /// Score map → boxes, with the model's window and NMS thresholds.
    public let decoder: DetectionDecoder

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
        guard image.width > 0, image.height > 0 else { return [] }
        var input = image
        for _ in 0..<upsample { input = input.pyramidUp() }
        let mean = network.model.inputMean
        let pyramid = TiledPyramid(
            image: input, averageRGB: SIMD3(mean.red, mean.green, mean.blue),
            padding: network.model.pyramidPadding, outerPadding: network.model.pyramidOuterPadding
        )
        let map = pyramid.tensor.withUnsafeBufferPointer {
            network.scores(input: $0, rows: pyramid.rows, cols: pyramid.cols, threads: threads)
        }
        guard map.rows > 0, map.cols > 0 else { return [] }
        let found = decoder.detections(scores: map.scores, rows: map.rows, cols: map.cols, levelRects: pyramid.levelRects)
        guard upsample > 0 else { return found }
        return found.map { Detection(box: DetectionDecoder.rectDown($0.box, times: upsample), confidence: $0.confidence) }
    }
}
