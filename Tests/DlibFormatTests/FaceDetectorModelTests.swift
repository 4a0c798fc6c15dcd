@testable import DlibFormat
import Testing

@Suite("FaceDetectorModel")
struct FaceDetectorModelTests {
    @Test("parses the shipped MMOD detector and its loss options")
    func parses() throws {
        guard let bytes = ModelFiles.bytes(ModelFiles.detector) else { return }
        #expect(bytes.count == 729_940)
        let model = try FaceDetectorModel(bytes: bytes)
        let o = model.options
        #expect(o.version == 1)
        #expect(o.detectorWindows == [MMODOptions.DetectorWindow(width: 80, height: 80, label: "")])
        #expect(o.overlapsNMS == MMODOptions.OverlapTest(iouThreshold: 0.3382761351109955, percentCoveredThreshold: 1.0))
        #expect(o.overlapsIgnore == MMODOptions.OverlapTest(iouThreshold: 0.5, percentCoveredThreshold: 1.0))
        #expect(o.truthMatchIOUThreshold == 0.5 && o.lossPerFalseAlarm == 1 && o.lossPerMissedTarget == 1)
        #expect(!o.useBoundingBoxRegression && o.assumeImagePyramid)
        #expect(model.inputMean == RGBMean(red: 122.782, green: 117.001, blue: 104.298))
        #expect(model.pyramidPadding == 10 && model.pyramidOuterPadding == 11 && model.pyramidDownRate == 6)
        #expect(model.stages.map(\.convolution.filterCount) == [16, 32, 32, 45, 45, 45, 1])
        #expect(model.stages.map(\.convolution.strideY) == [2, 2, 2, 1, 1, 1, 1])
        #expect(model.stages.map(\.convolution.paddingY) == [0, 0, 0, 2, 2, 2, 4])
        #expect(model.stages.map(\.relu) == [true, true, true, true, true, true, false])
        #expect(model.stages[6].affine == nil && model.stages[6].convolution.kernelRows == 9)
        var total = 0
        for s in model.stages {
            total += s.convolution.weights.count + s.convolution.biases.count + 2 * (s.affine?.gamma.count ?? 0)
        }
        #expect(total == 181_141)
        // bn_con2 → affine: gamma/sqrt(var + eps) stays finite and non-zero.
        #expect(model.stages[0].affine!.gamma.allSatisfy { $0.isFinite && $0 != 0 })
    }
}
