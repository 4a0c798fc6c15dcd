import Basics

/// A detected face: a box in image pixels (dlib's inclusive rectangle) and the detector's score.
public struct Detection: Sendable, Equatable {
    public var box: FaceBox
    /// The network's raw score (> 0 for a detection at dlib's default threshold).
    public var confidence: Double

    public init(box: FaceBox, confidence: Double) {
        self.box = box
        self.confidence = confidence
    }
}

/// Turns the MMOD network's score map into face boxes (dlib's `loss_mmod_::to_label`,
/// DLIB-FORMAT.md §5.4), and maps them back through upsampling (§5.5) and face_recognition's
/// trimming (§5.6).
///
/// Every cell scoring above ``threshold`` becomes an 80×80 window centred on the tensor point
/// `(stride·c + offset, stride·r + offset)`, is mapped from its pyramid level to the image, and
/// the candidates go through greedy non-maximum suppression, best score first.
public struct DetectionDecoder: Sendable {
    /// Detection window size in tensor pixels (the model's `detector_windows`; 80×80).
    public var windowWidth: Int
    public var windowHeight: Int
    /// NMS: drop a box whose intersection over the *enclosing box* of the pair exceeds this.
    public var nmsIoU: Double
    /// NMS: drop a box covering more than this fraction of a kept one, or covered by it.
    public var nmsPercentCovered: Double
    /// Cells scoring above this are candidates (dlib's `adjust_threshold`, default 0).
    public var threshold: Float
    /// Output cell → tensor pixel: `stride·index + offset` (three stride-2 5×5 convolutions).
    public var stride: Int
    public var offset: Int
    /// Level i maps back to the image by `p ↦ p·scale + 0.3`, i times (pyramid_down<6>: 6/5).
    public var pyramidScale: Double

    /// The face detector's values (`mmod_human_face_detector.dat`).
    public init(
        windowWidth: Int = 80, windowHeight: Int = 80,
        nmsIoU: Double = 0.3382761351109955, nmsPercentCovered: Double = 1.0,
        threshold: Float = 0, stride: Int = 8, offset: Int = 14, pyramidScale: Double = 6 / 5.0
    ) {
        self.windowWidth = windowWidth
        self.windowHeight = windowHeight
        self.nmsIoU = nmsIoU
        self.nmsPercentCovered = nmsPercentCovered
        self.threshold = threshold
        self.stride = stride
        self.offset = offset
        self.pyramidScale = pyramidScale
    }

    /// Detections in the coordinates of the image the pyramid was built from.
    ///
    /// - Parameters:
    ///   - scores: the score map, row-major, `rows × cols`.
    ///   - levelRects: ``TiledPyramid/levelRects`` of the tensor the scores came from.
    ///   - levelOffset: the pyramid's level 0 is level `levelOffset` of the image's pyramid
    ///     (``TiledPyramid/init(image:averageRGB:firstLevel:padding:outerPadding:)``); boxes are
    ///     mapped through those levels too, with the same arithmetic as a full pyramid's.
    /// - Returns: kept detections, highest confidence first (equal scores in raster order).
    /// - Complexity: O(rows·cols + k·(levels + kept)) for k candidates.
    public func detections(scores: [Float], rows: Int, cols: Int, levelRects: [FaceBox], levelOffset: Int = 0) -> [Detection] {
        precondition(scores.count == rows * cols && !levelRects.isEmpty)
        var candidates = [(score: Float, index: Int, rect: DRect)]()
        let hw = Double(windowWidth - 1) / 2, hh = Double(windowHeight - 1) / 2
        for r in 0..<rows {
            for c in 0..<cols where scores[r * cols + c] > threshold {
                let x = Double(stride * c + offset), y = Double(stride * r + offset)
                let window = DRect(left: x - hw, top: y - hh, right: x + hw, bottom: y + hh)
                candidates.append((scores[r * cols + c], r * cols + c, toImage(window, levelRects, levelOffset: levelOffset)))
            }
        }
        candidates.sort { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
        var kept = [Detection]()
        for candidate in candidates {
            let box = candidate.rect.rounded
            if kept.contains(where: { overlaps($0.box, box) }) { continue }
            kept.append(Detection(box: box, confidence: Double(candidate.score)))
        }
        return kept
    }

    /// dlib's `tiled_pyramid_to_image`: from tensor coordinates to the level-0 image.
    func toImage(_ rect: DRect, _ levelRects: [FaceBox], levelOffset: Int = 0) -> DRect {
        let level = Self.nearestRect(levelRects, rect.center.rounded)
        let origin = levelRects[level]
        func map(_ x: Double, _ y: Double) -> (Double, Double) {
            var x = x - Double(origin.left), y = y - Double(origin.top)
            for _ in 0..<(level + levelOffset) {
                x = x * pyramidScale + 0.3
                y = y * pyramidScale + 0.3
            }
            return (x, y)
        }
        let a = map(rect.left, rect.top), b = map(rect.right, rect.bottom)
        return DRect(left: min(a.0, b.0), top: min(a.1, b.1), right: max(a.0, b.0), bottom: max(a.1, b.1))
    }

    /// The first rect containing `p`, else the one nearest to it (Euclidean distance to its
    /// closest point; the earliest wins ties).
    static func nearestRect(_ rects: [FaceBox], _ p: FacePoint) -> Int {
        var best = 0, bestDistance = Double.infinity
        for (i, r) in rects.enumerated() {
            if r.contains(x: p.x, y: p.y) { return i }
            let dx = Double(min(max(p.x, r.left), r.right) - p.x)
            let dy = Double(min(max(p.y, r.top), r.bottom) - p.y)
            let distance = (dx * dx + dy * dy).squareRoot()
            if distance < bestDistance {
                bestDistance = distance
                best = i
            }
        }
        return best
    }

    /// dlib's `test_box_overlap`: intersection over the enclosing box, or percent covered.
    func overlaps(_ a: FaceBox, _ b: FaceBox) -> Bool {
        let inner = Double(a.intersection(b).area)
        if inner == 0 { return false }
        let outer = Double(a.enclosing(b).area)
        return inner / outer > nmsIoU || inner / Double(a.area) > nmsPercentCovered
            || inner / Double(b.area) > nmsPercentCovered
    }

    /// Maps a box found in an image upsampled `times` times with ``Imaging/RGBImage/pyramidUp()``
    /// back to the original image (dlib's `rect_down` per corner, then `lround`).
    public static func rectDown(_ box: FaceBox, times: Int) -> FaceBox {
        var r = DRect(box)
        for _ in 0..<times { r = r.down2 }
        return r.rounded
    }

    /// face_recognition's `_trim_css_to_bounds`: left and top clipped to 0, right and bottom to
    /// the image's width and height (not width − 1: this is what face_recognition returns).
    public static func trimmed(_ box: FaceBox, imageWidth: Int, imageHeight: Int) -> FaceBox {
        FaceBox(left: max(box.left, 0), top: max(box.top, 0),
                right: min(box.right, imageWidth), bottom: min(box.bottom, imageHeight))
    }
}
