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

/// Incremental updates (``GalleryMatrix/applying(_:)``) equal a matrix built from scratch.
@Suite struct GalleryUpdateTests {
    /// Rows of `reference` without `removed` subjects, plus `extra`.
    func expected(_ reference: Reference, removed: Set<Int64>, extra: Reference) -> Reference {
        var out = Reference(dimension: reference.dimension, rows: [], faceIDs: [], subjectIDs: [])
        for r in 0..<reference.count where !removed.contains(reference.subjectIDs[r]) {
            out.rows += reference.rows[(r * reference.dimension)..<((r + 1) * reference.dimension)]
            out.faceIDs.append(reference.faceIDs[r])
            out.subjectIDs.append(reference.subjectIDs[r])
        }
        out.rows += extra.rows
        out.faceIDs += extra.faceIDs
        out.subjectIDs += extra.subjectIDs
        return out
    }

    @Test(arguments: [ScanPrecision.float32, .float16])
    func applyingEqualsRebuilding(precision: ScanPrecision) throws {
        let reference = Reference.random(count: 1_000, seed: 90)  // subjects r / 3: 0...333
        let matrix = try reference.matrix(version: 5, precision: precision)
        var extra = Reference.random(count: 21, seed: 91)
        extra.faceIDs = extra.faceIDs.map { $0 + 10_000 }
        extra.subjectIDs = extra.subjectIDs.map { $0 + 5_000 }
        let cases: [(Set<Int64>, Bool)] = [
            ([], true), ([0], false), ([333], true), ([100, 101, 7], true), ([5_000], false),
            (Set((0...333).map { Int64($0) }), true),
        ]
        let probes = Reference.probes(4, seed: 92, near: reference)
        for (removed, add) in cases {
            let more = add ? extra : Reference(dimension: 128, rows: [], faceIDs: [], subjectIDs: [])
            let updated = try matrix.applying(GalleryUpdate(
                galleryVersion: 6, removedSubjects: removed, descriptors: more.rows, faceIDs: more.faceIDs,
                subjectIDs: more.subjectIDs))
            let want = expected(reference, removed: removed, extra: more)
            #expect(updated.galleryVersion == 6)
            #expect(updated.precision == precision)
            #expect(updated.faceIDs == want.faceIDs)
            #expect(updated.subjectIDs == want.subjectIDs)
            #expect(updated.rowMajorDescriptors() == want.rows)
            let norms = updated.storage.normFloats
            for row in updated.count..<(updated.blocks * 16) { #expect(norms[row] == .infinity) }
            let rebuilt = try want.matrix()
            for row in 0..<updated.count { #expect(norms[row] == rebuilt.storage.normFloats[row]) }
            let matcher = Matcher(gallery: updated, workers: 2)
            let results = try matcher.search(probes: probes, k: 12)
            for (i, probe) in probes.enumerated() {
                #expect(results[i] == want.search(probe, k: 12, threshold: nil))
                #expect(!results[i].contains { removed.contains($0.subjectID) })
            }
            #expect(updated.lastFaceID(keepingAllBut: []) == (want.faceIDs.max() ?? 0))
        }
        #expect(matrix.lastFaceID(keepingAllBut: [333]) == 1000 + 998)
    }

    @Test func applyingRejectsBadRows() throws {
        let matrix = try Reference.random(count: 10, seed: 1).matrix()
        var bad = [Float](repeating: 0, count: 128)
        bad[3] = .infinity
        #expect(throws: MatchingError.nonFinite(row: 10)) {
            try matrix.applying(GalleryUpdate(galleryVersion: 2, removedSubjects: [], descriptors: bad, faceIDs: [1], subjectIDs: [1]))
        }
        #expect(throws: MatchingError.countMismatch(expected: 256, actual: 128)) {
            try matrix.applying(GalleryUpdate(galleryVersion: 2, removedSubjects: [], descriptors: bad, faceIDs: [1, 2], subjectIDs: [1, 2]))
        }
    }
}
