import Basics
import Dispatch
import Imaging
#if canImport(Glibc)
import Glibc
#endif

/// The MMOD detector's input: an image pyramid packed into one planar float tensor
/// (dlib's `input_rgb_image_pyramid<pyramid_down<6>>`, DLIB-FORMAT.md §5.2).
///
/// Levels shrink by 5/6 each until fewer than 5 rows remain. Level 0 is the image; the others are
/// packed down the left column and then up the right column, `padding` pixels apart, inside an
/// `outerPadding` border. Each level is the bilinear resize (§5.3) of the previous level's
/// *normalised floats*, as dlib does; everything outside the levels is zero.
///
/// Memory layout of ``tensor``: 3 planes (R, G, B) of `rows × cols` float32, row-major — the
/// NCHW layout `DetectorNetwork.scores(input:rows:cols:)` reads. Pass it with
/// `pyramid.tensor.withUnsafeBufferPointer { … }`.
///
/// Every element is written exactly once (zeros only where no level lies), so the tensor can be
/// allocated uninitialised or reused from a previous image without clearing it first.
public struct TiledPyramid: Sendable {
    /// dlib's defaults for the face detector.
    public static let defaultPadding = 10
    public static let defaultOuterPadding = 11

    /// Tensor height (NR).
    public private(set) var rows: Int
    /// Tensor width (NC).
    public private(set) var cols: Int
    /// Where each pyramid level sits in the tensor; `levelRects[0]` is the full-size image.
    public private(set) var levelRects: [FaceBox]
    /// Spacing between levels and around them.
    public let padding: Int
    public let outerPadding: Int
    /// `3 × rows × cols` floats: `(pixel − average) / 256` per channel, planar.
    public private(set) var tensor: [Float]

    /// The layout only: level rectangles and tensor size for an image of `imageRows × imageCols`.
    ///
    /// - Parameter levelCount: at most this many levels (all: dlib's layout).
    /// - Returns: `rects` (possibly fewer than the levels computed when the right column is full),
    ///   `rows` and `cols` of the tensor.
    public static func layout(
        imageRows: Int, imageCols: Int,
        padding: Int = defaultPadding, outerPadding: Int = defaultOuterPadding, levelCount: Int = .max
    ) -> (rects: [FaceBox], rows: Int, cols: Int) {
        // Level sizes: floor(rate · n) with rate = 5/6 in double, stopping before an empty or
        // shorter-than-5-rows level.
        var sizes = [(h: imageRows, w: imageCols)]
        let rate = (6 - 1.0) / 6
        var nr = imageRows, nc = imageCols
        while true {
            nr = Int((rate * Double(nr)).rounded(.down))
            nc = Int((rate * Double(nc)).rounded(.down))
            if nr * nc == 0 || nr < 5 || sizes.count >= levelCount { break }
            sizes.append((nr, nc))
        }
        let h0 = sizes[0].h, w0 = sizes[0].w
        let totalHeight = sizes.reduce(0) { $0 + $1.h + padding } - 2 * padding
        var height = 0, previousWidth = 0
        for s in sizes {
            if s.w <= w0 - previousWidth - padding && (height - h0) * 2 >= totalHeight - h0 { break }
            height += s.h + padding
            previousWidth = s.w
        }
        height -= padding
        var rects = [FaceBox]()
        var y = outerPadding, i = 0
        while y < height + outerPadding && i < sizes.count {
            rects.append(FaceBox(left: outerPadding, top: y, right: outerPadding + sizes[i].w - 1, bottom: y + sizes[i].h - 1))
            y += sizes[i].h + padding
            i += 1
        }
        y -= padding
        while i < sizes.count {
            let x1 = outerPadding + w0 - 1, y1 = y - 1
            let rect = FaceBox(left: x1 - (sizes[i].w - 1), top: y1 - (sizes[i].h - 1), right: x1, bottom: y1)
            if !rect.intersection(rects[0]).isEmpty { break }
            rects.append(rect)
            y -= sizes[i].h + padding
            i += 1
        }
        return (rects, height + 2 * outerPadding, w0 + 2 * outerPadding)
    }

    /// The layout of the levels `firstLevel…` of an image's pyramid: the layout of level
    /// `firstLevel` as an image, with wider gaps, and each level moved right and down by 0–7
    /// pixels to sit at the same position modulo 8 as in the full pyramid's layout (the tensor
    /// grows by as much, keeping the outer padding beyond every level). The detector's
    /// score map has a stride of 8, so its cells then fall on the same points of each level.
    static func alignedLayout(
        imageRows: Int, imageCols: Int, firstLevel: Int, padding: Int, outerPadding: Int, levelCount: Int = .max
    ) -> (rects: [FaceBox], rows: Int, cols: Int) {
        let full = layout(imageRows: imageRows, imageCols: imageCols, padding: padding, outerPadding: outerPadding)
        let topRect = full.rects.count > firstLevel ? full.rects[firstLevel] : nil
        var sizes = (h: imageRows, w: imageCols)
        for _ in 0..<firstLevel {
            sizes = (Int((5.0 / 6 * Double(sizes.h)).rounded(.down)), Int((5.0 / 6 * Double(sizes.w)).rounded(.down)))
        }
        let alignment = 8
        let compact = layout(imageRows: topRect?.height ?? sizes.h, imageCols: topRect?.width ?? sizes.w,
                             padding: padding + alignment, outerPadding: outerPadding, levelCount: levelCount)
        var rects = compact.rects
        for i in rects.indices where firstLevel + i < full.rects.count {
            let target = full.rects[firstLevel + i], r = rects[i]
            let dx = ((target.left - r.left) % alignment + alignment) % alignment
            let dy = ((target.top - r.top) % alignment + alignment) % alignment
            rects[i] = FaceBox(left: r.left + dx, top: r.top + dy, right: r.right + dx, bottom: r.bottom + dy)
        }
        // As large as the compact layout, and as the moved levels with the outer padding beyond
        // them (up to 7 more rows and columns, not always 8: the network's work is the tensor's area).
        let rows = rects.reduce(compact.rows) { max($0, $1.bottom + 1 + outerPadding) }
        let cols = rects.reduce(compact.cols) { max($0, $1.right + 1 + outerPadding) }
        return (rects, rows, cols)
    }

    /// Builds the pyramid tensor for `image` (already upsampled as the caller wishes).
    ///
    /// - Parameters:
    ///   - image: the image; must be at least 1×1.
    ///   - averageRGB: the detector's mean pixel (its input layer's `avg_red`, `avg_green`, `avg_blue`).
    ///   - padding, outerPadding: dlib's spacing (10 and 11 for the face detector).
    /// - Complexity: O(tensor size); levels are computed in parallel over channels and rows.
    ///   Memory: `12 × rows × cols` bytes (182 MB for a 8221×1844 tensor). To process many
    ///   images, keep one pyramid and call ``rebuild(image:averageRGB:)``: touching fresh memory
    ///   costs more than computing the pyramid on this kind of machine.
    public init(
        image: RGBImage, averageRGB: SIMD3<Float>,
        padding: Int = defaultPadding, outerPadding: Int = defaultOuterPadding
    ) {
        precondition(image.width > 0 && image.height > 0)
        let layout = Self.layout(imageRows: image.height, imageCols: image.width, padding: padding, outerPadding: outerPadding)
        self.rows = layout.rows
        self.cols = layout.cols
        self.levelRects = layout.rects
        self.padding = padding
        self.outerPadding = outerPadding
        self.tensor = Self.freshTensor(count: 3 * layout.rows * layout.cols) { buffer in
            Self.fill(buffer, image: image, averageRGB: averageRGB, rows: layout.rows, cols: layout.cols, rects: layout.rects)
        }
    }

    /// The pyramid of `image` from level `firstLevel` on, without the larger levels: level
    /// `firstLevel + i` of ``init(image:averageRGB:padding:outerPadding:)``'s pyramid, bit for bit,
    /// becomes level `i` here, and the levels are laid out as if level `firstLevel` were the image.
    ///
    /// Use it to look only for faces at least `(6/5)^firstLevel` times the detector's window: the
    /// tensor is about `(5/6)^(2·firstLevel)` times the size. The larger levels are still computed
    /// (each level is resized from the previous one), one channel plane at a time.
    ///
    /// - Parameters:
    ///   - image: the image; must be at least 1×1.
    ///   - averageRGB: the detector's mean pixel.
    ///   - firstLevel: the level that becomes level 0 (0 gives the usual pyramid).
    /// - Returns: `nil` when the pyramid of `image` has fewer than `firstLevel + 1` levels.
    /// - Complexity: O(image size) time, O(image size) floats of temporary memory per channel.
    public init?(
        image: RGBImage, averageRGB: SIMD3<Float>, firstLevel: Int,
        padding: Int = defaultPadding, outerPadding: Int = defaultOuterPadding
    ) {
        guard let levels = PyramidLevels(image: image, averageRGB: averageRGB, keepingFrom: firstLevel) else { return nil }
        self.init(levels: levels, firstLevel: firstLevel, padding: padding, outerPadding: outerPadding)
    }

    /// ``init(image:averageRGB:firstLevel:padding:outerPadding:)`` from levels already computed,
    /// at most `levelCount` of them (the smallest levels can only hold faces wider than the image).
    /// - Precondition: `levels` holds level `firstLevel`.
    init(levels: PyramidLevels, firstLevel: Int, padding: Int = defaultPadding, outerPadding: Int = defaultOuterPadding,
         levelCount: Int = .max) {
        let size = levels.sizes[firstLevel]
        let layout = Self.alignedLayout(imageRows: levels.sizes[0].rows, imageCols: levels.sizes[0].cols,
                                        firstLevel: firstLevel, padding: padding, outerPadding: outerPadding,
                                        levelCount: levelCount)
        self.rows = layout.rows
        self.cols = layout.cols
        self.levelRects = layout.rects
        self.padding = padding
        self.outerPadding = outerPadding
        self.tensor = Self.freshTensor(count: 3 * layout.rows * layout.cols) { buffer in
            Self.fill(buffer, rows: layout.rows, cols: layout.cols, rects: layout.rects) { tensor, plane in
                let r0 = layout.rects[0]
                levels.withLevel(firstLevel) { red, green, blue in
                    for (ch, src) in [red, green, blue].enumerated() {
                        for y in 0..<size.rows {
                            (tensor.base + ch * plane + (r0.top + y) * layout.cols + r0.left)
                                .update(from: src + y * size.cols, count: size.cols)
                        }
                    }
                }
            }
        }
    }

    /// An empty pyramid (no levels, 0 × 0) holding `storage` for ``rebuild(image:averageRGB:)``
    /// to reuse: a buffer kept from an earlier probe (``NeuralNet/ReusableMemory``).
    public init(reusing storage: [Float], padding: Int = defaultPadding, outerPadding: Int = defaultOuterPadding) {
        rows = 0
        cols = 0
        levelRects = []
        self.padding = padding
        self.outerPadding = outerPadding
        tensor = storage
    }

    /// Takes the tensor's storage out (to give it back to a pool), leaving the pyramid empty.
    public mutating func releaseStorage() -> [Float] {
        rows = 0
        cols = 0
        levelRects = []
        defer { tensor = [] }
        return tensor
    }

    /// Rebuilds the pyramid for another image, reusing the tensor's storage when it is large
    /// enough (no new allocation, no page faults; every element is rewritten).
    ///
    /// - Parameters:
    ///   - image: the image; must be at least 1×1.
    ///   - averageRGB: the detector's mean pixel.
    public mutating func rebuild(image: RGBImage, averageRGB: SIMD3<Float>) {
        precondition(image.width > 0 && image.height > 0)
        let layout = Self.layout(imageRows: image.height, imageCols: image.width, padding: padding, outerPadding: outerPadding)
        let count = 3 * layout.rows * layout.cols
        rows = layout.rows
        cols = layout.cols
        levelRects = layout.rects
        guard tensor.capacity >= count else {
            tensor = []  // release the old storage first
            tensor = Self.freshTensor(count: count) { buffer in
                Self.fill(buffer, image: image, averageRGB: averageRGB, rows: layout.rows, cols: layout.cols, rects: layout.rects)
            }
            return
        }
        if tensor.count > count {
            tensor.removeLast(tensor.count - count)  // keeps the capacity
        } else if tensor.count < count {
            tensor.append(contentsOf: repeatElement(0, count: count - tensor.count))  // within the capacity
        }
        tensor.withUnsafeMutableBufferPointer { buffer in
            Self.fill(buffer.baseAddress!, image: image, averageRGB: averageRGB, rows: layout.rows, cols: layout.cols, rects: layout.rects)
        }
    }

    /// Allocates `count` floats, asks the kernel for transparent huge pages (4× fewer page-fault
    /// costs on first touch; advisory, failure ignored), and lets `initialize` write every element.
    private static func freshTensor(count: Int, _ initialize: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard let base = buffer.baseAddress else {
                initialized = 0
                return
            }
            #if os(Linux)
            let huge = 2 << 20
            let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
            let end = (Int(bitPattern: base) + count * MemoryLayout<Float>.stride) & ~(huge - 1)
            if end > start, let address = UnsafeMutableRawPointer(bitPattern: start) {
                _ = madvise(address, end - start, MADV_HUGEPAGE)
            }
            #endif
            initialize(base)
            initialized = count
        }
    }

    /// Writes the whole tensor: zeros outside the level rectangles, level 0 from the image, then
    /// each level resized from the previous one.
    ///
    /// Memory layout: `out` holds 3 planes of `rows × cols` floats, row-major; `image` is
    /// interleaved RGB bytes. Rows are split over workers; each level waits for the previous one.
    private static func fill(
        _ out: UnsafeMutablePointer<Float>, image: RGBImage, averageRGB: SIMD3<Float>,
        rows: Int, cols: Int, rects: [FaceBox]
    ) {
        fill(out, rows: rows, cols: cols, rects: rects) { shared, plane in
            image.pixels.withUnsafeBufferPointer { pixels in
                let src = SharedBytes(base: pixels.baseAddress!)
                // Level 0: (f32(p) − avg) / 256 per channel.
                let r0 = rects[0], w = image.width, h = image.height
                let chunks = Swift.min(h, 32)
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    for y in (chunk * h / chunks)..<((chunk + 1) * h / chunks) {
                        let row = src.base + y * w * 3
                        for ch in 0..<3 {
                            let dst = shared.base + ch * plane + (r0.top + y) * cols + r0.left
                            let avg = averageRGB[ch]
                            for x in 0..<w { dst[x] = (Float(row[3 * x + ch]) - avg) / 256 }
                        }
                    }
                }
            }
        }
    }

    /// Writes the whole tensor; `levelZero` writes level 0 (inside `rects[0]` of each plane).
    private static func fill(
        _ out: UnsafeMutablePointer<Float>, rows: Int, cols: Int, rects: [FaceBox],
        levelZero: (_ tensor: SharedFloats, _ plane: Int) -> Void
    ) {
        let plane = rows * cols
        let shared = SharedFloats(base: out)
        // Zeros outside the levels (the padding between and around them).
        let zeroChunks = Swift.min(rows, 64)
        DispatchQueue.concurrentPerform(iterations: zeroChunks) { chunk in
            var spans = [(Int, Int)]()
            for r in (chunk * rows / zeroChunks)..<((chunk + 1) * rows / zeroChunks) {
                spans.removeAll(keepingCapacity: true)
                for rect in rects where rect.top <= r && r <= rect.bottom { spans.append((rect.left, rect.right)) }
                spans.sort { $0.0 < $1.0 }
                for ch in 0..<3 {
                    let row = shared.base + ch * plane + r * cols
                    var x = 0
                    for (left, right) in spans {
                        if left > x { (row + x).update(repeating: 0, count: left - x) }
                        x = Swift.max(x, right + 1)
                    }
                    if cols > x { (row + x).update(repeating: 0, count: cols - x) }
                }
            }
        }
        levelZero(shared, plane)
        // Levels 1…: bilinear resize of the previous level, in place in the tensor.
        for i in 1..<rects.count {
            let s = rects[i - 1], d = rects[i]
            let plan = BilinearResize(sourceRows: s.height, sourceCols: s.width, rows: d.height, cols: d.width)
            let perChannel = Swift.max(1, Swift.min(d.height / 16, 8))
            DispatchQueue.concurrentPerform(iterations: 3 * perChannel) { task in
                let ch = task / perChannel, part = task % perChannel
                let base = shared.base + ch * plane
                plan.resizePlane(
                    source: base + s.top * cols + s.left, sourceStride: cols,
                    destination: base + d.top * cols + d.left, destinationStride: cols,
                    rowRange: (part * d.height / perChannel)..<((part + 1) * d.height / perChannel))
            }
        }
    }
}

/// Buffer addresses handed to `concurrentPerform` workers. Sound because the buffers are borrowed
/// around the parallel region, the shared input is only read, and every worker writes a disjoint
/// set of rows of its own channel (level i reads level i − 1, finished before level i starts).
private struct SharedFloats: @unchecked Sendable { let base: UnsafeMutablePointer<Float> }
private struct SharedBytes: @unchecked Sendable { let base: UnsafePointer<UInt8> }
