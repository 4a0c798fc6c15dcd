@testable import FaceEngine
import Basics
import DlibFormat
import Foundation
import Imaging
import TestSupport
import Testing

/// Writes dlib's serialization format (DLIB-FORMAT.md §1), remembering where named items start.
struct DlibWriter {
    var bytes = [UInt8]()
    var marks = [String: Int]()

    mutating func mark(_ name: String) { marks[name] = bytes.count }

    mutating func int(_ v: Int64) {
        var magnitude = v.magnitude
        var payload = [UInt8]()
        repeat {
            payload.append(UInt8(magnitude & 0xFF))
            magnitude >>= 8
        } while magnitude != 0
        bytes.append(UInt8(payload.count) | (v < 0 ? 0x80 : 0))
        bytes += payload
    }

    mutating func float(_ v: Float) {
        // mantissa · 2^exponent with a 24-bit mantissa: exact for every float.
        let exponent = v == 0 ? 0 : Int(v.exponent) - 23
        let mantissa = v == 0 ? 0 : Int64(v * Float(sign: .plus, exponent: -exponent, significand: 1))
        int(mantissa)
        int(Int64(exponent))
    }

    mutating func column(_ values: [Float]) {
        int(-Int64(values.count))
        int(-1)
        values.forEach { float($0) }
    }
}

/// A predictor with 2 parts (or `parts`), 1 cascade of 2 one-split trees (the second with
/// `secondTreeSplits`) and 3 features.
func tinyModel(anchor: Int64 = 1, leafCount: Int = 2, splitFeature: Int64 = 2, deltaCount: Int = 3, leafLength: Int? = nil,
               parts: Int = 2, secondTreeSplits: Int = 1) -> DlibWriter {
    let leafLength = leafLength ?? 2 * parts
    var w = DlibWriter()
    w.mark("version")
    w.int(1)
    w.mark("initial_shape")
    w.column(parts == 2 ? [0.25, 0.5, 0.75, 0.5] : (0..<2 * parts).map { Float($0 % 7) / 8 })
    w.int(1)  // cascades
    w.int(2)  // trees
    for t in 0..<2 {
        let splits = t == 1 ? secondTreeSplits : 1
        w.mark("tree \(t)")
        w.int(Int64(splits))
        for _ in 0..<splits { w.int(0); w.int(t == 1 ? splitFeature : 1); w.float(-1) }
        w.mark("leaves \(t)")
        w.int(Int64(t == 1 && splits != 1 ? splits + 1 : leafCount))
        for l in 0..<(t == 1 && splits != 1 ? splits + 1 : leafCount) {
            w.column((0..<leafLength).map { Float(l + 1) * (t == 0 ? 0.125 : -0.0625) * Float($0 % 2 == 0 ? 1 : -1) })
        }
    }
    w.mark("anchors")
    w.int(1)
    w.int(3)
    w.int(0); w.mark("anchor 1"); w.int(anchor); w.int(1)
    w.mark("deltas")
    w.int(1)
    w.int(Int64(deltaCount))
    for j in 0..<deltaCount { w.float(Float(j) * 0.1); w.float(-0.05) }
    return w
}

@Suite("ShapePredictorModel parsing and damaged files")
struct ShapePredictorModelTests {
    static func parseError(_ bytes: [UInt8]) -> DlibFormatError? {
        do {
            _ = try ShapePredictorModel(bytes: bytes, file: "test.dat")
            return nil
        } catch {
            return error
        }
    }

    @Test("the 5-point model: 15 cascades × 500 trees of depth 4, 800 features each")
    func realModel() throws {
        let model = try ShapePredictorModel(contentsOf: GeometryFixtures.model("shape_predictor_5_face_landmarks.dat"))
        #expect(model.partCount == 5)
        #expect(abs(model.initialShape[0] - 0.7762517) < 1e-6 && abs(model.initialShape[9] - 0.6576073) < 1e-6)
        #expect(model.cascades.count == 15)
        for cascade in model.cascades {
            #expect(cascade.trees.count == 500 && cascade.anchors.count == 800 && cascade.deltas.count == 1600)
            #expect(cascade.trees.allSatisfy { $0.thresholds.count == 15 && $0.leafValues.count == 160 })
        }
    }

    @Test("the real file cut short fails with the structure and offset")
    func realTruncated() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: GeometryFixtures.model("shape_predictor_5_face_landmarks.dat"))))
        for (cut, where_) in [(30, "initial_shape"), (bytes.count / 3, "cascade"), (bytes.count - 10, "deltas of cascade 14")] {
            let error = try #require(Self.parseError(Array(bytes[..<cut])))
            #expect(error.context.contains(where_), "\(error)")
            #expect(error.offset <= cut && error.file == "test.dat")
            #expect(error.message.contains("end of file"), "\(error)")
        }
    }

    @Test("a small hand-written model parses to its values")
    func tiny() throws {
        let model = try ShapePredictorModel(bytes: tinyModel().bytes)
        #expect(model.partCount == 2 && model.cascades.count == 1)
        #expect(model.initialShape == [0.25, 0.5, 0.75, 0.5])
        let c = model.cascades[0]
        #expect(c.anchors == [0, 1, 1] && c.deltas == [0, -0.05, 0.1, -0.05, 0.2, -0.05])
        #expect(c.trees[1].feature1 == [0] && c.trees[1].feature2 == [2] && c.trees[1].thresholds == [-1])
        #expect(c.trees[0].leafValues == [0.125, -0.125, 0.125, -0.125, 0.25, -0.25, 0.25, -0.25])
    }

    @Test("the predictor applies the leaves the features select")
    func tinyPredictor() throws {
        let predictor = ShapePredictor(model: try ShapePredictorModel(bytes: tinyModel().bytes))
        // A black image: every feature is 0, 0 − 0 > −1, so both trees take leaf 0.
        let parts = predictor.landmarks(in: RGBImage(width: 64, height: 64), box: FaceBox(left: 10, top: 20, right: 50, bottom: 60))
        // shape = initial + (0.125, −0.125, …) + (−0.0625, 0.0625, …) = (0.3125, 0.4375, 0.8125, 0.4375)
        #expect(parts == [FacePoint(x: 23, y: 38), FacePoint(x: 43, y: 38)])
    }

    @Test("trees of unequal depth in a cascade: a model error at the tree, not a trap in the predictor")
    func unequalDepth() throws {
        let model = tinyModel(secondTreeSplits: 3)
        let error = try #require(Self.parseError(model.bytes))
        #expect(error.context == "cascade 0, tree 1, splits", "\(error)")
        #expect(error.offset == model.marks["tree 1"], "\(error)")
        #expect(error.message.contains("same depth") && error.file == "test.dat", "\(error)")
        #expect(throws: DlibFormatError.self) { _ = try ShapePredictor(bytes: model.bytes, parts: nil) }
    }

    @Test("a model with another number of parts (68) is refused where the face engine needs 5")
    func wrongPartCount() throws {
        let model = tinyModel(parts: 68)
        #expect(try ShapePredictorModel(bytes: model.bytes).partCount == 68)
        do {
            _ = try ShapePredictor(bytes: model.bytes, file: "sp68.dat")
            Issue.record("a 68-point model was accepted")
        } catch {
            #expect(error.context == "initial_shape" && error.offset == model.marks["initial_shape"], "\(error)")
            #expect(error.message.contains("68 parts") && error.message.contains("5-point"), "\(error)")
            #expect(error.file == "sp68.dat")
        }
        // The face engine's front door reports it as a model error naming the file.
        let dir = try TemporaryDirectory.make("sp68")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let models = (try GeometryFixtures.model(FaceAnalyzer.detectorFile) as NSString).deletingLastPathComponent
        for name in [FaceAnalyzer.detectorFile, FaceAnalyzer.descriptorFile] {
            try FileManager.default.createSymbolicLink(atPath: dir + "/" + name, withDestinationPath: models + "/" + name)
        }
        try Data(model.bytes).write(to: URL(fileURLWithPath: dir + "/" + FaceAnalyzer.shapePredictorFile))
        #expect(throws: ModelLoadError.self) { _ = try FaceAnalyzer(modelsDirectory: dir) }
    }

    @Test("every truncation of a model is an error at or before the cut, never a crash")
    func everyTruncation() {
        let bytes = tinyModel().bytes
        for cut in 0..<bytes.count {
            guard let error = Self.parseError(Array(bytes[..<cut])) else {
                Issue.record("a model cut at \(cut) of \(bytes.count) bytes parsed")
                continue
            }
            #expect(error.offset <= cut)
        }
    }

    @Test("damaged fields are named with their byte offset")
    func damaged() throws {
        var bad = tinyModel().bytes
        bad[1] = 2  // version 2
        var error = try #require(Self.parseError(bad))
        #expect(error.offset == 0 && error.message.contains("version"))

        let anchor = tinyModel(anchor: 5)
        error = try #require(Self.parseError(anchor.bytes))
        #expect(error.offset == anchor.marks["anchor 1"] && error.message.contains("anchor 5"), "\(error)")

        let leaves = tinyModel(leafCount: 3)
        error = try #require(Self.parseError(leaves.bytes))
        #expect(error.offset == leaves.marks["leaves 0"] && error.context.contains("cascade 0, tree 0"), "\(error)")

        let leafLength = tinyModel(leafLength: 6)
        error = try #require(Self.parseError(leafLength.bytes))
        #expect(error.context == "cascade 0, tree 0, leaf_values" && error.message.contains("leaf 0 has 6×1"), "\(error)")

        let feature = tinyModel(splitFeature: 3)
        error = try #require(Self.parseError(feature.bytes))
        #expect(error.message.contains("tree 1") && error.message.contains("feature 3"), "\(error)")

        let deltas = tinyModel(deltaCount: 2)
        error = try #require(Self.parseError(deltas.bytes))
        #expect(error.offset == (deltas.marks["deltas"] ?? 0) + 2 && error.message.contains("2 deltas but 3 anchors"), "\(error)")

        let trailing = tinyModel().bytes + [0]
        error = try #require(Self.parseError(trailing))
        #expect(error.offset == trailing.count - 1 && error.message.contains("unexpected bytes"))
        #expect(error.description.hasPrefix("test.dat: end of file, byte offset"))
    }

    @Test("a missing file is reported, not trapped")
    func missingFile() {
        #expect(throws: DlibFormatError.self) { _ = try ShapePredictorModel(contentsOf: "/nonexistent/sp.dat") }
    }
}
