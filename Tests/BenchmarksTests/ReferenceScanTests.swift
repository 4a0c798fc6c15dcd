@testable import Benchmarks
import Matching
import Testing

@Suite("ReferenceScan: what frs bench match --verify compares with")
struct ReferenceScanTests {
    /// Four rows in two dimensions at distances 0, 1, 1 and 3 from the origin.
    static let scan = ReferenceScan(rows: [0, 0, 1, 0, 0, 1, 3, 0], dimension: 2)

    @Test("ordered by distance, then row; the first k; those within the threshold")
    func order() {
        let all = Self.scan.search([0, 0], k: 4, threshold: nil)
        #expect(all.map(\.row) == [0, 1, 2, 3])
        #expect(all.map(\.rank) == [1, 2, 3, 4])
        #expect(all.map(\.distance) == [0, 1, 1, 3])
        #expect(all.map(\.faceID) == [0, 1, 2, 3] && all.map(\.subjectID) == [0, 1, 2, 3])
        #expect(Self.scan.search([0, 0], k: 2, threshold: nil).map(\.row) == [0, 1])
        #expect(Self.scan.search([0, 0], k: 4, threshold: 1).map(\.row) == [0, 1, 2])
        #expect(Self.scan.search([0, 0], k: 4, threshold: 0.5).map(\.row) == [0])
        #expect(Self.scan.search([3, 0], k: 1, threshold: nil).map(\.row) == [3])
    }

    @Test("agrees with the matcher on the benchmark's own descriptors", arguments: [ScanPrecision.float32, .float16])
    func agreesWithMatcher(storage: ScanPrecision) throws {
        let benchmark = MatchBenchmark(gallery: 300, probes: 4, k: 10, threshold: nil, repeats: 1, workers: 1, verify: .all,
                                       cacheDirectory: nil, storages: [storage])
        let (rows, probes) = benchmark.makeDescriptors()
        let ids = (0..<Int64(300)).map { $0 }
        let matrix = try GalleryMatrix(dimension: 128, galleryVersion: 1, descriptors: rows, faceIDs: ids, subjectIDs: ids)
        let matcher = Matcher(gallery: matrix.converted(to: storage), workers: 1)
        let scan = ReferenceScan(rows: rows, dimension: 128)
        for probe in probes {
            #expect(try matcher.search(probe, k: 10, threshold: nil) == scan.search(probe, k: 10, threshold: nil))
        }
    }
}
