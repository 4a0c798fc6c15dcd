// libFuzzer harness: the shape-predictor model reader. A model it accepts must be safe for
// FaceEngine's ShapePredictor to index without further checks: the harness builds the predictor
// from every accepted model and runs it on a small image. Built by scripts/fuzz.sh.
import DlibFormat
import FaceEngine
import Imaging

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzShape(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let model: ShapePredictorModel
    do {
        model = try ShapePredictorModel(bytes: bytes, file: "fuzz.dat")
    } catch {
        precondition(error.offset >= 0 && error.offset <= bytes.count, "error offset \(error.offset) outside the \(bytes.count) bytes")
        _ = error.description
        return 0
    }
    let values = model.initialShape.count
    precondition(values >= 2 && values % 2 == 0, "initial shape of \(values) values")
    for cascade in model.cascades {
        let features = cascade.anchors.count
        precondition(cascade.deltas.count == 2 * features, "\(cascade.deltas.count) deltas for \(features) features")
        precondition(cascade.anchors.allSatisfy { $0 >= 0 && Int($0) < model.partCount }, "anchor out of range")
        for tree in cascade.trees {
            let splits = tree.thresholds.count
            precondition(tree.feature1.count == splits && tree.feature2.count == splits, "split arrays disagree")
            precondition(tree.leafValues.count == (splits + 1) * values, "\(tree.leafValues.count) leaf values for \(splits) splits")
            precondition(zip(tree.feature1, tree.feature2).allSatisfy { $0 >= 0 && $1 >= 0 && Int($0) < features && Int($1) < features },
                         "split feature out of range")
            precondition(splits == cascade.trees[0].thresholds.count, "trees of one cascade differ in depth")
        }
    }
    // The predictor the face engine would build, on a small image and a box partly outside it.
    let predictor = ShapePredictor(model: model)
    var image = RGBImage(width: 24, height: 16)
    for i in image.pixels.indices { image.pixels[i] = UInt8(truncatingIfNeeded: i &* 37) }
    let points = predictor.landmarks(in: image, box: FaceBox(left: -4, top: 2, right: 20, bottom: 30))
    precondition(points.count == model.partCount, "\(points.count) landmarks for \(model.partCount) parts")
    return 0
}
