@testable import Spool
import SpoolTestSupport
import TestSupport
import Administration
import FaceEngine
import FaceSearch
import Foundation
import Imaging
import Store
import Testing

/// `frs gallery import` on the NIST reference transactions and on transactions built from fixture
/// photos: identities, idempotence by content, refusals, removal, duplicates (the real face engine).
@Suite("Gallery import of booking transactions", .serialized)
struct GalleryImportTests {
    static let fixtures = FixtureFiles.fixtures
    static let analyzer: Result<FaceAnalyzer, any Error> = Result {
        try FaceAnalyzer(modelsDirectory: try FixtureFiles.modelsDirectory())
    }

    static func temporaryDirectory() throws -> String {
        try TemporaryDirectory.make("import")
    }

    static func jpeg(_ path: String) throws -> [UInt8] {
        [UInt8](try #require(FileManager.default.contents(atPath: fixtures + "/" + path)))
    }

    /// A booking transaction naming the person by SID (2.015) with one JPEGB face.
    static func booking(sid: String?, name: String, dob: String, tcn: String, face: [UInt8], cga: String = "JPEGB",
                        width: Int = 0, height: Int = 0, csp: String = "YCC") -> [UInt8] {
        var b = NISTBuilder()
        b.header = [(4, "CAR"), (5, "20240102"), (7, "DAI000000"), (8, "NY0303000"), (9, tcn)]
        var type2: [(Int, [UInt8])] = []
        if let sid { type2.append((15, Array(sid.utf8))) }
        type2 += [(18, Array(name.utf8)), (22, Array(dob.utf8))]
        b.records = [
            .tagged(type: 2, idc: 0, fields: type2),
            .binary(type: 4, idc: 1, length: 64, fill: 0x1C),
            .tagged(type: 10, idc: 2, fields: NISTBuilder.face(cga: cga, width: width, height: height, csp: csp, date: "20240102",
                                                              sap: "32", pos: "F", data: face)),
            .tagged(type: 10, idc: 3, fields: NISTBuilder.face(imt: "TATTOO", cga: "JPEGB", data: face)),
        ]
        return b.build()
    }

    func auditText(_ spool: TestSpool) throws -> String {
        try FileManager.default.contentsOfDirectory(atPath: spool.layout.audit).sorted().compactMap {
            FileManager.default.contents(atPath: spool.layout.audit + "/" + $0).map { String(decoding: $0, as: UTF8.self) }
        }.joined()
    }

    @Test("the reference transactions: subjects by ORI/TCN, names and dates of birth kept, a conflicting date of birth refused; a second run and a renamed copy add nothing")
    func reference() throws {
        let spool = try TestSpool()
        let admin = try SpoolAdministration(layout: spool.layout, uid: 0)
        let analyzer = try Self.analyzer.get()
        let files = try SpoolAdministration.transactionFiles([Self.fixtures + "/ansi-nist"])
        #expect(files.map { ($0 as NSString).lastPathComponent } ==
                ["face_jpb_DOM_GMT_DCS.an2", "valid1.11.an2", "valid1.2.an2", "valid1.3.an2", "valid1.9.an2"])
        let run = try admin.importGallery(files: files, analyzer: analyzer, workers: 1)
        let byName = Dictionary(uniqueKeysWithValues: run.reports.map { (($0.source as NSString).lastPathComponent, $0) })
        #expect(byName["face_jpb_DOM_GMT_DCS.an2"]?.images.map(\.outcome) == [.enrolled])
        #expect(byName["valid1.11.an2"]?.images.map(\.outcome) == [.enrolled])
        #expect(byName["valid1.2.an2"]?.status == .imported && byName["valid1.2.an2"]?.images.isEmpty == true)
        #expect(byName["valid1.3.an2"]?.images.map(\.outcome) == [.enrolled])
        // valid1.9 reuses valid1.11's ORI and TCN with another date of birth: refused, not merged.
        #expect(byName["valid1.9.an2"]?.status == .refused && byName["valid1.9.an2"]?.reason == .importer(.identityConflict))
        #expect(byName["valid1.3.an2"]?.subject == "tcn:AWRE01730/1234567890")

        let (subjects, _) = try admin.listGallery()
        #expect(subjects.map(\.subject) == ["tcn:AWRE01730/1234567890", "tcn:MDNISTIG/face1", "tcn:NY0303000/1234567890"])
        #expect(subjects.map(\.name) == ["brad", nil, "smith,tom"])
        #expect(subjects.map(\.dateOfBirth) == ["1970-03-08", nil, "1960-02-01"])
        let (_, images) = try admin.listGallery(subject: "tcn:MDNISTIG/face1")
        let image = try #require(images.first)
        #expect(image.captured == "2004-02-29" && image.profile == "40" && image.pose == "F" && image.faces == 1)
        #expect(image.path.hasPrefix(admin.galleryImageDirectory + "/") && image.source == "ORI MDNISTIG TOT NISTDAAT TCN face1")
        #expect(FileManager.default.contents(atPath: image.path).map { $0.count } == 69459)
        let audit = try auditText(spool)
        #expect(audit.contains("gallery.imported"))
        #expect(!audit.contains("smith") && !audit.contains("brad") && !audit.contains("1970-03-08"))

        // Again, and valid1.3 under another name: nothing new.
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Self.fixtures + "/ansi-nist/valid1.3.an2", toPath: dir + "/renamed.EFT")
        let again = try admin.importGallery(files: files + [dir + "/renamed.EFT"], analyzer: analyzer, workers: 2)
        #expect(again.version == run.version)
        #expect(again.reports.flatMap(\.images).filter { $0.outcome == .enrolled }.isEmpty)
        #expect(again.reports.last?.images.map(\.outcome) == [.alreadyEnrolled])
    }

    @Test("truncated and foreign files are refused by name with their reason, nothing enrolled")
    func refusals() throws {
        let spool = try TestSpool()
        let admin = try SpoolAdministration(layout: spool.layout, uid: 0)
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let good = try Self.jpeg("ansi-nist/valid1.3.an2")
        try Data(good.prefix(good.count - 5000)).write(to: URL(fileURLWithPath: dir + "/cut.an2"))
        try Data(try Self.jpeg("images/obama.jpg")).write(to: URL(fileURLWithPath: dir + "/photo.nist"))
        try Data(good + good).write(to: URL(fileURLWithPath: dir + "/two.ebts"))
        try Data("not a transaction".utf8).write(to: URL(fileURLWithPath: dir + "/notes.txt"))
        let files = try SpoolAdministration.transactionFiles([dir])
        #expect(files.count == 3)
        let run = try admin.importGallery(files: files, analyzer: try Self.analyzer.get(), workers: 2)
        #expect(run.reports.map(\.status) == [.refused, .refused, .refused])
        #expect(run.reports.map(\.reason) == [.reader(.truncated), .reader(.foreign), .reader(.trailingData)])
        #expect(run.reports[0].message?.contains("record 2") == true)
        #expect(try GalleryStore(database: try Database(path: spool.layout.database)).stats().images == 0)
        #expect(throws: AdministrationError.self) {
            _ = try SpoolAdministration(layout: spool.layout, uid: TestSpool.analystUID)
                .importGallery(files: files, analyzer: try Self.analyzer.get())
        }
    }

    @Test("a person booked again gains a photo under the same subject; uncompressed images; removal deletes the files and the name; duplicates found")
    func identities() throws {
        let spool = try TestSpool()
        let admin = try SpoolAdministration(layout: spool.layout, uid: 0)
        let analyzer = try Self.analyzer.get()
        let importer = try admin.bookingImport(analyzer: analyzer)
        let simm1 = try Self.jpeg("johns/John_Simm/000288_00470387.jpg")
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures + "/johns/John_Simm").sorted()
        let simm2 = try Self.jpeg("johns/John_Simm/" + files.last!)
        let first = importer.importTransaction(Self.booking(sid: "NY1", name: "SIMM,JOHN", dob: "19700101", tcn: "T1", face: simm1), source: "a.an2")
        let second = importer.importTransaction(Self.booking(sid: "NY1", name: "SIMM,JOHN", dob: "19700101", tcn: "T2", face: simm2), source: "b.an2")
        #expect(first.subject == "sid:NY1" && second.subject == "sid:NY1")
        #expect(first.images.map(\.outcome) == [.enrolled] && second.images.map(\.outcome) == [.enrolled])
        #expect(first.skipped.count == 1 && first.skipped.first?.imageType == "TATTOO")
        // The same man under another SID, as an uncompressed RGB image.
        let pixels = try JPEGDecoder().decode(simm2)
        let raw = importer.importTransaction(Self.booking(sid: "NY2", name: "SIMM,J", dob: "19700101", tcn: "T3", face: pixels.pixels,
                                                          cga: "NONE", width: pixels.width, height: pixels.height, csp: "SRGB"),
                                             source: "c.an2")
        #expect(raw.images.map(\.outcome) == [.enrolled])
        let other = try Self.jpeg("johns/John_Salley/000179_02159509.jpg")
        _ = importer.importTransaction(Self.booking(sid: "NY3", name: "SALLEY,JOHN", dob: "19640508", tcn: "T4", face: other), source: "d.an2")
        // A JP2 face is refused by name.
        let jp2 = importer.importTransaction(Self.booking(sid: "NY4", name: "X", dob: "19800101", tcn: "T5", face: [0, 0, 0, 12], cga: "JP2"), source: "e.an2")
        #expect(jp2.status == .imported && jp2.images.map(\.reason) == [.reader(.unsupportedCompression)])
        #expect(jp2.images.first?.message?.contains("JP2") == true)

        let (subjects, _) = try admin.listGallery()
        #expect(subjects.map(\.subject) == ["sid:NY1", "sid:NY2", "sid:NY3"])
        #expect(subjects.map(\.images) == [2, 1, 1])
        #expect(subjects.first?.name == "SIMM,JOHN" && subjects.first?.dateOfBirth == "1970-01-01")

        let pairs = try admin.galleryDuplicates(threshold: 0.6)
        let closest = try #require(pairs.first)
        #expect(Set(closest.subjects) == ["sid:NY1", "sid:NY2"])
        #expect(closest.distance < 0.001, "NY2's photo is one of NY1's, by its pixels")
        #expect(pairs.allSatisfy { $0.distance < 0.6 && $0.subjects[0] != $0.subjects[1] })
        #expect(try admin.galleryDuplicates(threshold: 0.01).map { Set($0.subjects) } == [["sid:NY1", "sid:NY2"]])

        let (_, images) = try admin.listGallery(subject: "sid:NY1")
        #expect(images.count == 2 && images.allSatisfy { FileManager.default.fileExists(atPath: $0.path) })
        let removal = try admin.removeGallerySubject("sid:NY1", reason: "expungement order 2024-17")
        #expect(removal.images == 2)
        #expect(images.allSatisfy { !FileManager.default.fileExists(atPath: $0.path) })
        #expect(try admin.listGallery().subjects.map(\.subject) == ["sid:NY2", "sid:NY3"])
        // The feed brings the expunged person again: refused, the id is retired.
        let back = importer.importTransaction(Self.booking(sid: "NY1", name: "SIMM,JOHN", dob: "19700101", tcn: "T1", face: simm1), source: "a.an2")
        #expect(back.status == .refused && back.reason == .importer(.subjectRemoved))
        #expect(!FileManager.default.fileExists(atPath: images[0].path))
        // A removal request through the importer (the booking feed's way): the same, files included.
        let rawImage = try #require(try admin.listGallery(subject: "sid:NY2").images.first)
        #expect(try importer.removeSubject("sid:NY2", reason: "dismissal").images == 1)
        #expect(!FileManager.default.fileExists(atPath: rawImage.path))
        #expect(try admin.listGallery().subjects.map(\.subject) == ["sid:NY3"])
        let json = String(decoding: try JSONEncoder().encode(back), as: UTF8.self)
        #expect(json.contains("\"gallery.subject-removed\"") && !json.contains("SIMM"))
    }
}
