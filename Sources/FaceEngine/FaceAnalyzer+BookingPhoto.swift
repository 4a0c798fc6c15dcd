import Foundation
import Imaging
import NeuralNet

/// Which detection pipeline ``FaceAnalyzer/analyze(jpeg:path:pipeline:)`` runs.
public enum DetectionPipeline: String, Sendable, CaseIterable {
    /// face_recognition's: every pyramid level of the once-upsampled image (faces from about 40
    /// pixels, and 20 with the upsample).
    case full
    /// For booking photos (one large frontal face, at least ``BookingPhotoRules/minimumFaceFraction``
    /// of the width): only the pyramid levels that can hold such a face, about 10–20 times less work;
    /// anything doubtful falls back to ``full`` (see ``BookingPhotoRules``).
    case bookingPhoto = "booking"
}

/// When a booking photo's reduced detection is trusted, and how deep it starts.
///
/// The reduced detection (``FaceDetector/detectLargeFace(_:firstLevels:threads:doubt:)``) runs the
/// network on the pyramid levels from the one where a face of `expectedFaceFraction` of the width
/// matches the detector's 80-pixel window (about a third of the work of the full search from the
/// smallest face's level), and when that finds no trusted face, from `middleLevelOffset` levels
/// above the one where the smallest expected face (`minimumFaceFraction`) does, then from that
/// one, less `levelMargin` levels, each up to the levels already searched. Its result is trusted only when it is
/// one face, at least `minimumFaceFraction` of the width, scoring at least `minimumConfidence`,
/// and at least `borderFraction` of its width away from every edge (a negative fraction lets the
/// box reach that far past the edge: the re-scoring is exact there too); otherwise the photo goes
/// through the full pipeline.
///
/// The face's box and score are then the full pipeline's, re-scored exactly around the face; when
/// that is not conclusive the photo goes through the full pipeline too.
///
/// The face enrolled is the full pipeline's largest face. Smaller faces (under
/// `minimumFaceFraction` of the width, or under the face size of the search that trusted a face)
/// are not looked for, so a photo with one large and one small face is reported as one face.
public struct BookingPhotoRules: Sendable {
    /// Smallest face width expected, as a fraction of the image width.
    public var minimumFaceFraction: Double = 0.2
    /// Face width searched for first, as a fraction of the image width (booking photos' faces are
    /// usually 40–60 %; 0 or at most `minimumFaceFraction`: one search only). The detector finds
    /// somewhat smaller faces on those levels too (a 27 % face in a fixture photo).
    public var expectedFaceFraction: Double = 0.35
    /// Lowest detector score trusted.
    public var minimumConfidence: Double = 0.5
    /// Smallest gap between the face box and an image edge, as a fraction of the box width; a
    /// negative value is how far the box may reach past an edge (the detector's boxes often do,
    /// when the head touches the frame; the full pipeline enrolls such faces, and the re-scored
    /// box and score are exactly its own)
    /// (0: the box must lie inside the image).
    public var borderFraction: Double = -0.25
    /// Levels kept below the level where the smallest expected face matches the window.
    public var levelMargin: Int = 0
    /// When the first search trusts no face, a middle search starts this many levels above the
    /// finest first level (0: none), and the finest runs only when the middle one trusts no face
    /// either. The detector finds faces down to about 1.4 levels smaller than its window (a 27 %
    /// face on the 35 % level), so a face of 20–24 % of the width is nearly always found from one
    /// level up, and the finest level, the largest tensor of the search, is left out: on the
    /// 56 photos of `scripts/bench-enroll-bands.sh`'s 20–25 % band the middle search found every
    /// face, in about 15 % less time.
    public var middleLevelOffset: Int = 1

    public init() {}

    /// The first pyramid level to search in an upsampled image `upsampledWidth` pixels wide for
    /// faces from `minimumFaceFraction` of its width (0: the full pyramid).
    public func firstLevel(upsampledWidth: Int, window: Int) -> Int {
        firstLevel(faceFraction: minimumFaceFraction, upsampledWidth: upsampledWidth, window: window)
    }

    /// The first levels searched, coarse to fine: for faces from `expectedFaceFraction` of the
    /// width, then from `middleLevelOffset` levels above the next one, then from
    /// `minimumFaceFraction` (fewer when they coincide).
    public func firstLevels(upsampledWidth: Int, window: Int) -> [Int] {
        let fine = firstLevel(upsampledWidth: upsampledWidth, window: window)
        let coarse = firstLevel(faceFraction: expectedFaceFraction, upsampledWidth: upsampledWidth, window: window)
        guard coarse > fine else { return [fine] }
        let middle = fine + max(0, middleLevelOffset)
        return middle > fine && middle < coarse ? [coarse, middle, fine] : [coarse, fine]
    }

    func firstLevel(faceFraction: Double, upsampledWidth: Int, window: Int) -> Int {
        let smallest = faceFraction * Double(upsampledWidth)
        guard smallest > Double(window) else { return 0 }
        let level = Int((log(smallest / Double(window)) / log(6.0 / 5.0)).rounded(.down))
        return max(0, level - levelMargin)
    }

    /// Why `detections` (in image pixels) are not trusted, or `nil` when they are.
    public func doubt(_ detections: [Detection], imageWidth: Int, imageHeight: Int) -> String? {
        guard detections.count == 1 else {
            return detections.isEmpty ? "no face at booking-photo size" : "\(detections.count) faces"
        }
        let d = detections[0], box = d.box
        if Double(box.width) < minimumFaceFraction * Double(imageWidth) {
            return "face \(box.width) px wide, under \(Int(minimumFaceFraction * 100)) % of the width"
        }
        if d.confidence < minimumConfidence {
            return "confidence \(String(format: "%.3f", d.confidence)) under \(minimumConfidence)"
        }
        let gap = min(box.left, box.top, imageWidth - 1 - box.right, imageHeight - 1 - box.bottom)
        if Double(gap) < borderFraction * Double(box.width) {
            return gap < 0 ? "face box \(-gap) px past the image's edge" : "face box \(gap) px from the border"
        }
        return nil
    }
}

extension FaceAnalyzer {
    /// What the booking-photo pipeline did with one photo.
    public struct BookingPhotoAnalysis: Sendable {
        /// The faces, as ``FaceAnalyzer/analyze(jpeg:path:upsample:describe:)`` reports them.
        public var faces: ImageFaces
        /// Why the full pipeline ran instead (`nil`: the reduced detection was used).
        public var fallbackReason: String?
        /// The first pyramid level of the reduced detection's last search (0 when it did not run).
        public var firstLevel: Int
    }

    /// Decodes a JPEG and finds its faces with `pipeline` (face_recognition's upsample 1).
    ///
    /// - Throws: ``ImageError`` for bytes that are not a usable JPEG or exceed the decoder's limits.
    public func analyze(jpeg bytes: [UInt8], path: String? = nil, pipeline: DetectionPipeline,
                        describe: Bool = true) throws(ImageError) -> ImageFaces {
        switch pipeline {
        case .full: return try analyze(jpeg: bytes, path: path, describe: describe)
        case .bookingPhoto: return try analyzeBookingPhoto(jpeg: bytes, path: path, describe: describe).faces
        }
    }

    /// Finds the face of a booking photo (one large frontal face) with the reduced detection, or
    /// with the full pipeline when the result is doubtful (``BookingPhotoRules``).
    ///
    /// Use it for enrollment of booking photos: the face and its landmarks and descriptor come from
    /// the full-resolution pixels, and the box is the full pipeline's whenever the network's view of
    /// the face stays inside its pyramid level. Smaller faces elsewhere in the photo (which the full
    /// pipeline would report too) are not looked for.
    ///
    /// - Parameters:
    ///   - rules: when the reduced detection is trusted.
    ///   - threads: threads for the detector network.
    /// - Throws: ``ImageError`` for bytes that are not a usable JPEG or exceed the decoder's limits.
    public func analyzeBookingPhoto(
        jpeg bytes: [UInt8], path: String? = nil, describe: Bool = true, rules: BookingPhotoRules = BookingPhotoRules(),
        threads: Int = defaultThreadCount
    ) throws(ImageError) -> BookingPhotoAnalysis {
        let header = try decoder.header(of: bytes, path: path)
        guard JPEGScale.fitting(width: header.width, height: header.height, maxPixels: maxDetectionPixels) == .full else {
            return BookingPhotoAnalysis(faces: try analyze(jpeg: bytes, path: path, describe: describe),
                                        fallbackReason: "photo over \(maxDetectionPixels) pixels", firstLevel: 0)
        }
        let image = try decoder.decode(bytes, path: path)
        let analysis = analyzeBookingPhoto(image, describe: describe, rules: rules, threads: threads)
        return analysis
    }

    /// ``analyzeBookingPhoto(jpeg:path:describe:rules:threads:)`` for a decoded image.
    public func analyzeBookingPhoto(
        _ image: RGBImage, describe: Bool = true, rules: BookingPhotoRules = BookingPhotoRules(),
        threads: Int = defaultThreadCount
    ) -> BookingPhotoAnalysis {
        let upsample = 1
        let window = max(detector.decoder.windowWidth, detector.decoder.windowHeight)
        let levels = rules.firstLevels(upsampledWidth: 2 * image.width + 2, window: window)
        var level = levels.last ?? 0
        func full(_ reason: String) -> BookingPhotoAnalysis {
            BookingPhotoAnalysis(faces: analyze(image, upsample: upsample, describe: describe),
                                 fallbackReason: reason, firstLevel: level)
        }
        guard level > 0 else { return full("image too small for a reduced search") }
        guard let search = detector.detectLargeFace(image, firstLevels: levels, threads: threads, doubt: {
            rules.doubt($0, imageWidth: image.width, imageHeight: image.height)
        }) else {
            return full("image too small for a reduced search")
        }
        level = search.firstLevel
        guard let exact = search.exact else { return full(search.note ?? "re-scoring inconclusive") }
        if let reason = rules.doubt([exact], imageWidth: image.width, imageHeight: image.height) {
            return full(reason)
        }
        let faces = faces(in: image, detections: [exact], describe: describe)
        return BookingPhotoAnalysis(faces: ImageFaces(width: image.width, height: image.height, detectionScale: 1, faces: faces),
                                    fallbackReason: nil, firstLevel: level)
    }
}
