import Basics
import Dispatch
import Imaging

/// The normalised float levels of an image's detector pyramid, from level ``first`` on: the same
/// values, bit for bit, as the levels ``TiledPyramid/init(image:averageRGB:padding:outerPadding:)``
/// packs (level 0 is `(pixel − average) / 256`, each next level the bilinear resize of the previous
/// one to `floor(5/6 ·)` of its size), kept as separate planes so that parts of the pyramid can be
/// laid out in other ways (a tensor of the small levels only, or a window of the full tensor).
///
/// Memory layout: ``planes``[i] holds level `first + i` as 3 planes (R, G, B) of `rows × cols`
/// floats, row-major. The larger levels are computed on the way and dropped.
struct PyramidLevels: Sendable {
    /// Size of every level of the image's pyramid (the stop rule of ``TiledPyramid/layout``).
    let sizes: [(rows: Int, cols: Int)]
    /// The first level kept.
    let first: Int
    /// Levels `first…`, see the type's documentation.
    let planes: [[Float]]

    /// Sizes of the pyramid levels of an image of `rows × cols`.
    static func sizes(rows: Int, cols: Int) -> [(rows: Int, cols: Int)] {
        var sizes = [(rows: rows, cols: cols)]
        let rate = (6 - 1.0) / 6
        var nr = rows, nc = cols
        while true {
            nr = Int((rate * Double(nr)).rounded(.down))
            nc = Int((rate * Double(nc)).rounded(.down))
            if nr * nc == 0 || nr < 5 { break }
            sizes.append((nr, nc))
        }
        return sizes
    }

    /// Computes the levels of `image` and keeps those from `first` on.
    /// - Returns: `nil` when the pyramid has no level `first`.
    /// - Complexity: O(image size); the three channels run in parallel, each with two scratch
    ///   planes of the image's size.
    init?(image: RGBImage, averageRGB: SIMD3<Float>, keepingFrom first: Int) {
        precondition(image.width > 0 && image.height > 0 && first >= 0)
        let sizes = Self.sizes(rows: image.height, cols: image.width)
        guard first < sizes.count else { return nil }
        let plans = (1..<sizes.count).map { i in
            BilinearResize(sourceRows: sizes[i - 1].rows, sourceCols: sizes[i - 1].cols, rows: sizes[i].rows, cols: sizes[i].cols)
        }
        let kept = sizes[first...].reduce(0) { $0 + $1.rows * $1.cols }
        let offsets = sizes.indices.map { i in i < first ? 0 : sizes[first..<i].reduce(0) { $0 + $1.rows * $1.cols } }
        // Two scratch tensors (3 planes each) take turns as source and destination; each step is
        // split over channels and row chunks.
        let store = UnsafeMutablePointer<Float>.allocate(capacity: 3 * kept)
        let count = image.width * image.height
        var current = UnsafeMutablePointer<Float>.allocate(capacity: 3 * count)
        var other = UnsafeMutablePointer<Float>.allocate(capacity: 3 * max(1, sizes.count > 1 ? sizes[1].rows * sizes[1].cols : 1))
        defer {
            store.deallocate()
            current.deallocate()
            other.deallocate()
        }
        let chunks = 8
        image.pixels.withUnsafeBufferPointer { pixels in
            let src = LevelBytes(base: pixels.baseAddress!), dst = LevelStore(base: current)
            DispatchQueue.concurrentPerform(iterations: 3 * chunks) { task in
                let ch = task / chunks, part = task % chunks
                let avg = averageRGB[ch]
                for i in (part * count / chunks)..<((part + 1) * count / chunks) {
                    dst.base[ch * count + i] = (Float(src.base[3 * i + ch]) - avg) / 256
                }
            }
        }
        for level in 0..<sizes.count {
            let n = sizes[level].rows * sizes[level].cols
            if level > 0 {
                let plan = plans[level - 1], from = LevelStore(base: current), to = LevelStore(base: other)
                let m = plan.sourceRows * plan.sourceCols
                let parts = plan.rows >= 64 ? chunks : 1
                DispatchQueue.concurrentPerform(iterations: 3 * parts) { task in
                    let ch = task / parts, part = task % parts
                    plan.resizePlane(source: from.base + ch * m, sourceStride: plan.sourceCols, destination: to.base + ch * n,
                                     destinationStride: plan.cols,
                                     rowRange: (part * plan.rows / parts)..<((part + 1) * plan.rows / parts))
                }
                swap(&current, &other)
            }
            if level >= first {
                for ch in 0..<3 { (store + ch * kept + offsets[level]).initialize(from: current + ch * n, count: n) }
            }
        }
        self.sizes = sizes
        self.first = first
        self.planes = (first..<sizes.count).map { level in
            let n = sizes[level].rows * sizes[level].cols
            var plane = [Float](repeating: 0, count: 3 * n)
            plane.withUnsafeMutableBufferPointer { p in
                for ch in 0..<3 { (p.baseAddress! + ch * n).update(from: store + ch * kept + offsets[level], count: n) }
            }
            return plane
        }
    }

    /// Level `level`'s planes, if kept.
    func plane(_ level: Int) -> [Float]? {
        level >= first && level < sizes.count ? planes[level - first] : nil
    }

    /// The window `rows × cols` at `(top, left)` of the tiled pyramid tensor whose level rectangles
    /// are `rects` (3 planes, row-major; zeros outside the levels), exactly as that tensor holds it.
    /// - Returns: `nil` when the window overlaps a level that is not kept.
    func window(rects: [FaceBox], top: Int, left: Int, rows: Int, cols: Int) -> [Float]? {
        let area = FaceBox(left: left, top: top, right: left + cols - 1, bottom: top + rows - 1)
        var out = [Float](repeating: 0, count: 3 * rows * cols)
        for (level, rect) in rects.enumerated() {
            let part = rect.intersection(area)
            guard !part.isEmpty else { continue }
            guard let plane = plane(level) else { return nil }
            let w = sizes[level].cols, n = sizes[level].rows * w
            plane.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    for ch in 0..<3 {
                        for y in part.top...part.bottom {
                            let from = src.baseAddress! + ch * n + (y - rect.top) * w + (part.left - rect.left)
                            let to = dst.baseAddress! + ch * rows * cols + (y - top) * cols + (part.left - left)
                            to.update(from: from, count: part.width)
                        }
                    }
                }
            }
        }
        return out
    }
}

/// Buffer addresses for the per-channel workers; each writes its own channel's slices only and
/// the image bytes are only read.
private struct LevelStore: @unchecked Sendable { let base: UnsafeMutablePointer<Float> }
private struct LevelBytes: @unchecked Sendable { let base: UnsafePointer<UInt8> }
