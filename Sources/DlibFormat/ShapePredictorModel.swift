import Foundation

/// dlib's `shape_predictor` (an ensemble of regression trees, Kazemi & Sullivan), as read from a
/// file such as `shape_predictor_5_face_landmarks.dat` (DLIB-FORMAT.md §6.1).
///
/// File layout:
/// ```
/// int version (1)
/// matrix<float,0,1> initial_shape                 // 2·parts floats, box-normalised
/// vector<vector<regression_tree>> forests          // cascades × trees
///   regression_tree := vector<split_feature> splits, vector<matrix<float,0,1>> leaf_values
///   split_feature   := ulong idx1, ulong idx2, float thresh
/// vector<vector<ulong>> anchor_idx                 // cascades × features
/// vector<vector<vector<float,2>>> deltas           // cascades × features
/// ```
/// Everything is checked while reading: counts agree across cascades, every tree is complete
/// (`leaves = splits + 1`, a power of two), the trees of one cascade have the same depth, feature and
/// part indices are in range, the number of parts is the one asked for (if any) and the file ends
/// exactly after the last field.
public struct ShapePredictorModel: Sendable, Equatable {
    /// One regression tree, flattened: node `i`'s children are `2i + 1` and `2i + 2`.
    public struct Tree: Sendable, Equatable {
        /// Per split node: the two feature indices compared.
        public var feature1: [Int32]
        public var feature2: [Int32]
        /// Per split node: go left when `feature1 − feature2 > threshold`.
        public var thresholds: [Float]
        /// `leafCount × 2·parts` values, leaf by leaf: the shape update of each leaf.
        public var leafValues: [Float]
    }

    /// One cascade stage: pixel-feature positions and the trees that read them.
    public struct Cascade: Sendable, Equatable {
        /// Per feature: the landmark it is anchored to.
        public var anchors: [Int32]
        /// Per feature: its offset from the anchor, `(dx, dy)` interleaved, in normalised units.
        public var deltas: [Float]
        public var trees: [Tree]
    }

    /// The mean shape, `x0, y0, x1, y1, …` in box-normalised units.
    public var initialShape: [Float]
    public var cascades: [Cascade]

    /// Number of landmarks.
    public var partCount: Int { initialShape.count / 2 }

    /// A model from its parts (used by tests that build small predictors).
    public init(initialShape: [Float], cascades: [Cascade]) {
        self.initialShape = initialShape
        self.cascades = cascades
    }

    /// Parses a model file's bytes.
    ///
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - file: the file name, for error messages.
    /// - Throws: ``DlibFormatError`` naming the structure (e.g. "cascade 3, tree 17, leaf_values") and
    ///   the byte offset of the first bad item.
    /// - Complexity: O(file size).
    ///   - parts: the number of landmarks the caller needs (5 for FaceEngine), or `nil` for any.
    public init(bytes: [UInt8], file: String? = nil, parts: Int? = nil) throws(DlibFormatError) {
        do {
            self = try Self.read(bytes, parts: parts)
        } catch var error {
            error.file = file
            throw error
        }
    }

    /// Reads and parses a model file.
    ///
    /// - Parameters:
    ///   - parts: the number of landmarks the caller needs, or `nil` for any.
    /// - Throws: ``DlibFormatError``; an unreadable file is reported at offset 0.
    public init(contentsOf path: String, parts: Int? = nil) throws(DlibFormatError) {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw DlibFormatError(message: "cannot read the file: \(error.localizedDescription)", offset: 0,
                                  context: "shape predictor", file: path)
        }
        try self.init(bytes: bytes, file: path, parts: parts)
    }

    private static func read(_ bytes: [UInt8], parts expectedParts: Int?) throws(DlibFormatError) -> ShapePredictorModel {
        var r = DlibReader(bytes: bytes, context: "shape predictor header")
        try r.expectInt(1, "shape predictor version")

        r.context = "initial_shape"
        let shapeStart = r.offset
        let shape = try r.readFloatMatrix()
        guard shape.cols == 1, shape.rows >= 2, shape.rows % 2 == 0 else {
            throw r.error("initial_shape must be a column of 2·parts floats, found \(shape.rows)×\(shape.cols)", at: shapeStart)
        }
        let values = shape.rows
        let parts = values / 2
        if let expectedParts, parts != expectedParts {
            throw r.error("initial_shape has \(parts) parts, but a \(expectedParts)-point model is needed", at: shapeStart)
        }

        r.context = "forests"
        let cascadeCount = try r.readCount(limit: 1000)
        var forests = [[Tree]]()
        forests.reserveCapacity(cascadeCount)
        for c in 0..<cascadeCount {
            r.context = "cascade \(c)"
            let treeCount = try r.readCount(limit: 100_000)
            var trees = [Tree]()
            trees.reserveCapacity(treeCount)
            for t in 0..<treeCount {
                let start = r.offset
                let tree = try readTree(&r, context: "cascade \(c), tree \(t)", values: values)
                // The predictor walks a cascade's trees as one flat array of equal-depth trees.
                if let first = trees.first, first.thresholds.count != tree.thresholds.count {
                    r.context = "cascade \(c), tree \(t), splits"
                    throw r.error("\(tree.thresholds.count) splits, but tree 0 of this cascade has \(first.thresholds.count): "
                                  + "the trees of one cascade must have the same depth", at: start)
                }
                trees.append(tree)
            }
            forests.append(trees)
        }

        r.context = "anchor_idx"
        let anchorStart = r.offset
        guard try r.readCount(limit: 1000) == cascadeCount else {
            throw r.error("anchor_idx must have one list per cascade (\(cascadeCount))", at: anchorStart)
        }
        var anchors = [[Int32]]()
        for c in 0..<cascadeCount {
            r.context = "anchor_idx of cascade \(c)"
            let n = try r.readCount(limit: 1 << 20)
            var list = [Int32]()
            list.reserveCapacity(n)
            for _ in 0..<n {
                let start = r.offset
                let a = try r.readUInt64()
                guard a < UInt64(parts) else { throw r.error("anchor \(a) is not one of the \(parts) parts", at: start) }
                list.append(Int32(a))
            }
            anchors.append(list)
        }

        r.context = "deltas"
        let deltasStart = r.offset
        guard try r.readCount(limit: 1000) == cascadeCount else {
            throw r.error("deltas must have one list per cascade (\(cascadeCount))", at: deltasStart)
        }
        var cascades = [Cascade]()
        for c in 0..<cascadeCount {
            r.context = "deltas of cascade \(c)"
            let start = r.offset
            let n = try r.readCount(limit: 1 << 20)
            guard n == anchors[c].count else {
                throw r.error("\(n) deltas but \(anchors[c].count) anchors", at: start)
            }
            var deltas = [Float]()
            deltas.reserveCapacity(2 * n)
            for _ in 0..<n {
                deltas.append(try r.readFloat())
                deltas.append(try r.readFloat())
            }
            // Every split must compare features that exist in this cascade.
            for (t, tree) in forests[c].enumerated() {
                for (i, j) in zip(tree.feature1, tree.feature2) where Int(max(i, j)) >= n {
                    throw r.error("cascade \(c), tree \(t): split feature \(max(i, j)) out of range (cascade has \(n) features)", at: start)
                }
            }
            cascades.append(Cascade(anchors: anchors[c], deltas: deltas, trees: forests[c]))
        }

        r.context = "end of file"
        guard r.isAtEnd else { throw r.error("\(r.remaining) unexpected bytes after the model") }
        return ShapePredictorModel(initialShape: shape.values, cascades: cascades)
    }

    private static func readTree(_ r: inout DlibReader, context: String, values: Int) throws(DlibFormatError) -> Tree {
        r.context = context + ", splits"
        let splitCount = try r.readCount(limit: 1 << 16)
        var f1 = [Int32](), f2 = [Int32](), thresholds = [Float]()
        f1.reserveCapacity(splitCount); f2.reserveCapacity(splitCount); thresholds.reserveCapacity(splitCount)
        for _ in 0..<splitCount {
            let start = r.offset
            let a = try r.readUInt64(), b = try r.readUInt64()
            guard a < 1 << 20, b < 1 << 20 else { throw r.error("split feature index out of range", at: start) }
            f1.append(Int32(a))
            f2.append(Int32(b))
            thresholds.append(try r.readFloat())
        }
        r.context = context + ", leaf_values"
        let leafStart = r.offset
        let leafCount = try r.readCount(limit: 1 << 17)
        guard leafCount == splitCount + 1, leafCount & (leafCount - 1) == 0 else {
            throw r.error("a complete tree with \(splitCount) splits needs \(splitCount + 1) leaves (a power of two), found \(leafCount)", at: leafStart)
        }
        var leaves = [Float]()
        leaves.reserveCapacity(leafCount * values)
        for leaf in 0..<leafCount {
            let start = r.offset
            let m: (values: [Float], rows: Int, cols: Int)
            do {
                m = try r.readFloatMatrix()
            } catch {
                throw r.error("leaf \(leaf): \(error.message)", at: error.offset)
            }
            guard m.cols == 1, m.rows == values else {
                throw r.error("leaf \(leaf) has \(m.rows)×\(m.cols) values, expected \(values)×1", at: start)
            }
            leaves.append(contentsOf: m.values)
        }
        return Tree(feature1: f1, feature2: f2, thresholds: thresholds, leafValues: leaves)
    }
}
