@testable import Matching
import Testing

@Suite struct GalleryMatrixTests {
    @Test(arguments: [0, 1, 16, 17, 40])
    func keepsRowsAndIds(count: Int) throws {
        let reference = Reference.random(count: count, seed: 3)
        let matrix = try reference.matrix(version: 9)
        #expect(matrix.count == count)
        #expect(matrix.galleryVersion == 9)
        #expect(matrix.rowMajorDescriptors() == reference.rows)
        #expect(matrix.faceIDs == reference.faceIDs)
        #expect(matrix.subjectIDs == reference.subjectIDs)
        if count > 0 { #expect(matrix.row(count - 1) == Array(reference.rows[((count - 1) * 128)...])) }
        // Padding rows never match: their norms are +infinity.
        let norms = matrix.storage.normFloats
        for row in count..<(matrix.blocks * 16) { #expect(norms[row] == .infinity) }
    }

    @Test func removingKeepsOrderOfTheRest() throws {
        let reference = Reference.random(count: 30, seed: 4)
        let matrix = try reference.matrix()
        let smaller = matrix.removing(subjects: [0, 5], galleryVersion: 2)
        let kept = (0..<30).filter { ![0, 5].contains($0 / 3) }
        #expect(smaller.faceIDs == kept.map { 1000 + Int64($0) })
        #expect(smaller.row(0) == matrix.row(kept[0]))
        #expect(smaller.row(smaller.count - 1) == matrix.row(29))
    }
}
