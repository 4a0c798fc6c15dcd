import DlibFormat
import FaceEngine
import Foundation
import Imaging
import Testing

@Suite("FaceDescriptorNetwork")
struct DescriptorNetworkTests {
    struct Face {
        var chip: RGBImage
        var name: String
        var expected: [Float]
    }

    /// The reference chips and dlib's descriptors (scripts/make-dnn-reference.py).
    static func faces() throws -> [Face] {
        let json = try DNNFixtures.json("descriptors.json")
        let entries = try #require(json["faces"] as? [[String: Any]])
        return try entries.map { entry in
            let name = try #require(entry["chip"] as? String)
            let bytes = [UInt8](try DNNFixtures.data(name))
            #expect(bytes.count == 67_500)
            let descriptor = try #require(entry["descriptor"] as? [Double]).map { Float($0) }
            return Face(chip: RGBImage(width: 150, height: 150, pixels: bytes), name: name, expected: descriptor)
        }
    }

    func check(_ got: [Float], _ face: Face) {
        #expect(got.count == 128)
        guard got.count == face.expected.count else { return }
        var maxDelta: Float = 0, squared: Float = 0
        for i in got.indices {
            let d = got[i] - face.expected[i]
            maxDelta = max(maxDelta, abs(d))
            squared += d * d
        }
        #expect(maxDelta <= 1e-4, "\(face.name): max |Δ| = \(maxDelta)")
        #expect(squared.squareRoot() <= 0.01, "\(face.name): distance = \(squared.squareRoot())")
    }

    @Test("descriptors of real chips equal dlib's")
    func matchesDlib() throws {
        guard let path = DNNFixtures.model("dlib_face_recognition_resnet_model_v1.dat") else { return }
        let network = try FaceDescriptorNetwork(contentsOf: path)
        let faces = try Self.faces()
        #expect(faces.count == 3)
        for face in faces { check(network.descriptor(chip: face.chip), face) }
        // The batch path (one chip per thread) gives the same answers, in order.
        let batch = network.descriptors(chips: faces.map(\.chip) + faces.map(\.chip))
        #expect(batch.count == 6)
        for (i, d) in batch.enumerated() { check(d, faces[i % 3]) }
        // Different people are far apart, as dlib's threshold 0.6 expects.
        let a = batch[1], b = batch[2]
        let distance = zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        #expect(distance > 0.6)
    }
}
