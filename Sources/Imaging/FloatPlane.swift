/// A single-channel float32 image, row-major without padding (dlib's `matrix<float>`).
public struct FloatPlane: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height` values, row by row.
    public var values: [Float]

    /// Wraps existing values.
    public init(width: Int, height: Int, values: [Float]) {
        precondition(width >= 0 && height >= 0 && values.count == width * height)
        self.width = width
        self.height = height
        self.values = values
    }

    /// The value at column `x`, row `y`.
    @inlinable
    public subscript(x: Int, y: Int) -> Float { values[y * width + x] }

    /// dlib's bilinear `resize_image` to `width`×`height`, bit-exact (DLIB-FORMAT.md §5.3).
    ///
    /// An empty input or output size gives a plane of zeros.
    /// - Complexity: O(width × height) of the output.
    public func resized(width newWidth: Int, height newHeight: Int) -> FloatPlane {
        var out = [Float](repeating: 0, count: newWidth * newHeight)
        guard width > 0, height > 0, newWidth > 0, newHeight > 0 else {
            return FloatPlane(width: newWidth, height: newHeight, values: out)
        }
        let plan = BilinearResize(sourceRows: height, sourceCols: width, rows: newHeight, cols: newWidth)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                plan.resizePlane(source: src.baseAddress!, sourceStride: width,
                                 destination: dst.baseAddress!, destinationStride: newWidth,
                                 rowRange: 0..<newHeight)
            }
        }
        return FloatPlane(width: newWidth, height: newHeight, values: out)
    }
}
