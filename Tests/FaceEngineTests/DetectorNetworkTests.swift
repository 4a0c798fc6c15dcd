import DlibFormat
import FaceEngine
import Foundation
import Testing

@Suite("DetectorNetwork")
struct DetectorNetworkTests {
    @Test("score map of a small tiled pyramid equals the reference forward pass")
    func scoresMatchReference() throws {
        guard let path = DNNFixtures.model("mmod_human_face_detector.dat") else { return }
        let network = try DetectorNetwork(contentsOf: path)
        let meta = try DNNFixtures.json("detector.json")
        let input = try #require(meta["input"] as? [String: Int])
        let output = try #require(meta["scores"] as? [String: Int])
        let rows = try #require(input["rows"]), cols = try #require(input["cols"])
        let tensor = try DNNFixtures.floats("detector-input.bin")
        #expect(tensor.count == 3 * rows * cols)
        let expected = try DNNFixtures.floats("detector-scores.bin")
        #expect(network.outputSize(rows: rows, cols: cols) == (output["rows"]!, output["cols"]!))
        for threads in [1, 2] {
            let result = tensor.withUnsafeBufferPointer { network.scores(input: $0, rows: rows, cols: cols, threads: threads) }
            #expect(result.rows == output["rows"] && result.cols == output["cols"])
            #expect(result.scores.count == expected.count)
            guard result.scores.count == expected.count else { return }
            var maxDelta: Float = 0
            for i in expected.indices { maxDelta = max(maxDelta, abs(result.scores[i] - expected[i])) }
            #expect(maxDelta <= 1e-3, "max |Δ| = \(maxDelta)")
            // The face in the crop is found: same positive cells as the reference.
            #expect(result.scores.indices.filter { result.scores[$0] > 0 } == expected.indices.filter { expected[$0] > 0 })
        }
        #expect(expected.contains { $0 > 0 })
        #expect(network.outputStride == 8)
        #expect(network.options.detectorWindows.first?.width == 80)
        #expect(network.options.overlapsNMS.iouThreshold == 0.3382761351109955)
    }
}
