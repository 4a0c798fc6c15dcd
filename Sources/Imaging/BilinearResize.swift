/// dlib's bilinear `resize_image`, reproduced bit for bit (DLIB-FORMAT.md §5.3).
///
/// dlib samples with "align corners" and evaluates most columns in a 4-lane float32 SIMD loop and
/// the last few in scalar double code. Both paths are reproduced here: positions, weights and the
/// order of the float32 additions are the same, so results are bit-identical to dlib for uint8 RGB
/// images and float planes. A plan precomputes the column and row sampling once; the kernels then
/// fill any range of output rows, so callers can split the rows over threads.
///
/// Memory layout assumed by the kernels: row-major planes with an explicit row stride (in
/// elements) for float planes; interleaved `R G B` bytes without row padding for RGB images.
public struct BilinearResize: Sendable {
    /// Input size.
    public let sourceRows: Int, sourceCols: Int
    /// Output size.
    public let rows: Int, cols: Int

    /// Columns `0..<vectorCols` use the float32 "SIMD" recipe, the rest the scalar tail.
    let vectorCols: Int
    /// Per output column: left and right source columns.
    let left: [Int], right: [Int]
    /// Per vector column: float32 fraction `fx` and `1 − fx`.
    let fx: [Float], ifx: [Float]
    /// Per tail column (index − vectorCols): the double fraction.
    let tailFx: [Double]
    /// Per output row: top and bottom source rows and the double fraction.
    let top: [Int], bottom: [Int], tb: [Double]

    /// Plans a resize from `sourceRows`×`sourceCols` to `rows`×`cols`.
    ///
    /// - Precondition: all sizes positive.
    public init(sourceRows: Int, sourceCols: Int, rows: Int, cols: Int) {
        precondition(sourceRows > 0 && sourceCols > 0 && rows > 0 && cols > 0)
        self.sourceRows = sourceRows
        self.sourceCols = sourceCols
        self.rows = rows
        self.cols = cols

        // Columns, vector part: lanes are float32 and advance by f32(4·xs) per group of four.
        let xs = Double(sourceCols - 1) / Double(max(cols - 1, 1))
        let x0 = -4 * xs
        var lanes = SIMD4<Float>(Float(x0), Float(x0 + xs), Float(x0 + 2 * xs), Float(x0 + 3 * xs))
        let step = SIMD4<Float>(repeating: Float(4 * xs))
        var left = [Int](), right = [Int](), fx = [Float](), ifx = [Float]()
        left.reserveCapacity(cols); right.reserveCapacity(cols)
        var vectorCols = 0
        let groups = (cols + 3) / 4 + 1
        for g in 0..<groups {
            lanes = lanes + step
            // trunc toward zero (lanes are ≥ 0); dlib stops the vector loop at the first group
            // whose last lane would read past the right edge.
            if Int(lanes[3]) + 1 >= sourceCols { break }
            for j in 0..<4 where 4 * g + j < cols {
                let l = Int(lanes[j])
                let f = lanes[j] - Float(l)
                left.append(l)
                right.append(l + 1)
                fx.append(f)
                ifx.append(1 - f)
            }
            vectorCols = min(4 * (g + 1), cols)
            if vectorCols == cols { break }
        }
        // Columns, scalar tail: double accumulation from the first tail column.
        var tailFx = [Double]()
        var x = -xs + Double(vectorCols) * xs
        for _ in vectorCols..<cols {
            x += xs
            let l = min(Int(x.rounded(.down)), sourceCols - 1)
            left.append(l)
            right.append(min(l + 1, sourceCols - 1))
            tailFx.append(x - Double(l))
        }
        // Rows: double accumulation.
        let ys = Double(sourceRows - 1) / Double(max(rows - 1, 1))
        var top = [Int](), bottom = [Int](), tb = [Double]()
        var y = -ys
        for _ in 0..<rows {
            y += ys
            let t = min(Int(y.rounded(.down)), sourceRows - 1)
            top.append(t)
            bottom.append(min(t + 1, sourceRows - 1))
            tb.append(y - Double(t))
        }
        self.vectorCols = vectorCols
        self.left = left
        self.right = right
        self.fx = fx
        self.ifx = ifx
        self.tailFx = tailFx
        self.top = top
        self.bottom = bottom
        self.tb = tb
    }

    /// Resizes a float plane, output rows `rowRange` only.
    ///
    /// - Parameters:
    ///   - source: the first element of the input plane (`sourceRows` rows of `sourceStride` floats).
    ///   - destination: the first element of the output plane (`rows` rows of `destinationStride` floats).
    ///   - rowRange: the output rows to compute.
    /// - Complexity: O(rowRange.count × cols).
    public func resizePlane(
        source: UnsafePointer<Float>, sourceStride: Int,
        destination: UnsafeMutablePointer<Float>, destinationStride: Int,
        rowRange: Range<Int>
    ) {
        left.withUnsafeBufferPointer { left in
        right.withUnsafeBufferPointer { right in
        fx.withUnsafeBufferPointer { fx in
        ifx.withUnsafeBufferPointer { ifx in
            for r in rowRange {
                let tb = self.tb[r]
                let tbf = Float(tb), itbf = Float(1 - tb)
                let topRow = source + self.top[r] * sourceStride
                let botRow = source + self.bottom[r] * sourceStride
                let out = destination + r * destinationStride
                // Groups of four columns in SIMD4<Float>, like dlib's simd4f loop: the same
                // float32 operations in the same order, lane by lane.
                let itb4 = SIMD4<Float>(repeating: itbf), tb4 = SIMD4<Float>(repeating: tbf)
                let fxRaw = UnsafeRawPointer(fx.baseAddress!), ifxRaw = UnsafeRawPointer(ifx.baseAddress!)
                var c = 0
                while c + 4 <= vectorCols {
                    let f = fxRaw.loadUnaligned(fromByteOffset: 4 * c, as: SIMD4<Float>.self)
                    let g = ifxRaw.loadUnaligned(fromByteOffset: 4 * c, as: SIMD4<Float>.self)
                    let wTL = itb4 * g, wTR = itb4 * f, wBL = tb4 * g, wBR = tb4 * f
                    let l0 = left[c], l1 = left[c + 1], l2 = left[c + 2], l3 = left[c + 3]
                    let r0 = right[c], r1 = right[c + 1], r2 = right[c + 2], r3 = right[c + 3]
                    let tl = SIMD4<Float>(topRow[l0], topRow[l1], topRow[l2], topRow[l3])
                    let tr = SIMD4<Float>(topRow[r0], topRow[r1], topRow[r2], topRow[r3])
                    let bl = SIMD4<Float>(botRow[l0], botRow[l1], botRow[l2], botRow[l3])
                    let br = SIMD4<Float>(botRow[r0], botRow[r1], botRow[r2], botRow[r3])
                    var v = wTL * tl + wTR * tr
                    v = v + wBL * bl
                    v = v + wBR * br
                    UnsafeMutableRawPointer(out + c).storeBytes(of: v, as: SIMD4<Float>.self)
                    c += 4
                }
                for c in c..<vectorCols {
                    let l = left[c], rr = right[c]
                    let wTL = itbf * ifx[c], wTR = itbf * fx[c]
                    let wBL = tbf * ifx[c], wBR = tbf * fx[c]
                    var v = wTL * topRow[l] + wTR * topRow[rr]
                    v = v + wBL * botRow[l]
                    v = v + wBR * botRow[rr]
                    out[c] = v
                }
                for c in vectorCols..<cols {
                    let l = left[c], rr = right[c]
                    let f = Float(tailFx[c - vectorCols])
                    let a = (1 - f) * topRow[l] + f * topRow[rr]
                    let b = (1 - f) * botRow[l] + f * botRow[rr]
                    out[c] = Float((1 - tb) * Double(a) + tb * Double(b))
                }
            }
        }
        }
        }
        }
    }

    /// Resizes an interleaved RGB image, output rows `rowRange` only.
    ///
    /// - Parameters:
    ///   - source: `sourceRows × sourceCols × 3` bytes.
    ///   - destination: `rows × cols × 3` bytes.
    ///   - rowRange: the output rows to compute.
    /// - Complexity: O(rowRange.count × cols).
    public func resizeRGB(source: UnsafePointer<UInt8>, destination: UnsafeMutablePointer<UInt8>, rowRange: Range<Int>) {
        left.withUnsafeBufferPointer { left in
        right.withUnsafeBufferPointer { right in
        fx.withUnsafeBufferPointer { fx in
        ifx.withUnsafeBufferPointer { ifx in
            for r in rowRange {
                let tb = self.tb[r]
                let tbf = Float(tb), itbf = Float(1 - tb)
                let topRow = source + self.top[r] * sourceCols * 3
                let botRow = source + self.bottom[r] * sourceCols * 3
                let out = destination + r * cols * 3
                for c in 0..<vectorCols {
                    let l = 3 * left[c], rr = 3 * right[c]
                    let wTL = itbf * ifx[c], wTR = itbf * fx[c]
                    let wBL = tbf * ifx[c], wBR = tbf * fx[c]
                    for ch in 0..<3 {
                        var v = wTL * Float(topRow[l + ch]) + wTR * Float(topRow[rr + ch])
                        v = v + wBL * Float(botRow[l + ch])
                        v = v + wBR * Float(botRow[rr + ch])
                        out[3 * c + ch] = UInt8(min(max(v, 0), 255))  // truncates
                    }
                }
                for c in vectorCols..<cols {
                    let l = 3 * left[c], rr = 3 * right[c]
                    let f = tailFx[c - vectorCols]
                    for ch in 0..<3 {
                        let a = (1 - f) * Double(topRow[l + ch]) + f * Double(topRow[rr + ch])
                        let b = (1 - f) * Double(botRow[l + ch]) + f * Double(botRow[rr + ch])
                        let v = (1 - tb) * a + tb * b
                        out[3 * c + ch] = UInt8(min(max(v, 0), 255))
                    }
                }
            }
        }
        }
        }
        }
    }
}
