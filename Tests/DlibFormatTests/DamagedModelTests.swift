@testable import DlibFormat
import Testing

/// Damaged copies of the model files must give a ``DlibFormatError`` that names the layer and
/// the byte offset, and must never crash.
@Suite("Damaged model files")
struct DamagedModelTests {
    /// Offset of the first occurrence of the dlib string `tag` (length byte + bytes).
    func offset(ofTag tag: String, in bytes: [UInt8]) -> Int? {
        let needle = [UInt8(0x01), UInt8(tag.utf8.count)] + Array(tag.utf8)
        guard bytes.count >= needle.count else { return nil }
        for i in 0...(bytes.count - needle.count) where bytes[i] == needle[0] && Array(bytes[i..<i + needle.count]) == needle {
            return i
        }
        return nil
    }

    func parseFace(_ bytes: [UInt8]) -> DlibFormatError? {
        do {
            _ = try FaceRecognitionModel(bytes: bytes)
            return nil
        } catch {
            return error
        }
    }

    func parseDetector(_ bytes: [UInt8]) -> DlibFormatError? {
        do {
            _ = try FaceDetectorModel(bytes: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test("truncated files name the layer being read and the offset")
    func truncated() throws {
        guard let face = ModelFiles.bytes(ModelFiles.faceRecognition),
              let detector = ModelFiles.bytes(ModelFiles.detector) else { return }
        for fraction in [0.0, 0.0001, 0.001, 0.05, 0.3, 0.5, 0.77, 0.999, 0.999999] {
            let n = Int(Double(face.count) * fraction)
            let error = try #require(parseFace(Array(face[0..<n])), "truncated at \(n)")
            #expect(error.offset <= n)
            #expect(error.message.contains("end of file") || error.message.contains("truncated"), "\(error)")
            if n > 1000 { #expect(error.context.contains("of 131"), "\(error)") }
        }
        for n in [3, 50, 400, 5_000, 100_000, 729_000, detector.count - 1] {
            let error = try #require(parseDetector(Array(detector[0..<n])), "truncated at \(n)")
            #expect(error.offset <= n)
            if n > 1000 { #expect(error.context.contains("of 20"), "\(error)") }
        }
        // The last layer of the face net (fc_2) is cut inside its weights.
        let fc = try #require(offset(ofTag: "fc_2", in: face))
        let cut = try #require(parseFace(Array(face[0..<fc + 100])))
        #expect(cut.context == "layer 131 of 131 (fc_2)", "\(cut)")
        #expect(cut.offset == fc + 6 + 2 + 3, "\(cut)")  // the params tensor, after the tag, 128 (2 bytes) and 256 (3 bytes)
    }

    @Test("a trailing byte is reported")
    func trailing() throws {
        guard let detector = ModelFiles.bytes(ModelFiles.detector) else { return }
        #expect(parseDetector(detector) == nil)
        let error = try #require(parseDetector(detector + [0]))
        #expect(error.offset == detector.count)
        #expect(error.message.contains("trailing"))
    }

    @Test("a flipped version tag names the layer and its offset")
    func flippedTag() throws {
        guard let face = ModelFiles.bytes(ModelFiles.faceRecognition) else { return }
        var bytes = face
        let at = try #require(offset(ofTag: "con_4", in: bytes))
        bytes[at + 6] = UInt8(ascii: "9")  // "con_4" → "con_9"
        let error = try #require(parseFace(bytes))
        #expect(error.context == "layer 2 of 131 (con_4)", "\(error)")
        #expect(error.offset == at)
        #expect(error.message.contains("con_9"))
        #expect(error.description.contains("byte offset \(at)"))
    }

    @Test("a corrupt integer control byte is reported where it is")
    func corruptControlByte() throws {
        guard let detector = ModelFiles.bytes(ModelFiles.detector) else { return }
        // The second convolution (layer 5 of 20) starts with its parameter tensor's version integer.
        var first = try #require(offset(ofTag: "con_4", in: detector))
        var bytes = detector
        let second = try #require(offset(ofTag: "con_4", in: Array(detector[(first + 1)...]))) + first + 1
        first = second + 7  // after the 7-byte tag string
        bytes[first] = 0x0F  // 15 magnitude bytes: invalid
        let error = try #require(parseDetector(bytes))
        #expect(error.context == "layer 5 of 20 (con_4)", "\(error)")
        #expect(error.offset == first)
        #expect(error.message.contains("control byte"))
    }

    @Test("a wrong hyper-parameter is rejected")
    func wrongHyperParameter() throws {
        guard let detector = ModelFiles.bytes(ModelFiles.detector) else { return }
        let at = try #require(offset(ofTag: "con_4", in: detector))
        var r = DlibReader(bytes: Array(detector[at...]))
        _ = try r.readString()
        _ = try r.readTensor()
        let numFilters = at + r.offset
        #expect(detector[numFilters] == 0x01 && detector[numFilters + 1] == 16)
        var bytes = detector
        bytes[numFilters + 1] = 17
        let error = try #require(parseDetector(bytes))
        #expect(error.context == "layer 2 of 20 (con_4)")
        #expect(error.offset == numFilters)
        #expect(error.message.contains("num_filters: expected 16, found 17"))
    }

    @Test("a wrong wrapper version in the nesting header is reported")
    func wrongWrapper() throws {
        guard let detector = ModelFiles.bytes(ModelFiles.detector) else { return }
        // Header: int 1, "loss_mmod_", options v1 ... then 20 wrapper versions. Find the first
        // layer wrapper (the 9x9 convolution, layer 20) after the options by parsing them again.
        var bytes = detector
        let loss = try #require(offset(ofTag: "loss_mmod_", in: bytes))
        var r = DlibReader(bytes: Array(bytes[(loss)...]))
        _ = try r.readString()
        _ = try r.readInt64()                             // options version
        _ = try r.readUInt64(); _ = try r.readUInt64()    // window
        for _ in 0..<7 { _ = try r.readDouble() }
        let wrapper = loss + r.offset
        #expect(bytes[wrapper] == 0x01 && bytes[wrapper + 1] == 0x02)
        bytes[wrapper + 1] = 0x01
        let error = try #require(parseDetector(bytes))
        #expect(error.context.hasPrefix("layer 20 of 20"), "\(error)")
        #expect(error.offset == wrapper)
    }

    @Test("random byte damage never crashes")
    func fuzz() {
        guard let detector = ModelFiles.bytes(ModelFiles.detector) else { return }
        var state: UInt64 = 12345
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33)
        }
        // Damage concentrated where the structure is (header and the small records), plus anywhere.
        var failures = 0
        for round in 0..<300 {
            var bytes = detector
            let count = 1 + next() % 4
            for _ in 0..<count {
                let at = round % 2 == 0 ? next() % 2_000 : next() % bytes.count
                bytes[at] = UInt8(truncatingIfNeeded: next())
            }
            if let error = parseDetector(bytes) {
                failures += 1
                #expect(error.offset >= 0 && error.offset <= bytes.count)
                #expect(!error.context.isEmpty)
            }
        }
        #expect(failures > 0)
    }
}
