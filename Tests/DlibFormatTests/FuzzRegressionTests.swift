@testable import DlibFormat
import Foundation
import Testing

/// Inputs kept from fuzzing the model readers (`scripts/fuzz.sh shape dnn dlibreader`): past
/// crashes and interesting corpus entries in `Tests/Fixtures/fuzz/<target>/`. Each must parse or
/// give a ``DlibFormatError`` whose offset lies inside the input; never trap.
@Suite("Fuzz regressions: dlib model files")
struct DlibFormatFuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fuzz")

    static func inputs(_ target: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(target).path)) ?? []
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted()
    }

    static func bytes(_ target: String, _ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(target).appendingPathComponent(name)))
    }

    /// Runs `parse`, expecting a value or an error that points inside the input.
    static func check(_ bytes: [UInt8], _ parse: ([UInt8]) throws(DlibFormatError) -> Void) {
        do {
            try parse(bytes)
        } catch {
            #expect(error.offset >= 0 && error.offset <= bytes.count, "\(error)")
            #expect(!error.message.isEmpty)
        }
    }

    @Test("the fuzz inputs are present", arguments: ["shape", "dnn", "dlibreader"])
    func present(target: String) {
        #expect(Self.inputs(target).count >= 3, "Tests/Fixtures/fuzz/\(target) has \(Self.inputs(target).count) inputs")
    }

    /// Found by fuzzing: a matrix dimension of Int64.min (magnitude 2^63) trapped converting to Int.
    @Test("a matrix dimension of Int64.min is an error, not a trap")
    func matrixDimensionInt64Min() {
        let int64Min: [UInt8] = [0x88, 0, 0, 0, 0, 0, 0, 0, 0x80]
        for bytes in [int64Min + [0x01, 0x01], [0x81, 0x01] + int64Min] {
            var r = DlibReader(bytes: bytes)
            #expect {
                _ = try r.readFloatMatrix()
            } throws: { error in
                (error as? DlibFormatError).map { $0.offset == 0 && $0.message.contains("too large") } ?? false
            }
        }
        #expect(throws: DlibFormatError.self) { try ShapePredictorModel(bytes: [0x01, 0x01] + int64Min + [0x01, 0x01]) }
    }

    @Test("ShapePredictorModel parses or throws", arguments: inputs("shape"))
    func shape(name: String) throws {
        Self.check(try Self.bytes("shape", name)) { bytes throws(DlibFormatError) in
            let model = try ShapePredictorModel(bytes: bytes)
            for cascade in model.cascades {
                #expect(cascade.deltas.count == 2 * cascade.anchors.count)
                for tree in cascade.trees {
                    #expect(tree.leafValues.count == (tree.thresholds.count + 1) * model.initialShape.count)
                    #expect(zip(tree.feature1, tree.feature2).allSatisfy { Int(max($0, $1)) < cascade.anchors.count })
                }
            }
        }
    }

    @Test("the DNN model readers parse or throw", arguments: inputs("dnn"))
    func dnn(name: String) throws {
        let bytes = try Self.bytes("dnn", name)
        Self.check(bytes) { bytes throws(DlibFormatError) in _ = try FaceRecognitionModel(bytes: bytes) }
        Self.check(bytes) { bytes throws(DlibFormatError) in _ = try FaceDetectorModel(bytes: bytes) }
    }

    /// Replays the `dlibreader` harness: each step reads an opcode byte, then the item it names.
    @Test("DlibReader primitives read or throw", arguments: inputs("dlibreader"))
    func reader(name: String) throws {
        Self.check(try Self.bytes("dlibreader", name)) { bytes throws(DlibFormatError) in
            var r = DlibReader(bytes: bytes, context: "fuzz")
            _ = r.peekString()
            while !r.isAtEnd {
                let before = r.offset
                switch try r.readByte() % 14 {
                case 0: _ = try r.readInt64()
                case 1: _ = try r.readInt32()
                case 2: _ = try r.readUInt64()
                case 3: _ = try r.readCount(limit: 1 << 20)
                case 4: _ = try r.readDouble()
                case 5: _ = try r.readFloat()
                case 6: _ = try r.readBool()
                case 7: _ = try r.readString()
                case 8: try r.expectString("con_4")
                case 9: _ = try r.expectString(oneOf: ["relu_", "relu_2"])
                case 10:
                    let m = try r.readFloatMatrix()
                    #expect(m.values.count == m.rows * m.cols)
                case 11:
                    let t = try r.readTensor()
                    #expect(t.values.count == t.n * t.k * t.nr * t.nc)
                case 12: _ = try r.readAliasTensor()
                default: _ = r.peekString(); try r.expectInt(1, "version")
                }
                #expect(r.offset > before && r.offset <= bytes.count)
            }
        }
    }
}
