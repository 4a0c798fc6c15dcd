@testable import Matching
import Testing

@Suite struct MatcherTests {
    /// Several sizes around the 16-row blocks, k around the short list's slack, thresholds,
    /// one probe (the single-probe kernel) and 13 probes (two 6-probe tiles and a remainder).
    @Test(arguments: [1, 15, 16, 17, 33, 250, 2_003])
    func equalsBruteForce(count: Int) throws {
        let reference = Reference.random(count: count, seed: UInt64(count))
        let gallery = try reference.matrix()
        let probes = Reference.probes(13, seed: 77, near: reference)
        for workers in [1, 2, 3] {
            let matcher = Matcher(gallery: gallery, workers: workers)
            for k in [1, 5, 10, 40] {
                for threshold in [nil, 0.0, 0.9, 1.5] as [Double?] {
                    let many = try matcher.search(probes: probes, k: k, threshold: threshold)
                    for (i, probe) in probes.enumerated() {
                        let expected = reference.search(probe, k: k, threshold: threshold)
                        #expect(many[i] == expected, "count \(count) workers \(workers) k \(k) threshold \(String(describing: threshold)) probe \(i)")
                    }
                    let one = try matcher.search(probes[0], k: k, threshold: threshold)
                    #expect(one == reference.search(probes[0], k: k, threshold: threshold))
                }
            }
        }
    }

    @Test func smallDimension() throws {
        let reference = Reference.random(count: 300, dimension: 8, seed: 5)
        let matcher = Matcher(gallery: try reference.matrix(), workers: 2)
        let probes = Reference.probes(7, dimension: 8, seed: 6)
        let results = try matcher.search(probes: probes, k: 12)
        for (i, probe) in probes.enumerated() {
            #expect(results[i] == reference.search(probe, k: 12, threshold: nil))
        }
    }

    /// Exact duplicates: all distances tie; the answer is the lowest rows. The short list overflows
    /// with equal keys, so this goes through the collect-everything fallback.
    @Test func exactTiesAreBrokenByRow() throws {
        var reference = Reference.random(count: 100, seed: 11)
        let dup = Array(reference.rows[0..<128])
        for r in 0..<reference.count where r % 2 == 1 || r > 50 {
            reference.rows.replaceSubrange((r * 128)..<((r + 1) * 128), with: dup)
        }
        let matcher = Matcher(gallery: try reference.matrix(), workers: 2)
        let probes = [dup, Reference.probes(1, seed: 3)[0]]
        for k in [1, 10, 30] {
            let results = try matcher.search(probes: probes, k: k)
            for (i, probe) in probes.enumerated() {
                #expect(results[i] == reference.search(probe, k: k, threshold: nil))
            }
            #expect(try matcher.search(dup, k: k).map(\.row) == reference.search(dup, k: k, threshold: nil).map(\.row))
        }
    }

    /// Rows that differ from each other by one float ulp: float32 distances cannot order them, the
    /// double re-rank must.
    @Test func nearTiesFollowDoublePrecision() throws {
        let base = Reference.probes(1, seed: 21)[0]
        var rows: [Float] = []
        let count = 90
        for r in 0..<count {
            var row = base
            var value = row[r % 128]
            for _ in 0..<((r * 7919) % 11) { value = value.nextUp }
            row[r % 128] = value
            row[(r + 5) % 128] += Float((r % 3)) * 1e-7
            rows += row
        }
        let reference = Reference(
            dimension: 128, rows: rows, faceIDs: (0..<count).map { Int64($0) }, subjectIDs: (0..<count).map { Int64($0) })
        let matcher = Matcher(gallery: try reference.matrix(), workers: 3)
        var probe = base
        probe[0] += 1e-3
        for k in [1, 4, 20] {
            #expect(try matcher.search(probe, k: k) == reference.search(probe, k: k, threshold: nil))
            #expect(try matcher.search(probes: [probe, base], k: k)[1] == reference.search(base, k: k, threshold: nil))
        }
    }

    /// A threshold exactly equal to a row's distance includes that row.
    @Test func thresholdIsInclusiveAndExact() throws {
        let reference = Reference.random(count: 500, seed: 31)
        let matcher = Matcher(gallery: try reference.matrix(), workers: 2)
        let probe = Reference.probes(1, seed: 32, near: reference)[0]
        let all = reference.search(probe, k: 50, threshold: nil)
        for cut in [0, 4, 17] {
            let threshold = all[cut].distance
            let got = try matcher.search(probe, k: 50, threshold: threshold)
            #expect(got == reference.search(probe, k: 50, threshold: threshold))
            #expect(got.last?.row == all[cut].row || got.count > cut)
            #expect(got.count >= cut + 1)
            #expect(try matcher.search(probe, k: 50, threshold: threshold.nextDown).count <= cut)
        }
    }

    /// The nearest row sits at each chunk and block boundary in turn.
    @Test func chunkBoundaries() throws {
        let count = 16 * 12 + 5
        var reference = Reference.random(count: count, seed: 41)
        let probe = Reference.probes(1, seed: 42)[0]
        for target in [0, 15, 16, 63, 64, 65, 96, 97, count - 6, count - 1] {
            var moved = reference
            moved.rows.replaceSubrange((target * 128)..<((target + 1) * 128), with: probe.map { $0 * 1.0001 })
            let gallery = try moved.matrix()
            for workers in [1, 2, 3, 4, 5] {
                let matcher = Matcher(gallery: gallery, workers: workers)
                #expect(try matcher.search(probe, k: 3).first?.row == target)
                #expect(try matcher.search(probe, k: 3) == moved.search(probe, k: 3, threshold: nil))
                #expect(try matcher.search(probes: [probe, probe], k: 3)[1] == moved.search(probe, k: 3, threshold: nil))
            }
        }
        reference.rows = []
    }

    /// More probes than one batch: results stay in probe order and exact.
    @Test func probesBeyondOneBatch() throws {
        let reference = Reference.random(count: 40, dimension: 8, seed: 81)
        let matcher = Matcher(gallery: try reference.matrix(), workers: 2)
        let probes = Reference.probes(Matcher.batchSize + 7, dimension: 8, seed: 82)
        let results = try matcher.search(probes: probes, k: 3)
        #expect(results.count == probes.count)
        for i in [0, 1, Matcher.batchSize - 1, Matcher.batchSize, probes.count - 1] {
            #expect(results[i] == reference.search(probes[i], k: 3, threshold: nil))
        }
    }

    @Test func emptyGallery() throws {
        let matcher = Matcher(gallery: try GalleryMatrix.empty(), workers: 2)
        let probe = Reference.probes(1, seed: 1)[0]
        #expect(try matcher.search(probe, k: 10).isEmpty)
        #expect(try matcher.search(probes: [probe, probe], k: 10) == [[], []])
        #expect(try matcher.search(probes: [], k: 10).isEmpty)
        #expect(try matcher.exactScan(probe, k: 3).isEmpty)
    }

    @Test func kLargerThanGallery() throws {
        let reference = Reference.random(count: 7, seed: 2)
        let matcher = Matcher(gallery: try reference.matrix(), workers: 2)
        let probe = Reference.probes(1, seed: 3)[0]
        let got = try matcher.search(probe, k: 50)
        #expect(got.count == 7)
        #expect(got == reference.search(probe, k: 50, threshold: nil))
        #expect(got.map(\.rank) == Array(1...7))
    }

    @Test func removedSubjectsLeaveEverySearch() throws {
        let reference = Reference.random(count: 300, seed: 51)
        let gallery = try reference.matrix(version: 4)
        let probe = Array(reference.rows[(30 * 128)..<(31 * 128)])  // row 30 is subject 10
        let before = try Matcher(gallery: gallery).search(probe, k: 5)
        #expect(before.first?.subjectID == 10)
        let after = gallery.removing(subjects: [10, 20], galleryVersion: 5)
        #expect(after.galleryVersion == 5)
        #expect(after.count == 294)
        let got = try Matcher(gallery: after, workers: 2).search(probe, k: 20)
        #expect(!got.contains { $0.subjectID == 10 || $0.subjectID == 20 })
        var remaining = Reference(dimension: 128, rows: [], faceIDs: [], subjectIDs: [])
        for r in 0..<reference.count where ![10, 20].contains(reference.subjectIDs[r]) {
            remaining.rows += reference.rows[(r * 128)..<((r + 1) * 128)]
            remaining.faceIDs.append(reference.faceIDs[r])
            remaining.subjectIDs.append(reference.subjectIDs[r])
        }
        #expect(got == remaining.search(probe, k: 20, threshold: nil))
    }

    @Test func exactScanIsTheReference() throws {
        let reference = Reference.random(count: 200, seed: 61)
        let matcher = Matcher(gallery: try reference.matrix())
        let probe = Reference.probes(1, seed: 62)[0]
        #expect(try matcher.exactScan(probe, k: 9, threshold: 1.9) == reference.search(probe, k: 9, threshold: 1.9))
    }

    @Test func rejectsBadInput() throws {
        let matcher = Matcher(gallery: try Reference.random(count: 20, seed: 1).matrix())
        let probe = Reference.probes(1, seed: 1)[0]
        #expect(throws: MatchingError.invalidK(0)) { try matcher.search(probe, k: 0) }
        #expect(throws: MatchingError.probeDimension(expected: 128, actual: 3)) { try matcher.search([1, 2, 3], k: 1) }
        var bad = probe
        bad[5] = .nan
        #expect(throws: MatchingError.nonFinite(row: -1)) { try matcher.search(bad, k: 1) }
        #expect(throws: MatchingError.invalidThreshold(-1)) { try matcher.search(probe, k: 1, threshold: -1) }
        #expect(throws: MatchingError.invalidDimension(6)) {
            try GalleryMatrix(dimension: 6, galleryVersion: 1, descriptors: [], faceIDs: [], subjectIDs: [])
        }
        #expect(throws: MatchingError.countMismatch(expected: 256, actual: 128)) {
            try GalleryMatrix(dimension: 128, galleryVersion: 1, descriptors: probe, faceIDs: [1, 2], subjectIDs: [1, 2])
        }
        #expect(throws: MatchingError.outOfRange(row: -1)) { try matcher.search(probe.map { $0 * 1e7 }, k: 1) }
        #expect(throws: MatchingError.outOfRange(row: 1)) {
            try GalleryMatrix(dimension: 128, galleryVersion: 1, descriptors: probe + probe.map { $0 * 1e7 }, faceIDs: [1, 2], subjectIDs: [1, 2])
        }
        #expect(throws: MatchingError.nonFinite(row: 0)) {
            try GalleryMatrix(dimension: 128, galleryVersion: 1, descriptors: bad, faceIDs: [1], subjectIDs: [1])
        }
    }

    /// One medium case: 100,000 rows, 8 probes, against the brute-force scan.
    @Test func mediumGallery() throws {
        let reference = Reference.random(count: 100_000, seed: 71)
        let matcher = Matcher(gallery: try reference.matrix(), workers: 2)
        let probes = Reference.probes(8, seed: 72, near: reference)
        let results = try matcher.search(probes: probes, k: 10, threshold: 1.2)
        for (i, probe) in probes.enumerated() {
            #expect(results[i] == reference.search(probe, k: 10, threshold: 1.2))
        }
        #expect(try matcher.search(probes[0], k: 10) == reference.search(probes[0], k: 10, threshold: nil))
    }
}
