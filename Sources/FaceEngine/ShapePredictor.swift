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

    public init(model: ShapePredictorModel) {
        self.model = model
    }

    /// Loads a model file such as `shape_predictor_5_face_landmarks.dat`.
    /// - Throws: ``DlibFormatError`` naming the structure and byte offset.
    public init(contentsOf path: String) throws(DlibFormatError) {
        self.model = try ShapePredictorModel(contentsOf: path)
    }

    /// The landmarks of the face in `box` (dlib's `shape_predictor::operator()`).
    ///
    /// - Parameters:
    ///   - image: the whole image.
    ///   - box: the face's detection box (it may extend beyond the image).
    /// - Returns: `model.partCount` points (5 for the 5-point model) in image pixels.
    /// - Complexity: O(cascades × (features + trees × depth)), about 0.1 ms; independent of image size.
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
        var shape = initial
        let l = Double(box.left), t = Double(box.top)
        let w = Double(box.right - box.left), h = Double(box.bottom - box.top)
        let width = image.width, height = image.height
        var features = [Float]()
        image.pixels.withUnsafeBufferPointer { pixels in
            for cascade in model.cascades {
                let m = Self.similarity2x2(from: initial, to: shape)
                let count = cascade.anchors.count
                features.removeAll(keepingCapacity: true)
                for j in 0..<count {
                    let a = Int(cascade.anchors[j])
                    let dx = cascade.deltas[2 * j], dy = cascade.deltas[2 * j + 1]
                    // float32 throughout, as dlib (no fused multiply-add is generated here).
                    let u = (m.0 * dx + m.1 * dy) + shape[2 * a]
                    let v = (m.2 * dx + m.3 * dy) + shape[2 * a + 1]
                    let px = DlibRounding.rhu(l + w * Double(u))
                    let py = DlibRounding.rhu(t + h * Double(v))
                    if px >= 0, py >= 0, px < width, py < height {
                        let i = (py * width + px) * 3
                        features.append(Float((Int(pixels[i]) + Int(pixels[i + 1]) + Int(pixels[i + 2])) / 3))
                    } else {
                        features.append(0)
                    }
                }
                for tree in cascade.trees {
                    let leaf = Self.leafIndex(tree, features)
                    let base = leaf * shape.count
                    for k in shape.indices { shape[k] += tree.leafValues[base + k] }
                }
            }
        }
        return shape
    }

    /// Walks a complete binary tree: left (`2i + 1`) when `f[a] − f[b] > threshold`.
    @inline(__always)
    static func leafIndex(_ tree: ShapePredictorModel.Tree, _ features: [Float]) -> Int {
        let splits = tree.thresholds.count
        var node = 0
        while node < splits {
            let diff = features[Int(tree.feature1[node])] - features[Int(tree.feature2[node])]
            node = diff > tree.thresholds[node] ? 2 * node + 1 : 2 * node + 2
        }
        return node - splits
    }

    /// The 2×2 part `[[A, −B], [B, A]]` of the least-squares similarity mapping the points of
    /// `from` onto `to` (Umeyama closed form, DLIB-FORMAT.md §6.3), each entry rounded to float32.
    /// Returns `(m00, m01, m10, m11)`.
    static func similarity2x2(from: [Float], to: [Float]) -> (Float, Float, Float, Float) {
        let m = Similarity(from: stride(from: 0, to: from.count, by: 2).map { DPoint(x: Double(from[$0]), y: Double(from[$0 + 1])) },
                           to: stride(from: 0, to: to.count, by: 2).map { DPoint(x: Double(to[$0]), y: Double(to[$0 + 1])) })
        return (Float(m.a), Float(-m.b), Float(m.b), Float(m.a))
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
