@testable import FaceEngine
import Basics
import Foundation
import Testing

@Suite("DetectionDecoder (loss_mmod to_label, NMS, rect_down, trimming)")
struct DetectionDecoderTests {
    struct Reference: Decodable {
        struct Kept: Decodable { var rect: [Int], confidence: Double, level: Int, rect_down: [Int], trimmed: [Int] }
        var score_rows: Int, score_cols: Int
        var background: Float
        var positives: [[Double]]
        var window: [Int]
        var nms_iou: Double, nms_percent_covered: Double
        var image_width: Int, image_height: Int
        var candidates: Int
        var detections: [Kept]
    }

    struct PyramidReference: Decodable {
        struct Tensor: Decodable { var rects: [[Int]] }
        var tensor: Tensor
    }

    static func box(_ b: [Int]) -> FaceBox { FaceBox(left: b[0], top: b[1], right: b[2], bottom: b[3]) }

    @Test("a synthetic score map decodes to the reference detections, in order")
    func matchesReference() throws {
        let ref = try GeometryFixtures.decode(Reference.self, "detection.json")
        let rects = try GeometryFixtures.decode(PyramidReference.self, "pyramid.json").tensor.rects.map(Self.box)
        var scores = [Float](repeating: ref.background, count: ref.score_rows * ref.score_cols)
        for p in ref.positives { scores[Int(p[0]) * ref.score_cols + Int(p[1])] = Float(p[2]) }
        #expect(ref.positives.count == ref.candidates)
        let decoder = DetectionDecoder(windowWidth: ref.window[0], windowHeight: ref.window[1],
                                       nmsIoU: ref.nms_iou, nmsPercentCovered: ref.nms_percent_covered)
        let found = decoder.detections(scores: scores, rows: ref.score_rows, cols: ref.score_cols, levelRects: rects)
        #expect(found.count == ref.detections.count)
        #expect(found.count > 10 && found.count < ref.candidates)  // NMS removed some
        for (got, want) in zip(found, ref.detections) {
            #expect(got.box == Self.box(want.rect))
            #expect(got.confidence == want.confidence)
            let down = DetectionDecoder.rectDown(got.box, times: 1)
            #expect(down == Self.box(want.rect_down))
            #expect(DetectionDecoder.trimmed(down, imageWidth: ref.image_width, imageHeight: ref.image_height)
                    == Self.box(want.trimmed))
        }
        #expect(Set(ref.detections.map(\.level)).count >= 8)  // many pyramid levels exercised
    }

    @Test("rect_down of the documented example")
    func rectDown() {
        let box = FaceBox(left: 190, top: 130, right: 425, bottom: 366)
        #expect(DetectionDecoder.rectDown(box, times: 1) == FaceBox(left: 94, top: 64, right: 211, bottom: 182))
        #expect(DetectionDecoder.rectDown(box, times: 0) == box)
        #expect(DetectionDecoder.rectDown(box, times: 2) == FaceBox(left: 46, top: 31, right: 104, bottom: 90))
    }

    @Test("trimming clips right and bottom to the width and height, as face_recognition does")
    func trimming() {
        let t = DetectionDecoder.trimmed(FaceBox(left: -5, top: -1, right: 400, bottom: 300), imageWidth: 320, imageHeight: 240)
        #expect(t == FaceBox(left: 0, top: 0, right: 320, bottom: 240))
    }

    @Test("NMS divides by the enclosing box, not the union")
    func enclosingBox() {
        let d = DetectionDecoder()
        let a = FaceBox(left: 0, top: 0, right: 99, bottom: 99)
        // IoU 0.35 > 0.338, but intersection / enclosing box = 5184 / 16384 = 0.316: both kept.
        #expect(!d.overlaps(a, FaceBox(left: 28, top: 28, right: 127, bottom: 127)))
        // 5625 / 15625 = 0.36: suppressed.
        #expect(d.overlaps(a, FaceBox(left: 25, top: 25, right: 124, bottom: 124)))
        #expect(!d.overlaps(a, FaceBox(left: 100, top: 0, right: 199, bottom: 99)))
    }

    @Test("nearest rect: containing first, else the closest, earliest on ties")
    func nearestRect() {
        let rects = [FaceBox(left: 0, top: 0, right: 9, bottom: 9), FaceBox(left: 21, top: 0, right: 29, bottom: 9)]
        #expect(DetectionDecoder.nearestRect(rects, FacePoint(x: 25, y: 5)) == 1)
        #expect(DetectionDecoder.nearestRect(rects, FacePoint(x: 18, y: 5)) == 1)
        #expect(DetectionDecoder.nearestRect(rects, FacePoint(x: 15, y: 5)) == 0)  // tie: distance 6 each
        #expect(DetectionDecoder.nearestRect(rects, FacePoint(x: 5, y: 50)) == 0)
    }

    @Test("cells at or below the threshold are not candidates; equal scores keep raster order")
    func threshold() {
        let rects = [FaceBox(left: 11, top: 11, right: 400, bottom: 400)]
        var scores = [Float](repeating: 0, count: 20 * 20)  // 0 is not > 0
        #expect(DetectionDecoder().detections(scores: scores, rows: 20, cols: 20, levelRects: rects).isEmpty)
        scores[2 * 20 + 2] = 0.5
        scores[15 * 20 + 15] = 0.5
        let found = DetectionDecoder().detections(scores: scores, rows: 20, cols: 20, levelRects: rects)
        #expect(found.count == 2)
        // Cell (2, 2) → tensor centre (30, 30) → window (−9.5, −9.5, 69.5, 69.5) − (11, 11), lround.
        #expect(found[0].box == FaceBox(left: -21, top: -21, right: 59, bottom: 59))
        #expect(found[0].confidence == 0.5)
    }
}
