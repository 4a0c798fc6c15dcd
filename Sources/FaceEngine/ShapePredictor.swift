import Basics
import DlibFormat
import Imaging

/// dlib's `shape_predictor`: finds the landmarks of a face inside a detection box
/// (DLIB-FORMAT.md §6.2), reproducing dlib's landmarks exactly.
///
/// Numerics follow dlib: the similarity transform between the mean shape and the current shape is
/// computed in double and rounded to float32; feature positions are computed in float32; the
/// box-to-image map is the closed form `(l + (r − l)·u, t + (b − t)·v)` in double; pixel features
/// are the integer mean `(R + G + B) / 3`; shape updates are float32.
public struct ShapePredictor: Sendable {
    /// The trees and anchors.
    public let model: ShapePredictorModel
    /// The model's trees, flattened per cascade for the walk (see ``PackedCascade``).
    private let packed: [PackedCascade]

    /// One cascade's trees in flat arrays: tree `t`'s split `n` is at `t·splits + n`, its leaf `k`
    /// starts at `(t·leaves + k)·2·parts`.
    private struct PackedCascade: Sendable {
        var anchors: [Int32]
        var deltas: [Float]
        var feature1: [Int32], feature2: [Int32], thresholds: [Float]
        var leafValues: [Float]
        var trees: Int, splits: Int
    }

    /// - Precondition: the trees of each cascade have the same depth (``ShapePredictorModel``'s
    ///   reader guarantees it for parsed models).
    public init(model: ShapePredictorModel) {
        self.model = model
        self.packed = model.cascades.map { cascade in
            let splits = cascade.trees.first?.thresholds.count ?? 0
            var c = PackedCascade(anchors: cascade.anchors, deltas: cascade.deltas, feature1: [], feature2: [],
                                  thresholds: [], leafValues: [], trees: cascade.trees.count, splits: splits)
            for tree in cascade.trees {
                precondition(tree.thresholds.count == splits, "trees of one cascade must have the same depth")
                c.feature1 += tree.feature1
                c.feature2 += tree.feature2
                c.thresholds += tree.thresholds
                c.leafValues += tree.leafValues
            }
            return c
        }
    }

    /// Loads a model file such as `shape_predictor_5_face_landmarks.dat`.
    /// - Parameters:
    ///   - parts: the landmarks the model must have (5: chips, quality and descriptors need dlib's
    ///     5-point model; `nil` accepts any).
    /// - Throws: ``DlibFormatError`` naming the structure and byte offset (also for a model with
    ///   another number of parts, or with trees of unequal depth in a cascade).
    public init(contentsOf path: String, parts: Int? = 5) throws(DlibFormatError) {
        self.init(model: try ShapePredictorModel(contentsOf: path, parts: parts))
    }

    /// Parses a model file's bytes; see ``init(contentsOf:parts:)``.
    public init(bytes: [UInt8], file: String? = nil, parts: Int? = 5) throws(DlibFormatError) {
        self.init(model: try ShapePredictorModel(bytes: bytes, file: file, parts: parts))
    }

    /// The landmarks of the face in `box` (dlib's `shape_predictor::operator()`).
    ///
    /// - Parameters:
    ///   - image: the whole image.
    ///   - box: the face's detection box (it may extend beyond the image).
    /// - Returns: `model.partCount` points (5 for the 5-point model) in image pixels.
    /// - Complexity: O(cascades × (features + trees × depth)); independent of the image size.
    public func landmarks(in image: RGBImage, box: FaceBox) -> [FacePoint] {
        let shape = normalizedShape(in: image, box: box)
        let l = Double(box.left), t = Double(box.top)
        let w = Double(box.right - box.left), h = Double(box.bottom - box.top)
        return (0..<model.partCount).map { k in
            FacePoint(x: DlibRounding.rhu(l + w * Double(shape[2 * k])),
                      y: DlibRounding.rhu(t + h * Double(shape[2 * k + 1])))
        }
    }

    /// The fitted shape in box-normalised units (`x0, y0, x1, y1, …`), before mapping to pixels.
    public func normalizedShape(in image: RGBImage, box: FaceBox) -> [Float] {
        let initial = model.initialShape
        let initialPoints = Self.points(initial)
        var shape = initial
        let l = Double(box.left), t = Double(box.top)
        let w = Double(box.right - box.left), h = Double(box.bottom - box.top)
        let width = image.width, height = image.height
        let values = shape.count
        var features = [Float](repeating: 0, count: packed.map(\.anchors.count).max() ?? 0)
        image.pixels.withUnsafeBufferPointer { pixels in
            features.withUnsafeMutableBufferPointer { features in
                for cascade in packed {
                    // The 2×2 part of the similarity mean shape → current shape, in float32.
                    let m = Similarity(from: initialPoints, to: Self.points(shape))
                    let m00 = Float(m.a), m01 = Float(-m.b), m10 = Float(m.b), m11 = Float(m.a)
                    cascade.anchors.withUnsafeBufferPointer { anchors in
                        cascade.deltas.withUnsafeBufferPointer { deltas in
                            for j in 0..<anchors.count {
                                let a = Int(anchors[j])
                                let dx = deltas[2 * j], dy = deltas[2 * j + 1]
                                // float32 throughout, as dlib (no fused multiply-add is generated here).
                                let u = (m00 * dx + m01 * dy) + shape[2 * a]
                                let v = (m10 * dx + m11 * dy) + shape[2 * a + 1]
                                let px = DlibRounding.rhu(l + w * Double(u))
                                let py = DlibRounding.rhu(t + h * Double(v))
                                if px >= 0, py >= 0, px < width, py < height {
                                    let i = (py * width + px) * 3
                                    features[j] = Float((Int(pixels[i]) + Int(pixels[i + 1]) + Int(pixels[i + 2])) / 3)
                                } else {
                                    features[j] = 0
                                }
                            }
                        }
                    }
                    Self.walk(cascade, features: UnsafeBufferPointer(features), shape: &shape, values: values)
                }
            }
        }
        return shape
    }

    /// Adds the selected leaf of every tree of `cascade` to `shape`. A tree goes left
    /// (`2i + 1`) at node i when `f[a] − f[b] > threshold`; node indices past the splits are leaves.
    private static func walk(_ cascade: PackedCascade, features: UnsafeBufferPointer<Float>, shape: inout [Float], values: Int) {
        let splits = cascade.splits
        cascade.feature1.withUnsafeBufferPointer { f1 in
        cascade.feature2.withUnsafeBufferPointer { f2 in
        cascade.thresholds.withUnsafeBufferPointer { th in
        cascade.leafValues.withUnsafeBufferPointer { leaves in
        shape.withUnsafeMutableBufferPointer { shape in
            for t in 0..<cascade.trees {
                let base = t * splits
                var node = 0
                while node < splits {
                    let diff = features[Int(f1[base + node])] - features[Int(f2[base + node])]
                    node = diff > th[base + node] ? 2 * node + 1 : 2 * node + 2
                }
                let leaf = (t * (splits + 1) + node - splits) * values
                for k in 0..<values { shape[k] += leaves[leaf + k] }
            }
        }
        }
        }
        }
        }
    }

    private static func points(_ flat: [Float]) -> [DPoint] {
        stride(from: 0, to: flat.count, by: 2).map { DPoint(x: Double(flat[$0]), y: Double(flat[$0 + 1])) }
    }
}

/// A 2-D similarity transform `p ↦ [[a, −b], [b, a]]·p + (tx, ty)` fitted by least squares
/// (dlib's `find_similarity_transform`, Umeyama's closed form; DLIB-FORMAT.md §6.3).
struct Similarity: Sendable {
    var a: Double, b: Double, tx: Double, ty: Double

    init(from: [DPoint], to: [DPoint]) {
        let n = Double(from.count)
        var mfx = 0.0, mfy = 0.0, mtx = 0.0, mty = 0.0
        for (f, t) in zip(from, to) {
            mfx += f.x; mfy += f.y; mtx += t.x; mty += t.y
        }
        mfx /= n; mfy /= n; mtx /= n; mty /= n
        var sigma = 0.0, sa = 0.0, sb = 0.0
        for (f, t) in zip(from, to) {
            let fx = f.x - mfx, fy = f.y - mfy, tx = t.x - mtx, ty = t.y - mty
            sigma += fx * fx + fy * fy
            sa += fx * tx + fy * ty
            sb += fx * ty - fy * tx
        }
        a = sigma == 0 ? 1 : sa / sigma
        b = sigma == 0 ? 0 : sb / sigma
        tx = mtx - (a * mfx - b * mfy)
        ty = mty - (b * mfx + a * mfy)
    }

    /// The transform applied to `p`.
    func apply(_ p: DPoint) -> DPoint {
        DPoint(x: a * p.x - b * p.y + tx, y: b * p.x + a * p.y + ty)
    }
}
