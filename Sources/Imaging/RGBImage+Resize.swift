import Dispatch

extension RGBImage {
    /// dlib's bilinear `resize_image` to `width`×`height`, bit-exact (DLIB-FORMAT.md §5.3).
    ///
    /// Rows are split over the available cores for large outputs. An empty input or output size
    /// gives a black image.
    /// - Complexity: O(width × height) of the output.
    public func resized(width newWidth: Int, height newHeight: Int) -> RGBImage {
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        guard width > 0, height > 0, newWidth > 0, newHeight > 0 else {
            return RGBImage(width: newWidth, height: newHeight, pixels: out)
        }
        let plan = BilinearResize(sourceRows: height, sourceCols: width, rows: newHeight, cols: newWidth)
        let chunks = newWidth * newHeight >= 1 << 18 ? 16 : 1
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let source = DisjointWrites(base: UnsafeMutablePointer(mutating: src.baseAddress!))
                let destination = DisjointWrites(base: dst.baseAddress!)
                let perChunk = (newHeight + chunks - 1) / chunks
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    let start = min(chunk * perChunk, newHeight), end = min(start + perChunk, newHeight)
                    plan.resizeRGB(source: source.base, destination: destination.base, rowRange: start..<end)
                }
            }
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: out)
    }

    /// dlib's `pyramid_up` with `pyramid_down<2>`: an H×W image becomes (2H+1)×(2W+2) by the
    /// bilinear resize above (DLIB-FORMAT.md §5.5). The MMOD detector upsamples this way.
    public func pyramidUp() -> RGBImage {
        resized(width: 2 * width + 2, height: 2 * height + 1)
    }
}
