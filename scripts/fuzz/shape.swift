// libFuzzer harness: the shape-predictor model reader. A model it accepts must be safe for
// FaceEngine's ShapePredictor to index without further checks. Built by scripts/fuzz.sh.
import DlibFormat

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
        }
    }
    return 0
}
