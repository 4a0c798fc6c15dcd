@testable import Spool
import SpoolTestSupport
import TestSupport
import Administration
import FaceEngine
import FaceSearch
import Foundation
import Policy
import Results
import Store
import Testing

/// Gallery enrollment and the real face search on fixture photos (the face engine, not a stand-in).
@Suite("Gallery enrollment and face search", .serialized)
struct GalleryEnrollmentTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static let analyzer: Result<FaceAnalyzer, any Error> = Result {
        try FaceAnalyzer(modelsDirectory: try FixtureFiles.modelsDirectory())
    }

    static func manifest(_ rows: [String]) -> GalleryManifest {
        GalleryManifest.parse((["subject_id,image,source,captured"] + rows).joined(separator: "\n") + "\n")
    }

    @Test("one face enrolled, no face reported, several faces: the largest enrolled; a second run changes nothing")
    func enrollOutcomesAndIdempotence() throws {
        let spool = try TestSpool()
        let admin = try SpoolAdministration(layout: spool.layout, uid: 0)
        let analyzer = try Self.analyzer.get()
        let manifest = Self.manifest([
            "S-SIMM,johns/John_Simm/000288_00470387.jpg,booking,2021-03-02",
            "S-DOGS,images/dogs.jpg,booking,2021-03-02",
            "S-GROUP,images/2008_002506.jpg,booking,2021-03-02",
            "S-MISSING,images/no-such-file.jpg,booking,2021-03-02",
        ])
        #expect(manifest.errors.isEmpty)
        let first = try admin.enrollGallery(manifest, baseDirectory: Self.fixtures, analyzer: analyzer, workers: 2)
        #expect(first.outcomes.map(\.kind) == [.enrolled, .noFace, .multipleFaces, .failed])
        #expect(first.outcomes[2].message?.contains("3 faces") == true)
        let store = try GalleryStore(database: try Database(path: spool.layout.database))
        let stats = try store.stats()
        #expect(stats.subjects == 2 && stats.images == 2 && stats.faces == 2)
        // The group photo's largest face is the one enrolled (dlib: 331,78,430,176 is the largest box).
        let rows = try store.activeDescriptors()
        let info = try store.faces(ids: rows.faceIDs)
        #expect(info.values.contains { $0.subject == "S-GROUP" && $0.box.left == 331 && $0.box.top == 78 })

        let second = try admin.enrollGallery(manifest, baseDirectory: Self.fixtures, analyzer: analyzer, workers: 2)
        #expect(second.outcomes.map(\.kind) == [.alreadyEnrolled, .noFace, .alreadyEnrolled, .failed])
        #expect(second.version == first.version)
        #expect(try store.stats().faces == 2)
    }

    @Test("enrollment is for administrators only")
    func enrollRequiresAdmin() throws {
        let spool = try TestSpool()
        let analyst = try SpoolAdministration(layout: spool.layout, uid: TestSpool.analystUID)
        let analyzer = try Self.analyzer.get()
        #expect(throws: AdministrationError.self) {
            try analyst.enrollGallery(Self.manifest(["S-SIMM,johns/John_Simm/000288_00470387.jpg,,"]),
                                      baseDirectory: Self.fixtures, analyzer: analyzer)
        }
    }

    @Test("the face search finds the enrolled person, and a removed subject leaves every later search")
    func searchAndRemoval() throws {
        let spool = try TestSpool()
        let admin = try SpoolAdministration(layout: spool.layout, uid: 0)
        let analyzer = try Self.analyzer.get()
        let report = try admin.enrollGallery(
            Self.manifest([
                "S-SIMM,johns/John_Simm/000288_00470387.jpg,booking,",
                "S-SAVAGE,johns/John_Savage/000264_01099001.jpg,booking,",
            ]), baseDirectory: Self.fixtures, analyzer: analyzer)
        #expect(report.count(.enrolled) == 2)
        let searcher = try FaceSearcher(analyzer: analyzer, databasePath: spool.layout.database,
                                        cacheDirectory: spool.layout.state + "/cache")
        #expect(searcher.galleryVersion == report.version)
        let probe = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/johns/John_Simm/000300_00470148.jpg")))
        let before = try searcher.search(imageBytes: probe, maxCandidates: 5, threshold: 0.6)
        #expect(before.count == 1)
        let top = try #require(before.first?.candidates.first)
        #expect(top.subject == "S-SIMM" && top.rank == 1 && top.distance < 0.6)
        #expect(before[0].candidates.allSatisfy { $0.distance <= 0.6 })

        let store = try GalleryStore(database: try Database(path: spool.layout.database))
        _ = try store.removeSubject("S-SIMM", reason: "expunged by court order 26-EX-11")
        let after = try searcher.search(imageBytes: probe, maxCandidates: 5, threshold: 0.6)
        #expect(!after[0].candidates.contains { $0.subject == "S-SIMM" })
        #expect(searcher.galleryVersion == (try store.version()))

        #expect(throws: ProbeImageError.self) {
            try searcher.search(imageBytes: Array("not a jpeg".utf8), maxCandidates: 5, threshold: 0.6)
        }
    }

    @Test("a bulk batch (parallel analysis, one blocked match) gives exactly what one-by-one searches give")
    func batchEqualsSingle() throws {
        let spool = try TestSpool()
        let admin = try SpoolAdministration(layout: spool.layout, uid: 0)
        let analyzer = try Self.analyzer.get()
        _ = try admin.enrollGallery(
            Self.manifest([
                "S-SIMM,johns/John_Simm/000288_00470387.jpg,booking,",
                "S-SIMM,johns/John_Simm/000290_00470346.jpg,booking,",
                "S-SAVAGE,johns/John_Savage/000264_01099001.jpg,booking,",
                "S-SALLEY,johns/John_Salley/000179_02159509.jpg,booking,",
            ]), baseDirectory: Self.fixtures, analyzer: analyzer)
        let searcher = try FaceSearcher(analyzer: analyzer, databasePath: spool.layout.database,
                                        cacheDirectory: spool.layout.state + "/cache")
        let files = ["johns/John_Simm/000300_00470148.jpg", "images/dogs.jpg", "johns/John_Savage/000290_01099067.jpg"]
        var images = try files.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/" + $0))) }
        images.insert(Array("not a jpeg".utf8), at: 1)
        let batch = searcher.searchBatch(images, maxCandidates: 2, threshold: 0.6, workers: 2)
        #expect(batch.count == 4)
        for (i, bytes) in images.enumerated() {
            let single = Result { try searcher.search(imageBytes: bytes, maxCandidates: 2, threshold: 0.6) }
            switch (batch[i], single) {
            case (.success(let a), .success(let b)): #expect(a == b, "image \(i)")
            case (.failure(let a), .failure(let b)): #expect(a is ProbeImageError && b is ProbeImageError)
            default: Issue.record("image \(i): batch \(batch[i]) but single \(single)")
            }
        }
        // Each subject is named once: S-SIMM has two photos in the gallery.
        if case .success(let faces) = batch[0] {
            let subjects = faces.first?.candidates.map(\.subject) ?? []
            #expect(subjects.first == "S-SIMM" && Set(subjects).count == subjects.count)
        }
    }
}
