@testable import Administration
@testable import FaceSearch
import Foundation
import Results
@testable import Spool
import Store
import SpoolTestSupport
import TestSupport
import Testing

/// The real face search with a calibration: fixture photos through the face engine.
@Suite("Calibration in the face search", .serialized)
struct CalibrationSearchTests {
    static func rows(_ john: String, _ files: [String]) -> [String] {
        files.map { "S-\(john.uppercased()),johns/John_\(john)/\($0),booking," }
    }

    @Test("candidates carry the newest calibration's estimated FPIR; results warn when there is none or the gallery grew")
    func searchCarriesEstimates() throws {
        let spool = try TestSpool()
        let admin = try SpoolAdministration(layout: spool.layout, uid: 0)
        let analyzer = try GalleryEnrollmentTests.analyzer.get()
        let first = GalleryEnrollmentTests.manifest(
            Self.rows("Savage", ["000264_01099001.jpg", "000274_01099061.jpg", "000277_01099000.jpg"])
                + Self.rows("Salley", ["000179_02159509.jpg", "000183_02159543.jpg", "000186_02159346.jpg"])
                + Self.rows("Simm", ["000288_00470387.jpg", "000300_00470148.jpg"]))
        #expect(try admin.enrollGallery(first, baseDirectory: GalleryEnrollmentTests.fixtures, analyzer: analyzer)
                .count(.enrolled) == 8)
        let searcher = try FaceSearcher(analyzer: analyzer, databasePath: spool.layout.database,
                                        cacheDirectory: spool.layout.state + "/cache")
        let probe = [UInt8](try Data(contentsOf: URL(fileURLWithPath: GalleryEnrollmentTests.fixtures
                                                        + "/johns/John_Savage/000299_01099008.jpg")))
        // No calibration yet: no estimates, and the result says so.
        #expect(searcher.calibration.reference == nil && searcher.calibration.warnings.count == 1)
        let uncalibrated = try searcher.search(imageBytes: probe, maxCandidates: 5, threshold: 0.6)
        #expect(uncalibrated[0].candidates.allSatisfy { $0.estimatedFPIR == nil })

        // A calibration made by the administrator is picked up at the next search.
        let run = try admin.calibrateGallery()
        let found = try searcher.search(imageBytes: probe, maxCandidates: 5, threshold: 0.6)
        let top = try #require(found[0].candidates.first)
        #expect(top.subject == "S-SAVAGE")
        let estimate = try #require(run.calibration.estimatedFPIR(atDistance: top.distance))
        #expect(abs(try #require(top.estimatedFPIR) - estimate) < 1e-6)
        #expect(top.estimatedFPIRUpper95 == run.calibration.estimatedFPIRUpper95(atDistance: top.distance))
        #expect(top.estimatedFPIRUpper95 == 0.375)  // no stranger within 0.7 in 8 searches: the rule of three, 3/8
        #expect(searcher.calibration == CalibrationStatus(reference: run.calibration.reference, warnings: [],
                                                          curve: run.calibration.curve))

        // Three more faces: 11 > 8 × 1.25, so results warn that the calibration is stale.
        let more = GalleryEnrollmentTests.manifest(
            Self.rows("Savage", ["000289_01099139.jpg", "000290_01099067.jpg", "000290_01099090.jpg"]))
        #expect(try admin.enrollGallery(more, baseDirectory: GalleryEnrollmentTests.fixtures, analyzer: analyzer)
                .count(.enrolled) == 3)
        _ = try searcher.search(imageBytes: probe, maxCandidates: 5, threshold: 0.6)
        let stale = searcher.calibration
        #expect(stale.reference?.id == run.calibration.id)
        #expect(stale.warnings.count == 1)
        #expect(stale.warnings.first?.contains("grown by 38 % since calibration 1 (8 faces then, 11 now)") == true)
    }
}
