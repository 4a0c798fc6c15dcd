import Basics
import Dispatch
import Imaging

/// The normalised float levels of an image's detector pyramid, from level ``first`` on: the same
/// values, bit for bit, as the levels ``TiledPyramid/init(image:averageRGB:padding:outerPadding:)``
/// packs (level 0 is `(pixel − average) / 256`, each next level the bilinear resize of the previous
/// one to `floor(5/6 ·)` of its size), kept level by level so that parts of the pyramid can be
/// laid out in other ways (a tensor of the small levels only, or a window of the full tensor).
///
/// Memory layout: ``storage`` holds channel R of levels `first…` one after another (each
/// `rows × cols` floats, row-major), then the kept ``regions`` of larger levels (each
/// `height × width`), then the same for G, then for B; ``offsets`` says where each level or region
/// starts within a channel. The rest of the larger levels is computed on the way and dropped.
struct PyramidLevels: Sendable {
    /// Size of every level of the image's pyramid (the stop rule of ``TiledPyramid/layout``).
    let sizes: [(rows: Int, cols: Int)]
    /// The first level kept.
    let first: Int
    /// Levels `first…`, see the type's documentation.
    let storage: [Float]
    /// Per level: where it (from `first`) or its region (below `first`) starts within a channel
    /// of ``storage``.
    let offsets: [Int]
    /// Parts of levels below `first` that are kept too, in level coordinates.
    let regions: [Int: FaceBox]
    /// Floats per channel in ``storage``.
    let channelCount: Int

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
    /// - Complexity: O(image size) time; O(kept levels) memory (see ``init(image:upsample:averageRGB:keepingFrom:)``).
    init?(image: RGBImage, averageRGB: SIMD3<Float>, keepingFrom first: Int) {
        self.init(image: image, upsample: false, averageRGB: averageRGB, keepingFrom: first)
    }

    /// Computes the levels of `image`, upsampled once first when `upsample` is set (dlib's
    /// ``RGBImage/pyramidUp()``, to `(2H+1) × (2W+2)`: the sizes below are the upsampled image's),
    /// and keeps those from `first` on, and the `regions` (level coordinates, clipped to the level)
    /// of levels below `first`.
    ///
    /// The larger levels are never held whole: each channel is computed row by row, every level
    /// pulling the two rows it needs from a three-row ring of the level above (and level 0 from
    /// the image's rows, upsampled on the way), so the work stays in the cache. The three channels
    /// run in parallel.
    /// - Returns: `nil` when the pyramid has no level `first`.
    /// - Complexity: O(image size) time; O(kept levels + three rows per level) memory.
    init?(image: RGBImage, upsample: Bool, averageRGB: SIMD3<Float>, keepingFrom first: Int, regions: [Int: FaceBox] = [:]) {
        precondition(image.width > 0 && image.height > 0 && first >= 0)
        let base = upsample ? (rows: 2 * image.height + 1, cols: 2 * image.width + 2) : (rows: image.height, cols: image.width)
        let sizes = Self.sizes(rows: base.rows, cols: base.cols)
        guard first < sizes.count else { return nil }
        let up = upsample ? BilinearResize(sourceRows: image.height, sourceCols: image.width, rows: base.rows, cols: base.cols) : nil
        let plans = (1..<sizes.count).map { i in
            BilinearResize(sourceRows: sizes[i - 1].rows, sourceCols: sizes[i - 1].cols, rows: sizes[i].rows, cols: sizes[i].cols)
        }
        var total = 0, levelOffsets = [Int](repeating: 0, count: sizes.count), parts = [Int: FaceBox]()
        for level in first..<sizes.count {
            levelOffsets[level] = total
            total += sizes[level].rows * sizes[level].cols
        }
        for (level, region) in regions.sorted(by: { $0.key < $1.key }) where level < first {
            let part = region.intersection(FaceBox(left: 0, top: 0, right: sizes[level].cols - 1, bottom: sizes[level].rows - 1))
            guard !part.isEmpty else { continue }
            parts[level] = part
            levelOffsets[level] = total
            total += part.width * part.height
        }
        let kept = total, keptRegions = parts
        let offsets = levelOffsets
        storage = [Float](unsafeUninitializedCapacity: 3 * kept) { buffer, count in
            let output = LevelStore(base: buffer.baseAddress!)
            image.pixels.withUnsafeBufferPointer { pixels in
                let bytes = LevelBytes(base: pixels.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: 3) { ch in
                    var channel = ChannelLevels(image: bytes.base, imageCols: image.width, channel: ch, average: averageRGB[ch],
                                                upsample: up, plans: plans, sizes: sizes, first: first, regions: keptRegions,
                                                store: output.base + ch * kept, offsets: offsets)
                    channel.run()
                }
            }
            count = 3 * kept
        }
        self.sizes = sizes
        self.first = first
        self.offsets = offsets
        self.regions = keptRegions
        channelCount = kept
    }

    /// Whether level `level` is kept.
    func holds(_ level: Int) -> Bool { level >= first && level < sizes.count }

    /// Calls `body` with level `level`'s three channel planes (`rows × cols` floats each, row-major).
    /// - Precondition: the level is kept.
    func withLevel<R>(_ level: Int, _ body: (_ red: UnsafePointer<Float>, _ green: UnsafePointer<Float>,
                                             _ blue: UnsafePointer<Float>) -> R) -> R {
        precondition(holds(level), "pyramid level \(level) not kept")
        return storage.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress! + offsets[level]
            return body(base, base + channelCount, base + 2 * channelCount)
        }
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
            // The part in level coordinates, and where the level's kept pixels start.
            let local = FaceBox(left: part.left - rect.left, top: part.top - rect.top, right: part.right - rect.left,
                                bottom: part.bottom - rect.top)
            let kept: FaceBox
            if holds(level) {
                kept = FaceBox(left: 0, top: 0, right: sizes[level].cols - 1, bottom: sizes[level].rows - 1)
            } else if let region = regions[level], region.intersection(local) == local {
                kept = region
            } else {
                return nil
            }
            storage.withUnsafeBufferPointer { buffer in
                out.withUnsafeMutableBufferPointer { dst in
                    for ch in 0..<3 {
                        let src = buffer.baseAddress! + ch * channelCount + offsets[level]
                        for y in local.top...local.bottom {
                            let from = src + (y - kept.top) * kept.width + (local.left - kept.left)
                            let to = dst.baseAddress! + ch * rows * cols + (y + rect.top - top) * cols + (part.left - left)
                            to.update(from: from, count: part.width)
                        }
                    }
                }
            }
        }
        return out
    }
}

/// One channel of the pyramid, computed row by row (see
/// ``PyramidLevels/init(image:upsample:averageRGB:keepingFrom:)``): a level below `first` lives in
/// a ring of three rows, a kept level in its place in `store`; each level's last rows are also
/// kept gathered for the next level's resize (``BilinearResize/RowKernel``).
private struct ChannelLevels {
    let image: UnsafePointer<UInt8>, imageCols: Int, channel: Int, average: Float
    let upsample: BilinearResize?
    let plans: [BilinearResize]
    let sizes: [(rows: Int, cols: Int)]
    let first: Int
    let regions: [Int: FaceBox]
    let store: UnsafeMutablePointer<Float>
    let offsets: [Int]
    /// Rings of the levels below `first`: three rows each, at `ringOffsets[level]`.
    let rings: UnsafeMutablePointer<Float>
    let ringOffsets: [Int]
    /// Per level: the next row to compute.
    var next: [Int]
    /// gathered[k]: rows of level k - 1 (of the image for k = 0) gathered for the resize to level k.
    var gathered: [GatheredRows]

    init(image: UnsafePointer<UInt8>, imageCols: Int, channel: Int, average: Float, upsample: BilinearResize?,
         plans: [BilinearResize], sizes: [(rows: Int, cols: Int)], first: Int, regions: [Int: FaceBox],
         store: UnsafeMutablePointer<Float>, offsets: [Int]) {
        self.regions = regions
        self.image = image
        self.imageCols = imageCols
        self.channel = channel
        self.average = average
        self.upsample = upsample
        self.plans = plans
        self.sizes = sizes
        self.first = first
        self.store = store
        self.offsets = offsets
        var ringOffsets = [Int](), total = 0
        for level in 0..<first {
            ringOffsets.append(total)
            total += 3 * sizes[level].cols
        }
        self.ringOffsets = ringOffsets
        rings = UnsafeMutablePointer<Float>.allocate(capacity: max(total, 1))
        next = [Int](repeating: 0, count: sizes.count)
        gathered = [GatheredRows(count: 3, size: 2 * (upsample?.cols ?? 0))]
            + plans.map { GatheredRows(count: 3, size: 2 * $0.cols) }
    }

    /// Where row `r` of `level` is (or will be) held.
    func row(_ level: Int, _ r: Int) -> UnsafeMutablePointer<Float> {
        let cols = sizes[level].cols
        return level >= first ? store + offsets[level] + r * cols : rings + ringOffsets[level] + (r % 3) * cols
    }

    /// Computes every row of every level (the last level pulls all the others), then frees the
    /// scratch rows.
    mutating func run() {
        let last = sizes.count - 1
        var kernels = [BilinearResize.RowKernel]()
        func go(_ i: Int) {
            guard i < plans.count else {
                if let upsample {
                    upsample.withRowKernel { up in ensure(last, through: sizes[last].rows - 1, kernels: kernels, up: up) }
                } else {
                    ensure(last, through: sizes[last].rows - 1, kernels: kernels, up: nil)
                }
                return
            }
            plans[i].withRowKernel { kernel in
                kernels.append(kernel)
                go(i + 1)
            }
        }
        go(0)
        rings.deallocate()
        for g in gathered { g.deallocate() }
    }

    /// Computes the rows of `level` up to `r`.
    mutating func ensure(_ level: Int, through r: Int, kernels: [BilinearResize.RowKernel], up: BilinearResize.RowKernel?) {
        while next[level] <= r {
            let i = next[level], out = row(level, i)
            if level == 0 {
                if let up, let upsample {
                    let stride = 3 * imageCols, ch = channel
                    let t = upsample.topRow(i), b = upsample.bottomRow(i)
                    let gt = gathered[0].row(t) { up.gather(rgb: image + t * stride, channel: ch, into: $0) }
                    let gb = gathered[0].row(b) { up.gather(rgb: image + b * stride, channel: ch, into: $0) }
                    up.rgbRow(i, channel: ch, top: image + t * stride, bottom: image + b * stride, gatheredTop: gt,
                              gatheredBottom: gb, into: out, subtracting: average, dividing: 256)
                } else {
                    let src = image + 3 * i * imageCols + channel
                    for c in 0..<imageCols { out[c] = (Float(src[3 * c]) - average) / 256 }
                }
            } else {
                let plan = plans[level - 1], kernel = kernels[level - 1]
                let t = plan.topRow(i), b = plan.bottomRow(i)
                ensure(level - 1, through: b, kernels: kernels, up: up)
                let top = row(level - 1, t), bottom = row(level - 1, b)
                let gt = gathered[level].row(t) { kernel.gather(top, into: $0) }
                let gb = gathered[level].row(b) { kernel.gather(bottom, into: $0) }
                kernel.planeRow(i, top: top, bottom: bottom, gatheredTop: gt, gatheredBottom: gb, into: out)
            }
            if level < first, let region = regions[level], region.top <= i, i <= region.bottom {
                (store + offsets[level] + (i - region.top) * region.width).update(from: out + region.left, count: region.width)
            }
            next[level] += 1
        }
    }
}

/// Buffer addresses for the per-channel workers; each writes its own channel's slices only and
/// the image bytes are only read.
private struct LevelStore: @unchecked Sendable { let base: UnsafeMutablePointer<Float> }
private struct LevelBytes: @unchecked Sendable { let base: UnsafePointer<UInt8> }
