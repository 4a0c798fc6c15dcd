import Imaging

/// Whether a detected face is fit to search, and why not.
///
/// A probe face that is too small, too blurred or too turned gives unreliable distances; it is reported
/// with reason codes instead of being searched (SPEC.md "Outbox"). The checks use only what the engine
/// already computed: the box, the five landmarks and the 150×150 aligned chip.
public struct FaceQuality: Sendable, Equatable, Codable {
    /// Why a face may be unfit to search. Raw values are stable strings used in results.
    public enum Reason: String, Sendable, Codable, CaseIterable {
        /// The outer eye corners are closer than ``Thresholds/minimumEyeDistance`` pixels.
        case tooSmall = "quality.too-small"
        /// The chip's sharpness (variance of the Laplacian) is below ``Thresholds/minimumSharpness``.
        case blurred = "quality.blurred"
        /// The nose sits too far off the eyes' midline: the head is turned (yaw) too far.
        case turned = "quality.turned"
    }

    /// The limits; the defaults suit dlib's detector and descriptor.
    public struct Thresholds: Sendable, Equatable, Codable {
        /// Pixels between the outer eye corners in the original image (dlib's chips are reliable from
        /// about 20 px; the detector itself finds faces of about 40 px box width with one upsample).
        public var minimumEyeDistance: Double = 16
        /// Variance of the 4-neighbour Laplacian of the chip's luma (0–255 scale).
        public var minimumSharpness: Double = 20
        /// |nose offset from the eye midline| / eye distance; about 0 frontal, 0.5 near profile.
        public var maximumYaw: Double = 0.4

        public init() {}
    }

    public var ok: Bool { reasons.isEmpty }
    public var reasons: [Reason]
    /// The measured values, for the examiner's sheet.
    public var eyeDistance: Double
    public var sharpness: Double
    public var yaw: Double

    /// Assesses a face.
    /// - Parameters:
    ///   - landmarks: dlib's five points (0/1 eye on the image's right, 2/3 eye on the left, 4 nose).
    ///   - chip: the aligned 150×150 face chip.
    public init(landmarks: [(x: Double, y: Double)], chip: RGBImage, thresholds: Thresholds = Thresholds()) {
        precondition(landmarks.count == 5, "dlib's 5-point landmarks expected")
        let right = (x: (landmarks[0].x + landmarks[1].x) / 2, y: (landmarks[0].y + landmarks[1].y) / 2)
        let left = (x: (landmarks[2].x + landmarks[3].x) / 2, y: (landmarks[2].y + landmarks[3].y) / 2)
        let outer = (x: landmarks[0].x - landmarks[2].x, y: landmarks[0].y - landmarks[2].y)
        eyeDistance = (outer.x * outer.x + outer.y * outer.y).squareRoot()
        // Project the nose onto the eye axis, relative to the midpoint of the eye centres.
        let axis = (x: right.x - left.x, y: right.y - left.y)
        let axisLength = max((axis.x * axis.x + axis.y * axis.y).squareRoot(), 1e-9)
        let mid = (x: (right.x + left.x) / 2, y: (right.y + left.y) / 2)
        let nose = (x: landmarks[4].x - mid.x, y: landmarks[4].y - mid.y)
        yaw = (nose.x * axis.x + nose.y * axis.y) / (axisLength * axisLength)
        sharpness = FaceQuality.laplacianVariance(chip)

        var reasons: [Reason] = []
        if eyeDistance < thresholds.minimumEyeDistance { reasons.append(.tooSmall) }
        if sharpness < thresholds.minimumSharpness { reasons.append(.blurred) }
        if abs(yaw) > thresholds.maximumYaw { reasons.append(.turned) }
        self.reasons = reasons
    }

    /// Variance of the 4-neighbour Laplacian over the central 60 % of the chip (the face, not the
    /// background or the black fill of off-image pixels).
    static func laplacianVariance(_ chip: RGBImage) -> Double {
        let w = chip.width, h = chip.height
        guard w >= 5, h >= 5 else { return 0 }
        var luma = [Double](repeating: 0, count: w * h)
        let p = chip.pixels
        for i in 0..<(w * h) {
            luma[i] = 0.299 * Double(p[3 * i]) + 0.587 * Double(p[3 * i + 1]) + 0.114 * Double(p[3 * i + 2])
        }
        let x0 = w / 5, x1 = w - w / 5, y0 = h / 5, y1 = h - h / 5
        var sum = 0.0, sumSquares = 0.0, n = 0.0
        for y in max(y0, 1)..<min(y1, h - 1) {
            for x in max(x0, 1)..<min(x1, w - 1) {
                let i = y * w + x
                let v = luma[i - 1] + luma[i + 1] + luma[i - w] + luma[i + w] - 4 * luma[i]
                sum += v
                sumSquares += v * v
                n += 1
            }
        }
        guard n > 0 else { return 0 }
        let mean = sum / n
        return sumSquares / n - mean * mean
    }
}
