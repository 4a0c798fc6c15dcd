// libFuzzer harness: the two DNN model readers (face recognition ResNet, MMOD face detector) on
// the same bytes. A model they accept must have every tensor at its declared size. Built by
// scripts/fuzz.sh.
import DlibFormat

func check(_ c: ConvolutionLayer) {
    precondition(c.weights.count == c.filterCount * c.inputChannels * c.kernelRows * c.kernelColumns, "convolution weights")
    precondition(c.biases.count == c.filterCount, "convolution biases")
}

func check(_ a: AffineLayer, _ channels: Int) {
    precondition(a.gamma.count == channels && a.beta.count == channels, "affine of \(a.gamma.count)/\(a.beta.count), expected \(channels)")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDNN(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        let m = try FaceRecognitionModel(bytes: bytes)
        check(m.stemConvolution)
        check(m.stemAffine, m.stemConvolution.filterCount)
        precondition(m.residualUnits.count == 14, "residual units")
        for u in m.residualUnits {
            check(u.convolution1); check(u.affine1, u.convolution1.filterCount)
            check(u.convolution2); check(u.affine2, u.convolution2.filterCount)
        }
        precondition(m.embedding.weights.count == m.embedding.inputs * m.embedding.outputs, "fc weights")
    } catch {
        precondition(error.offset >= 0 && error.offset <= bytes.count, "error offset \(error.offset) outside the \(bytes.count) bytes")
        _ = error.description
    }
    do {
        let m = try FaceDetectorModel(bytes: bytes)
        precondition(m.stages.count == 7, "detector stages")
        for s in m.stages {
            check(s.convolution)
            if let a = s.affine { check(a, s.convolution.filterCount) }
        }
        precondition(!m.options.detectorWindows.isEmpty, "no detector window")
    } catch {
        precondition(error.offset >= 0 && error.offset <= bytes.count, "error offset \(error.offset) outside the \(bytes.count) bytes")
        _ = error.description
    }
    return 0
}
