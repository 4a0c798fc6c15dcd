import Basics
import DlibFormat
import Foundation
import Imaging

/// One face: where it is, its landmarks, its fitness for search and (when asked) its descriptor.
public struct FaceDescription: Sendable {
    /// The face box in the original image's pixels (dlib's inclusive rectangle). For detected faces
    /// this is face_recognition's trimmed box, the one landmarks were computed from.
    public var box: FaceBox
    /// The detector's score; `nil` for a box given by hand.
    public var confidence: Double?
    /// dlib's five landmarks.
    public var landmarks: [FacePoint]
    /// Size, sharpness and pose checks.
    public var quality: FaceQuality
    /// The 128-d descriptor (Euclidean distance < 0.6: same person, dlib's convention).
    public var descriptor: [Float]?
    /// The aligned 150×150 chip the descriptor was computed from.
    public var chip: RGBImage
}

/// The faces found in one image.
public struct ImageFaces: Sendable {
    public var width: Int
    public var height: Int
    /// 1 when detection ran on the full image; 2, 4 or 8 when a huge photo was searched for faces at
    /// reduced scale (see ``FaceAnalyzer/maxDetectionPixels``).
    public var detectionScale: Int
    public var faces: [FaceDescription]

    public init(width: Int, height: Int, detectionScale: Int, faces: [FaceDescription]) {
        self.width = width
        self.height = height
        self.detectionScale = detectionScale
        self.faces = faces
    }
}

/// The face engine's front door: loads dlib's three models and turns photos into faces with
/// landmarks and descriptors, exactly as dlib 20 with face_recognition does (`face_locations(img, 1,
/// "cnn")`, then `face_encodings`).
///
/// Huge photos are bounded: an image of more than ``maxDetectionPixels`` is searched for faces on a
/// copy decoded at 1/2, 1/4 or 1/8 scale (libjpeg's DCT scaling), the smallest reduction that fits,
/// so a 24-megapixel photo costs about what a 3-megapixel one does; landmarks, chips and descriptors
/// still come from the full-resolution pixels. In such photos faces smaller than about 40 × scale
/// pixels (with one upsample: 20 × scale) are not found.
///
/// Immutable and safe to share between threads.
public final class FaceAnalyzer: Sendable {
    public static let detectorFile = "mmod_human_face_detector.dat"
    public static let shapePredictorFile = "shape_predictor_5_face_landmarks.dat"
    public static let descriptorFile = "dlib_face_recognition_resnet_model_v1.dat"
    /// Model ids recorded in results.
    public static let modelIDs = [
        "detector": "mmod_human_face_detector",
        "landmarks": "shape_predictor_5_face_landmarks",
        "descriptor": "dlib_face_recognition_resnet_model_v1",
    ]

    public let detector: FaceDetector
    public let shapePredictor: ShapePredictor
    public let descriptorNetwork: FaceDescriptorNetwork
    public let chip = FaceChip(size: 150, padding: 0.25)
    public let decoder: JPEGDecoder
    /// Above this many pixels, detection runs on a reduced-scale decode (default 4 megapixels).
    public let maxDetectionPixels: Int

    public init(detector: FaceDetector, shapePredictor: ShapePredictor, descriptorNetwork: FaceDescriptorNetwork,
                decoder: JPEGDecoder = JPEGDecoder(), maxDetectionPixels: Int = 4_000_000) {
        self.detector = detector
        self.shapePredictor = shapePredictor
        self.descriptorNetwork = descriptorNetwork
        self.decoder = decoder
        self.maxDetectionPixels = maxDetectionPixels
    }

    /// Loads the three model files from `directory`.
    /// - Throws: ``ModelLoadError`` naming the file and, for a malformed file, the layer and offset.
    public convenience init(modelsDirectory directory: String, decoder: JPEGDecoder = JPEGDecoder(),
                            maxDetectionPixels: Int = 4_000_000) throws {
        func path(_ name: String) throws -> String {
            let p = (directory as NSString).appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: p) else {
                throw ModelLoadError(file: p, message: "model file not found (run ./scripts/fetch-models.sh, or set --models / FRS_MODELS)")
            }
            return p
        }
        func load<T>(_ name: String, _ make: (String) throws -> T) throws -> T {
            let p = try path(name)
            do { return try make(p) } catch { throw ModelLoadError(file: p, message: "\(error)") }
        }
        self.init(
            detector: try load(Self.detectorFile) { try FaceDetector(contentsOf: $0) },
            shapePredictor: try load(Self.shapePredictorFile) { try ShapePredictor(contentsOf: $0) },
            descriptorNetwork: try load(Self.descriptorFile) { try FaceDescriptorNetwork(contentsOf: $0) },
            decoder: decoder, maxDetectionPixels: maxDetectionPixels
        )
    }

    /// Decodes a JPEG and finds every face.
    ///
    /// - Parameters:
    ///   - bytes: the file's bytes.
    ///   - upsample: detector upsampling (default 1, as face_recognition).
    ///   - describe: also compute descriptors.
    /// - Throws: ``ImageError`` for bytes that are not a usable JPEG or exceed the decoder's limits.
    public func analyze(jpeg bytes: [UInt8], path: String? = nil, upsample: Int = 1, describe: Bool = true)
        throws(ImageError) -> ImageFaces
    {
        let header = try decoder.header(of: bytes, path: path)
        let image = try decoder.decode(bytes, path: path)
        let scale = JPEGScale.fitting(width: header.width, height: header.height, maxPixels: maxDetectionPixels)
        var detections: [Detection]
        if scale == .full {
            detections = detector.detect(image, upsample: upsample)
        } else {
            let small = try decoder.decode(bytes, path: path, scale: scale)
            detections = detector.detect(small, upsample: upsample).map { d in
                // Map the reduced image's box onto the full image (both oriented alike).
                let sx = Double(image.width) / Double(small.width), sy = Double(image.height) / Double(small.height)
                let b = d.box
                return Detection(box: FaceBox(left: Int((Double(b.left) * sx).rounded()), top: Int((Double(b.top) * sy).rounded()),
                                              right: Int((Double(b.right + 1) * sx).rounded()) - 1,
                                              bottom: Int((Double(b.bottom + 1) * sy).rounded()) - 1),
                                 confidence: d.confidence)
            }
        }
        let faces = faces(in: image, detections: detections, describe: describe)
        return ImageFaces(width: image.width, height: image.height, detectionScale: scale.rawValue, faces: faces)
    }

    /// Finds every face in a decoded image.
    public func analyze(_ image: RGBImage, upsample: Int = 1, describe: Bool = true) -> ImageFaces {
        let detections = detector.detect(image, upsample: upsample)
        return ImageFaces(width: image.width, height: image.height, detectionScale: 1,
                          faces: faces(in: image, detections: detections, describe: describe))
    }

    /// Landmarks, chip, quality and descriptor for one face whose box is known (`--box`).
    public func describe(_ image: RGBImage, box: FaceBox, confidence: Double? = nil, describe: Bool = true) -> FaceDescription {
        let landmarks = shapePredictor.landmarks(in: image, box: box)
        let faceChip = chip.extract(from: image, landmarks: landmarks)
        let quality = FaceQuality(landmarks: landmarks.map { (Double($0.x), Double($0.y)) }, chip: faceChip)
        return FaceDescription(
            box: box, confidence: confidence, landmarks: landmarks, quality: quality,
            descriptor: describe ? descriptorNetwork.descriptor(chip: faceChip) : nil, chip: faceChip
        )
    }

    /// Landmarks, chips and quality per face, then the descriptors of all chips in one parallel batch.
    public func faces(in image: RGBImage, detections: [Detection], describe: Bool) -> [FaceDescription] {
        var faces = detections.map { d in
            let box = DetectionDecoder.trimmed(d.box, imageWidth: image.width, imageHeight: image.height)
            return self.describe(image, box: box, confidence: d.confidence, describe: false)
        }
        if describe {
            let descriptors = descriptorNetwork.descriptors(chips: faces.map(\.chip))
            for i in faces.indices { faces[i].descriptor = descriptors[i] }
        }
        return faces
    }
}

/// A model file that could not be loaded: which file and why.
public struct ModelLoadError: Error, CustomStringConvertible {
    public var file: String
    public var message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
