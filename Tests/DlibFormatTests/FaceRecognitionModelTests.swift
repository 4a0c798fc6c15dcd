@testable import DlibFormat
import Testing

@Suite("FaceRecognitionModel")
struct FaceRecognitionModelTests {
    @Test("parses the shipped ResNet and consumes every byte")
    func parses() throws {
        guard let bytes = ModelFiles.bytes(ModelFiles.faceRecognition) else { return }
        #expect(bytes.count == 22_466_066)
        let model = try FaceRecognitionModel(bytes: bytes)
        #expect(model.inputSize == 150)
        #expect(model.inputMean == RGBMean(red: 122.782, green: 117.001, blue: 104.298))
        #expect(model.lossMargin == 0.04 && model.distanceThreshold == 0.6)
        #expect(model.stemConvolution.filterCount == 32 && model.stemConvolution.kernelRows == 7)
        #expect(model.stemConvolution.strideY == 2 && model.stemConvolution.paddingY == 0)
        #expect(model.stemPool == PoolingLayer(kind: .max, windowRows: 3, windowColumns: 3, strideY: 2, strideX: 2, paddingY: 0, paddingX: 0))
        #expect(model.residualUnits.count == 14)
        #expect(model.residualUnits.filter { $0.shortcutPool != nil }.count == 4)
        #expect(model.residualUnits.map(\.convolution2.filterCount) == [32, 32, 32, 64, 64, 64, 64, 128, 128, 128, 256, 256, 256, 256])
        #expect(model.residualUnits[3].convolution1.strideY == 2 && model.residualUnits[3].convolution1.paddingY == 0)
        #expect(model.residualUnits[4].convolution1.strideY == 1 && model.residualUnits[4].convolution1.paddingY == 1)
        #expect(model.finalPool.windowRows == 0 && model.finalPool.kind == .average)
        #expect(model.embedding.inputs == 256 && model.embedding.outputs == 128 && model.embedding.weights.count == 32_768)
        // 5,614,592 parameters in all (DLIB-FORMAT.md §2.4).
        var total = model.stemConvolution.weights.count + model.stemConvolution.biases.count + 2 * model.stemAffine.gamma.count
        for u in model.residualUnits {
            total += u.convolution1.weights.count + u.convolution1.biases.count + 2 * u.affine1.gamma.count
            total += u.convolution2.weights.count + u.convolution2.biases.count + 2 * u.affine2.gamma.count
        }
        total += model.embedding.weights.count
        #expect(total == 5_614_592)
    }

    @Test("a missing file is an error naming the file")
    func missingFile() {
        #expect(throws: DlibFormatError.self) { try FaceRecognitionModel(contentsOf: "/nonexistent/model.dat") }
        do {
            _ = try FaceRecognitionModel(contentsOf: "/nonexistent/model.dat")
        } catch {
            #expect(error.file == "/nonexistent/model.dat")
        }
    }
}
