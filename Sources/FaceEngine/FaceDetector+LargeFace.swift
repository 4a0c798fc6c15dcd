import Basics
import Foundation
import Imaging
import NeuralNet

extension FaceDetector {
    /// What ``detectLargeFace(_:firstLevels:threads:doubt:)`` found.
    public struct LargeFaceSearch: Sendable {
        /// Faces found by the step-1 searches so far (pyramid levels `firstLevel…` only), in image
        /// pixels, best first.
        public var reduced: [Detection]
        /// The best face's box and score as ``detect(_:upsample:threads:)`` finds them, re-scored
        /// on windows of the full pyramid tensor; `nil` when no step-1 result was trusted or the
        /// re-scoring was not conclusive (see `note`).
        public var exact: Detection?
        /// Why `exact` is missing.
        public var note: String?
        /// The first pyramid level of the last step-1 search.
        public var firstLevel: Int
        /// Step-1 searches run (each on levels no earlier one covered, in one or more tensors).
        public var searches = 0
        /// Levels whose step-2 scores were read from a step-1 search's score map (exact there, see
        /// ``detectLargeFace(_:firstLevels:threads:doubt:)``) or from an earlier step 2's network
        /// run, and levels re-scored by a network run.
        public var levelsRead = 0, levelsRun = 0
        /// Times step 2 re-scored a wider window because the maximum lay on the edge of the last.
        public var widened = 0
    }

    /// Finds large faces with a fraction of ``detect(_:upsample:threads:)``'s work (upsample 1), and
    /// the best one's box and score exactly as that full search reports them.
    ///
    /// Two steps:
    /// 1. The network runs on pyramid levels `firstLevel…` of the upsampled image only, laid out in
    ///    a small tensor (``TiledPyramid/init(levels:firstLevel:padding:outerPadding:levelCount:)``):
    ///    faces from about the detector's window on level `firstLevel` are found (a 492-pixel face
    ///    on level 11, where the 80-pixel window is 594 pixels), with boxes that usually equal the
    ///    full search's; but the network's 189-pixel receptive field reaches the neighbouring
    ///    levels, which sit elsewhere in the small layout, so scores differ by a few thousandths and a
    ///    neighbouring score cell (a box 8 · 1.2^level pixels away) can win instead. The first levels
    ///    of `firstLevels` are tried in order (coarse to fine: each finer search costs more) until
    ///    `doubt` trusts a result. A finer search covers only the levels no earlier search covered
    ///    (from its first level up to the previous search's first level), its wide levels in a
    ///    tensor each, and its faces join the earlier ones through the detector's non-maximum
    ///    suppression, so that `doubt` judges the faces of every level searched. The pyramid is
    ///    computed once, kept as the finest search needs it.
    /// 2. Around the best face, on the three levels nearest its size, the network is run again on
    ///    windows of the *full* pyramid tensor (same values, same positions modulo the stride of 8),
    ///    each large enough to hold the receptive field of every score cell within ±2 cells of the
    ///    face. Where a step-1 search's small tensor already holds those receptive fields exactly
    ///    as the full tensor does (inside the face's level in both, which the aligned layout puts
    ///    at the same position modulo 8: a face well inside a level wider than about 220 pixels),
    ///    its scores there are already the full search's and are read instead of run again; so
    ///    are cells an earlier step 2 already re-scored (a finer search usually finds the same face).
    ///    Those cells then get the full search's scores bit for bit, and the best of them is
    ///    the full search's box, unless it lies on the edge of what was re-scored. When it lies on
    ///    the lowest or highest level re-scored, the level beyond is re-scored too (up to three
    ///    more); on the edge of a level's cells, every level is re-scored again within ±4 cells
    ///    (the step-1 box was off by more than a cell or two: about one photo in 70 of
    ///    `scripts/bench-enroll-bands.sh`'s bands, which went through the full pipeline before),
    ///    and on the edge of those, `exact` is `nil`. Step 2 runs after each trusted
    ///    step-1 search: when the maximum lies below that search's first level (the coarse search
    ///    found a smaller face on its first level), a finer search from the level below the
    ///    maximum's is tried (every face wider than it lies on those levels), then the finest.
    ///
    /// A face found on levels `firstLevel…` is wider than every face the full search finds only on
    /// the levels below (the detector's boxes grow by 1.2 per level), so the face found is the
    /// largest the full search finds, unless step 2 moves it below `firstLevel` (then the next
    /// search, or `exact` is `nil`). Step 1 stops one level past the one where a face as wide as the
    /// image fills the detector's window: a box of a smaller level would be wider than the image.
    ///
    /// - Parameters:
    ///   - image: the photo (it is upsampled once, as by face_recognition).
    ///   - firstLevels: first pyramid levels for step 1, tried in order.
    ///   - threads: threads for the network.
    ///   - doubt: why a step-1 result (image pixels, best first) is not trusted, or `nil`.
    /// - Returns: `nil` when the upsampled image has none of the pyramid levels `firstLevels`.
    public func detectLargeFace(
        _ image: RGBImage, firstLevels: [Int], threads: Int = defaultThreadCount,
        doubt: ([Detection]) -> String? = { $0.isEmpty ? "no face" : nil }
    ) -> LargeFaceSearch? {
        guard image.width > 0, image.height > 0, let finest = firstLevels.min() else { return nil }
        precondition(firstLevels == firstLevels.sorted(by: >), "first levels go coarse to fine")
        let mean = network.model.inputMean
        let padding = network.model.pyramidPadding, outer = network.model.pyramidOuterPadding
        let search = 1  // levels either side of the face's size that are re-scored
        let maximumRadius = 4  // score cells either side of the face re-scored at most (2 first)
        let averageRGB = SIMD3(mean.red, mean.green, mean.blue)
        let stride = decoder.stride, offset = decoder.offset
        let field = 94  // receptive-field radius of a score cell (189 pixels) around its centre 8c + 14
        let reach = field + stride  // plus a cell of slack (the kept regions of larger levels)
        let full = TiledPyramid.layout(imageRows: 2 * image.height + 1, imageCols: 2 * image.width + 2, padding: padding,
                                       outerPadding: outer)
        // The pyramid kept for a search from `firstLevel`: whole from the level below it (step 2
        // re-scores the level below the face's), and of the larger levels the parts that a
        // re-scoring window of those levels can reach in the tensor's layout (the small levels sit
        // beside the large ones). Computed once, for the finest first level: every search uses it.
        func pyramid(from firstLevel: Int) -> PyramidLevels? {
            let whole = max(0, firstLevel - search), margin = reach + (maximumRadius + 4) * stride
            var regions = [Int: FaceBox]()
            for i in 0..<min(whole, full.rects.count) {
                let rect = full.rects[i]
                var reached: FaceBox?
                for j in whole..<full.rects.count {
                    let r = full.rects[j]
                    let part = rect.intersection(FaceBox(left: r.left - margin, top: r.top - margin, right: r.right + margin,
                                                         bottom: r.bottom + margin))
                    if !part.isEmpty { reached = reached.map { $0.enclosing(part) } ?? part }
                }
                if let reached {
                    regions[i] = FaceBox(left: reached.left - rect.left, top: reached.top - rect.top,
                                         right: reached.right - rect.left, bottom: reached.bottom - rect.top)
                }
            }
            return PyramidLevels(image: image, upsample: true, averageRGB: averageRGB, keepingFrom: whole, regions: regions)
        }
        guard let coarsest = firstLevels.first, var levels = pyramid(from: finest), finest < levels.sizes.count else { return nil }
        // The last level searched: one past the level where a face as wide as the image matches
        // the window (a larger level's box would be wider than the image, which the full search
        // can report in principle but a booking photo's face never is).
        let window = Double(max(decoder.windowWidth, decoder.windowHeight))
        let widest = Int((log(Double(levels.sizes[0].cols) / window) / log(decoder.pyramidScale)).rounded(.up)) + 1
        let lastLevel = min(levels.sizes.count - 1, max(widest, coarsest))
        let fullMap = network.outputSize(rows: full.rows, cols: full.cols)
        let hw = Double(decoder.windowWidth - 1) / 2, hh = Double(decoder.windowHeight - 1) / 2
        typealias Cells = (x: ClosedRange<Int>, y: ClosedRange<Int>)
        typealias Candidate = (score: Float, index: Int, window: DRect, edge: Bool)

        // Step-1 searches so far: each one's small tensor layout and score map.
        struct Searched {
            let first: Int
            let rects: [FaceBox]
            let rows: Int, cols: Int
            let scores: [Float]
            let mapRows: Int, mapCols: Int
        }
        var searches = [Searched]()
        var levelsRead = 0, levelsRun = 0, widened = 0
        // Scores of the full search already computed by step-2 network runs, by score-map cell
        // (row · columns + column): a later step 2 around the same face reads them.
        var rescored = [Int: Float]()

        // The full search's scores of `cells` of level j (full score map coordinates, row by row),
        // read from a step-1 search's map where that is exact: the cells' receptive fields lie
        // inside both tensors and reach no level but j in either (zeros elsewhere in both), and the
        // level sits at the same position modulo the stride in both (the aligned layout). The
        // network's value at a cell depends on the input inside its receptive field only, so those
        // cells have the full search's scores bit for bit. Nil when no search qualifies.
        func searchedScores(level j: Int, cells: Cells) -> [Float]? {
            let target = full.rects[j]
            let rf = FaceBox(left: stride * cells.x.lowerBound + offset - field, top: stride * cells.y.lowerBound + offset - field,
                             right: stride * cells.x.upperBound + offset + field,
                             bottom: stride * cells.y.upperBound + offset + field)
            guard rf.left >= 0, rf.top >= 0, rf.right < full.cols, rf.bottom < full.rows,
                  full.rects.indices.allSatisfy({ $0 == j || full.rects[$0].intersection(rf).isEmpty }) else { return nil }
            for s in searches where j >= s.first && j - s.first < s.rects.count {
                let i = j - s.first, rect = s.rects[i]
                let dx = rect.left - target.left, dy = rect.top - target.top
                guard dx % stride == 0, dy % stride == 0, rect.width == target.width, rect.height == target.height else { continue }
                let moved = FaceBox(left: rf.left + dx, top: rf.top + dy, right: rf.right + dx, bottom: rf.bottom + dy)
                guard moved.left >= 0, moved.top >= 0, moved.right < s.cols, moved.bottom < s.rows,
                      s.rects.indices.allSatisfy({ $0 == i || s.rects[$0].intersection(moved).isEmpty }) else { continue }
                let r0 = cells.y.lowerBound + dy / stride, c0 = cells.x.lowerBound + dx / stride
                guard r0 >= 0, c0 >= 0, r0 + cells.y.count <= s.mapRows, c0 + cells.x.count <= s.mapCols else { continue }
                var scores = [Float]()
                scores.reserveCapacity(cells.x.count * cells.y.count)
                for r in 0..<cells.y.count {
                    for c in 0..<cells.x.count { scores.append(s.scores[(r0 + r) * s.mapCols + c0 + c]) }
                }
                return scores
            }
            return nil
        }

        // Step 2's network runs for the levels `js` around `box` (upsampled image pixels): the
        // scores of the cells within ±`radius` of the face's centre on each level, bit for bit the
        // full search's. Nil when a window needs pyramid levels that are not kept.
        func rescore(_ box: DRect, levels js: [Int], radius: Int) -> [Candidate]? {
            // A network run: a window of the full tensor and the score cells read from it.
            typealias Run = (top: Int, left: Int, bottom: Int, right: Int, cells: [Cells])
            var runs = [Run]()
            var read = [(cells: Cells, scores: [Float])]()  // levels whose scores are known already
            for j in js where j < full.rects.count {
                // The face's centre on level j (inverting p ↦ 1.2·p + 0.3), then in the full tensor.
                var x = box.center.x, y = box.center.y
                for _ in 0..<j {
                    x = (x - 0.3) / decoder.pyramidScale
                    y = (y - 0.3) / decoder.pyramidScale
                }
                let rect = full.rects[j]
                let cx = Int(((Double(rect.left) + x - Double(offset)) / Double(stride)).rounded())
                let cy = Int(((Double(rect.top) + y - Double(offset)) / Double(stride)).rounded())
                let cells = (x: max(cx - radius, 0)...min(cx + radius, fullMap.cols - 1),
                             y: max(cy - radius, 0)...min(cy + radius, fullMap.rows - 1))
                guard !cells.x.isEmpty, !cells.y.isEmpty else { continue }
                let known = cells.y.flatMap { r in cells.x.map { c in rescored[r * fullMap.cols + c] } }
                if let scores = known.allSatisfy({ $0 != nil }) ? known.map({ $0! }) : searchedScores(level: j, cells: cells) {
                    read.append((cells, scores))
                    levelsRead += 1
                    continue
                }
                levelsRun += 1
                // The window: every input pixel those cells see, starting on the stride grid.
                runs.append((top: max(0, (stride * cells.y.lowerBound + offset - field) / stride * stride),
                             left: max(0, (stride * cells.x.lowerBound + offset - field) / stride * stride),
                             bottom: min(full.rows, stride * cells.y.upperBound + offset + field + 1),
                             right: min(full.cols, stride * cells.x.upperBound + offset + field + 1), cells: [cells]))
            }
            // One network run over the windows' union when that is no larger than the windows apart
            // (the levels sit one above the other in the tensor's right column): every cell's
            // receptive field is still inside what is run.
            if let first = runs.first {
                let union = runs.dropFirst().reduce(first) { u, w in
                    (min(u.top, w.top), min(u.left, w.left), max(u.bottom, w.bottom), max(u.right, w.right), u.cells + w.cells)
                }
                let apart = runs.reduce(0) { $0 + ($1.bottom - $1.top) * ($1.right - $1.left) }
                if (union.bottom - union.top) * (union.right - union.left) <= apart { runs = [union] }
            }
            // The runs' inputs, from the kept levels and regions.
            func inputs() -> [[Float]]? {
                var inputs = [[Float]]()
                for w in runs {
                    guard let input = levels.window(rects: full.rects, top: w.top, left: w.left, rows: w.bottom - w.top,
                                                    cols: w.right - w.left) else { return nil }
                    inputs.append(input)
                }
                return inputs
            }
            var runInputs = inputs()
            if runInputs == nil {
                // Not expected (the kept regions cover every window): keep every level the windows reach.
                let needed = runs.compactMap { w in
                    full.rects.firstIndex { !$0.intersection(FaceBox(left: w.left, top: w.top, right: w.right - 1, bottom: w.bottom - 1)).isEmpty }
                }.min() ?? 0
                if let more = PyramidLevels(image: image, upsample: true, averageRGB: averageRGB, keepingFrom: needed) {
                    levels = more
                    runInputs = inputs()
                }
            }
            guard let runInputs else { return nil }
            var candidates = [Candidate]()
            func add(_ score: Float, _ r: Int, _ c: Int, _ cells: Cells) {
                guard score > decoder.threshold else { return }
                let px = Double(stride * c + offset), py = Double(stride * r + offset)
                let w = DRect(left: px - hw, top: py - hh, right: px + hw, bottom: py + hh)
                let edge = (c == cells.x.lowerBound && c > 0) || (c == cells.x.upperBound && c < fullMap.cols - 1)
                    || (r == cells.y.lowerBound && r > 0) || (r == cells.y.upperBound && r < fullMap.rows - 1)
                candidates.append((score, r * fullMap.cols + c, w, edge))
            }
            for (cells, scores) in read {
                var k = 0
                for r in cells.y {
                    for c in cells.x {
                        add(scores[k], r, c, cells)
                        k += 1
                    }
                }
            }
            for ((top, left, bottom, right, windowCells), input) in zip(runs, runInputs) {
                let part = input.withUnsafeBufferPointer {
                    network.scores(input: $0, rows: bottom - top, cols: right - left, threads: threads)
                }
                for cells in windowCells {
                    for r in cells.y {
                        for c in cells.x {
                            let pr = r - top / stride, pc = c - left / stride
                            guard pr >= 0, pc >= 0, pr < part.rows, pc < part.cols else { continue }
                            let score = part.scores[pr * part.cols + pc]
                            rescored[r * fullMap.cols + c] = score
                            add(score, r, c, cells)
                        }
                    }
                }
            }
            return candidates
        }

        // Step 2 for the best face of a step-1 search from `firstLevel`: the full search's box and
        // score, or why not; `below` when the maximum lies on a level below `firstLevel` (a finer
        // step-1 search may then find the face where it is).
        func exactFace(_ best: Detection, firstLevel: Int) -> (exact: Detection?, note: String?, below: Int?) {
            let box = DRect(best.box)
            let level = Int((log(max(box.width - 1, 1) / Double(decoder.windowWidth - 1)) / log(decoder.pyramidScale)).rounded())
            let last = full.rects.count - 1
            var lo = max(0, level - search), hi = min(level + search, last)
            var radius = 2
            guard lo <= hi, var candidates = rescore(box, levels: Array(lo...hi), radius: radius) else {
                return (nil, "re-scoring window reaches a large level", nil)
            }
            // When the maximum lies on the lowest or highest level re-scored, the level beyond is
            // re-scored too (a few times at most): the maximum must lie inside what was re-scored.
            // When it lies on the edge of a level's cells, every level is re-scored twice as far
            // around the face (once or twice: the step-1 box is rarely that far off).
            var extensions = 0
            while true {
                guard let top = candidates.min(by: { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }) else {
                    return (nil, "no score above the threshold when re-scored", nil)
                }
                if top.edge {
                    guard radius < maximumRadius else { return (nil, "re-scored maximum on the window's edge", nil) }
                    radius *= 2
                    guard let wider = rescore(box, levels: Array(lo...hi), radius: radius) else {
                        return (nil, "re-scoring window reaches a large level", nil)
                    }
                    candidates = wider
                    widened += 1
                    continue
                }
                // The level in the tensor's layout (the window's centre there, not the box's in the image).
                let topLevel = DetectionDecoder.nearestRect(full.rects, top.window.center.rounded)
                if topLevel < firstLevel { return (nil, "re-scored maximum below the levels searched", topLevel) }
                let atLow = topLevel == lo && lo > 0, atHigh = topLevel == hi && hi < last
                if !atLow && !atHigh {
                    let exact = Detection(box: DetectionDecoder.rectDown(decoder.toImage(top.window, full.rects).rounded, times: 1),
                                          confidence: Double(top.score))
                    return (exact, nil, nil)
                }
                guard extensions < 3 else { return (nil, "re-scored maximum on the last level searched", nil) }
                extensions += 1
                let next = atLow ? lo - 1 : hi + 1
                guard let more = rescore(box, levels: [next], radius: radius) else {
                    return (nil, "re-scoring window reaches a large level", nil)
                }
                candidates += more
                if atLow { lo = next } else { hi = next }
            }
        }

        // Step 1: the small levels, coarse to fine, each followed by step 2 when trusted. Each search
        // covers the levels from its first one up to the last one no earlier search covered, and its
        // faces join the earlier searches' through the same non-maximum suppression, so that the
        // searches together stand for one search of every level from the last first level on.
        var result = LargeFaceSearch(reduced: [], exact: nil, note: nil, firstLevel: finest)
        var queue = firstLevels.filter { $0 < levels.sizes.count }
        var searchedFrom = lastLevel + 1  // every level from this one to `lastLevel` was searched
        var merged = [Detection]()  // the searches' faces in upsampled image pixels, best first
        while !queue.isEmpty {
            let firstLevel = queue.removeFirst()
            guard firstLevel < searchedFrom else { continue }
            // A finer search (a few large levels) runs its levels one tensor each while they are
            // wide: stacked in one tensor, each narrower level leaves part of the widest one's
            // width empty (about 12 % more network work for three levels).
            let finer = searchedFrom <= lastLevel
            var found = [Detection]()
            var level = firstLevel
            while level < searchedFrom {
                let count = finer && levels.sizes[level].cols >= 200 ? 1 : searchedFrom - level
                let small = TiledPyramid(levels: levels, firstLevel: level, padding: padding, outerPadding: outer,
                                         levelCount: count)
                let map = small.tensor.withUnsafeBufferPointer {
                    network.scores(input: $0, rows: small.rows, cols: small.cols, threads: threads)
                }
                if map.rows > 0 && map.cols > 0 {
                    found += decoder.detections(scores: map.scores, rows: map.rows, cols: map.cols, levelRects: small.levelRects,
                                                levelOffset: level)
                }
                searches.append(Searched(first: level, rects: small.levelRects, rows: small.rows, cols: small.cols,
                                         scores: map.scores, mapRows: map.rows, mapCols: map.cols))
                level += count
            }
            searchedFrom = firstLevel
            // Earlier faces first among equal scores (they were found first).
            let all = (merged + found).enumerated().sorted {
                $0.element.confidence != $1.element.confidence ? $0.element.confidence > $1.element.confidence : $0.offset < $1.offset
            }
            merged = []
            for (_, d) in all where !merged.contains(where: { decoder.overlaps($0.box, d.box) }) { merged.append(d) }
            result.reduced = merged.map { Detection(box: DetectionDecoder.rectDown($0.box, times: 1), confidence: $0.confidence) }
            result.firstLevel = firstLevel
            result.searches += 1
            result.note = doubt(result.reduced)
            guard result.note == nil, let best = merged.first else { continue }
            let step2 = exactFace(best, firstLevel: firstLevel)
            result.exact = step2.exact
            result.note = step2.note
            result.levelsRead = levelsRead
            result.levelsRun = levelsRun
            result.widened = widened
            // A face whose maximum lies on level `below`, under the levels searched: a finer search
            // looks there, from the level below it (every face larger than it lies on the levels
            // from there up), then from the finest first level if that one is not trusted either.
            if let below = step2.below {
                let from = max(finest, below - 1)
                if from < firstLevel, !queue.contains(from) {
                    queue.insert(from, at: 0)
                }
                if !queue.isEmpty { continue }
            }
            return result
        }
        return result
    }
}
