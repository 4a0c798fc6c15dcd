import Foundation
import Imaging
import NeuralNet

extension FaceDetector {
    /// What ``detectLargeFace(_:firstLevel:threads:)`` found.
    public struct LargeFaceSearch: Sendable {
        /// Faces found on the pyramid levels `firstLevel…` only, in image pixels, best first.
        public var reduced: [Detection]
        /// The best face's box and score as ``detect(_:upsample:threads:)`` finds them, re-scored
        /// on windows of the full pyramid tensor; `nil` when that was not conclusive (see `note`).
        public var exact: Detection?
        /// Why `exact` is missing.
        public var note: String?
    }

    /// Finds large faces with a fraction of ``detect(_:upsample:threads:)``'s work (upsample 1), and
    /// the best one's box and score exactly as that full search reports them.
    ///
    /// Two steps:
    /// 1. The network runs on pyramid levels `firstLevel…` of the upsampled image only, laid out in
    ///    a small tensor (``TiledPyramid/init(levels:firstLevel:padding:outerPadding:)``): faces at
    ///    least `80 · 1.2^firstLevel` upsampled pixels wide are found, with boxes that usually equal
    ///    the full search's; but the network's 189-pixel receptive field reaches the neighbouring
    ///    levels, which sit elsewhere in the small layout, so scores differ by a few thousandths and a
    ///    neighbouring score cell (a box 8 · 1.2^level pixels away) can win instead.
    /// 2. Around the best face, on the three levels nearest its size, the network is run again on
    ///    windows of the *full* pyramid tensor (same values, same positions modulo the stride of 8),
    ///    each large enough to hold the receptive field of every score cell within ±2 cells of the
    ///    face. Those cells then get the full search's scores bit for bit, and the best of them is
    ///    the full search's box, unless it lies on the edge of what was re-scored (then `exact` is
    ///    `nil`).
    ///
    /// - Parameters:
    ///   - image: the photo (it is upsampled once, as by face_recognition).
    ///   - firstLevel: the first pyramid level searched in step 1.
    ///   - threads: threads for the network.
    /// - Returns: `nil` when the upsampled image has no pyramid level `firstLevel`.
    public func detectLargeFace(_ image: RGBImage, firstLevel: Int, threads: Int = defaultThreadCount) -> LargeFaceSearch? {
        guard image.width > 0, image.height > 0 else { return nil }
        let upsampled = image.pyramidUp()
        let mean = network.model.inputMean
        let padding = network.model.pyramidPadding, outer = network.model.pyramidOuterPadding
        let search = 1  // levels either side of the face's size that are re-scored
        guard let levels = PyramidLevels(image: upsampled, averageRGB: SIMD3(mean.red, mean.green, mean.blue),
                                         keepingFrom: max(0, firstLevel - search - 2)),
              firstLevel < levels.sizes.count else { return nil }
        // Step 1: the small levels.
        let small = TiledPyramid(levels: levels, firstLevel: firstLevel, padding: padding, outerPadding: outer)
        let map = small.tensor.withUnsafeBufferPointer {
            network.scores(input: $0, rows: small.rows, cols: small.cols, threads: threads)
        }
        guard map.rows > 0, map.cols > 0 else { return LargeFaceSearch(reduced: [], exact: nil, note: nil) }
        let found = decoder.detections(scores: map.scores, rows: map.rows, cols: map.cols, levelRects: small.levelRects,
                                       levelOffset: firstLevel)
        let reduced = found.map { Detection(box: DetectionDecoder.rectDown($0.box, times: 1), confidence: $0.confidence) }
        guard let best = found.first else { return LargeFaceSearch(reduced: reduced, exact: nil, note: nil) }

        // Step 2: windows of the full tensor around the best face.
        let full = TiledPyramid.layout(imageRows: upsampled.height, imageCols: upsampled.width, padding: padding,
                                       outerPadding: outer)
        let fullMap = network.outputSize(rows: full.rows, cols: full.cols)
        let stride = decoder.stride, offset = decoder.offset
        let reach = 94 + stride  // receptive-field radius of a score cell (189 pixels), plus a cell of slack
        let box = DRect(best.box)
        let level = Int((log(max(box.width - 1, 1) / Double(decoder.windowWidth - 1)) / log(decoder.pyramidScale)).rounded())
        var candidates = [(score: Float, index: Int, rect: DRect, edge: Bool)]()
        for j in max(0, level - search)...(level + search) where j < full.rects.count {
            // The face's centre on level j (inverting p ↦ 1.2·p + 0.3), then in the full tensor.
            var x = box.center.x, y = box.center.y
            for _ in 0..<j {
                x = (x - 0.3) / decoder.pyramidScale
                y = (y - 0.3) / decoder.pyramidScale
            }
            let rect = full.rects[j]
            let cx = Int(((Double(rect.left) + x - Double(offset)) / Double(stride)).rounded())
            let cy = Int(((Double(rect.top) + y - Double(offset)) / Double(stride)).rounded())
            let cells = (x: max(cx - 2, 0)...min(cx + 2, fullMap.cols - 1), y: max(cy - 2, 0)...min(cy + 2, fullMap.rows - 1))
            guard !cells.x.isEmpty, !cells.y.isEmpty else { continue }
            // The window: every input pixel those cells see, starting on the stride grid.
            let left = max(0, (stride * cells.x.lowerBound + offset - reach) / stride * stride)
            let top = max(0, (stride * cells.y.lowerBound + offset - reach) / stride * stride)
            let right = min(full.cols, stride * cells.x.upperBound + offset + reach + 1)
            let bottom = min(full.rows, stride * cells.y.upperBound + offset + reach + 1)
            guard let window = levels.window(rects: full.rects, top: top, left: left, rows: bottom - top, cols: right - left) else {
                return LargeFaceSearch(reduced: reduced, exact: nil, note: "re-scoring window reaches a large level")
            }
            let part = window.withUnsafeBufferPointer {
                network.scores(input: $0, rows: bottom - top, cols: right - left, threads: threads)
            }
            let hw = Double(decoder.windowWidth - 1) / 2, hh = Double(decoder.windowHeight - 1) / 2
            for r in cells.y {
                for c in cells.x {
                    let pr = r - top / stride, pc = c - left / stride
                    guard pr >= 0, pc >= 0, pr < part.rows, pc < part.cols else { continue }
                    let score = part.scores[pr * part.cols + pc]
                    guard score > decoder.threshold else { continue }
                    let px = Double(stride * c + offset), py = Double(stride * r + offset)
                    let w = DRect(left: px - hw, top: py - hh, right: px + hw, bottom: py + hh)
                    let edge = (c == cells.x.lowerBound && c > 0) || (c == cells.x.upperBound && c < fullMap.cols - 1)
                        || (r == cells.y.lowerBound && r > 0) || (r == cells.y.upperBound && r < fullMap.rows - 1)
                    candidates.append((score, r * fullMap.cols + c, decoder.toImage(w, full.rects), edge))
                }
            }
        }
        guard let top = candidates.min(by: { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }) else {
            return LargeFaceSearch(reduced: reduced, exact: nil, note: "no score above the threshold when re-scored")
        }
        let exact = Detection(box: DetectionDecoder.rectDown(top.rect.rounded, times: 1), confidence: Double(top.score))
        if top.edge { return LargeFaceSearch(reduced: reduced, exact: nil, note: "re-scored maximum on the window's edge") }
        let topLevel = DetectionDecoder.nearestRect(full.rects, top.rect.center.rounded)
        if (topLevel == level - search && topLevel > 0) || (topLevel == level + search && topLevel < full.rects.count - 1) {
            return LargeFaceSearch(reduced: reduced, exact: nil, note: "re-scored maximum on the last level searched")
        }
        return LargeFaceSearch(reduced: reduced, exact: exact, note: nil)
    }
}
