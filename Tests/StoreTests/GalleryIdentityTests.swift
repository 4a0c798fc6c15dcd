@testable import Store
import Basics
import TestSupport
import Foundation
import Testing

/// Subjects as people: identities (name, date of birth) kept on the subject, images added under it,
/// erased on removal, listed; and an older gallery's tables gaining the new columns.
@Suite struct GalleryIdentityTests {
    func makeStore() throws -> (GalleryStore, String) {
        let dir = try TemporaryDirectory.make("identity")
        return (try GalleryStore(database: try Database(path: dir + "/frs.sqlite")), dir)
    }

    func sha(_ n: Int) -> String { String(repeating: "a", count: 48) + String(format: "%016x", n) }

    func face(_ seed: Float) -> GalleryFaceRecord {
        GalleryFaceRecord(box: FaceBox(left: 10, top: 20, right: 110 + Int(seed), bottom: 120),
                          landmarks: (0..<10).map { Float($0) + seed },
                          descriptor: (0..<128).map { sinf(Float($0) * 0.37 + seed) * 0.12 })
    }

    func image(_ subject: String, _ n: Int, captured: String? = nil) -> GalleryImageRecord {
        GalleryImageRecord(subject: subject, path: "/gallery/\(n).jpg", sha256: sha(n), source: "ORI NY0303000 TOT CAR",
                           captured: captured, profile: "10", pose: "F")
    }

    @Test("a person booked twice is one subject with two images, name and date of birth kept")
    func bookedAgain() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let who = GallerySubjectIdentity(name: "DOE,JOHN", dateOfBirth: "1980-02-03")
        _ = try store.enroll(image("sid:1", 1, captured: "2020-01-01"), faces: [face(1)], identity: who)
        _ = try store.enroll(image("sid:1", 2, captured: "2023-05-06"), faces: [face(2)],
                             identity: GallerySubjectIdentity(name: "DOE,JOHN A", dateOfBirth: "1980-02-03"))
        _ = try store.enroll(image("sid:2", 3), faces: [face(3)])
        let subjects = try store.subjects()
        #expect(subjects.map(\.subject) == ["sid:1", "sid:2"])
        let one = try #require(subjects.first)
        #expect(one.name == "DOE,JOHN A" && one.dateOfBirth == "1980-02-03")
        #expect(one.images == 2 && one.faces == 2 && one.firstCaptured == "2020-01-01" && one.lastCaptured == "2023-05-06")
        #expect(one.sources == ["ORI NY0303000 TOT CAR"])
        #expect(subjects[1].name == nil && subjects[1].images == 1)
        let images = try store.images(ofSubject: "sid:1")
        #expect(images.map(\.path) == ["/gallery/1.jpg", "/gallery/2.jpg"])
        #expect(images.map(\.profile) == ["10", "10"] && images.map(\.pose) == ["F", "F"])
        #expect(images.first?.box == FaceBox(left: 10, top: 20, right: 111, bottom: 120))
        #expect(try store.subject(ofImage: "/gallery/2.jpg")?.subject == "sid:1")
        #expect(try store.subject(ofImage: "/gallery/none.jpg") == nil)
        // An identity without a date of birth keeps the stored one.
        _ = try store.enroll(image("sid:1", 4), faces: [face(4)], identity: GallerySubjectIdentity(name: nil, dateOfBirth: nil))
        #expect(try store.subjects("sid:1").first?.dateOfBirth == "1980-02-03")
        #expect(try store.subjects("sid:1").first?.name == "DOE,JOHN A")
    }

    @Test("another date of birth under the same id is refused and changes nothing")
    func conflict() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try store.enroll(image("tcn:X/1", 1), faces: [face(1)], identity: GallerySubjectIdentity(name: "A", dateOfBirth: "1970-02-08"))
        let version = try store.version()
        #expect {
            _ = try store.enroll(image("tcn:X/1", 2), faces: [face(2)], identity: GallerySubjectIdentity(name: "B", dateOfBirth: "1960-02-01"))
        } throws: { ($0 as? GalleryStoreError)?.code == .identityConflict }
        #expect(try store.version() == version)
        #expect(try store.subjects().first?.images == 1 && store.subjects().first?.name == "A")
    }

    @Test("removal erases the name and date of birth with the faces and lists the image paths")
    func removal() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try store.enroll(image("sid:9", 1), faces: [face(1)], identity: GallerySubjectIdentity(name: "ZYXWVUT,QRSPONM", dateOfBirth: "1999-09-09"))
        _ = try store.enroll(image("sid:9", 2), faces: [face(2)])
        let removal = try store.removeSubject("sid:9", reason: "expungement")
        #expect(removal.imagePaths == ["/gallery/1.jpg", "/gallery/2.jpg"])
        #expect(try store.subjects().isEmpty)
        let row = try #require(try store.database.query("SELECT name, date_of_birth FROM gallery_subjects WHERE subject = 'sid:9'").first)
        #expect(row.text(0) == nil && row.text(1) == nil)
        let data = try #require(FileManager.default.contents(atPath: dir + "/frs.sqlite"))
        #expect(String(decoding: data, as: UTF8.self).range(of: "ZYXWVUT") == nil, "the name is overwritten on disk")
    }

    @Test("an older gallery gains the new columns, its rows kept")
    func migration() throws {
        let dir = try TemporaryDirectory.make("identity")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try Database(path: dir + "/frs.sqlite")
        // The first schema: no name, date_of_birth, profile, pose.
        try database.execute("""
            CREATE TABLE gallery_subjects (id INTEGER PRIMARY KEY, subject TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL,
                removed_at TEXT, removal_reason TEXT);
            CREATE TABLE gallery_images (id INTEGER PRIMARY KEY, subject_id INTEGER NOT NULL REFERENCES gallery_subjects(id),
                path TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE, source TEXT, captured TEXT, enrolled_at TEXT NOT NULL);
            INSERT INTO gallery_subjects (subject, created_at) VALUES ('OLD-1', '2024-01-01T00:00:00Z');
            INSERT INTO gallery_images (subject_id, path, sha256, enrolled_at) VALUES (1, '/g/old.jpg', '\(sha(7))', '2024-01-01T00:00:00Z');
            """)
        let store = try GalleryStore(database: database)
        _ = try GalleryStore(database: database)
        #expect(try store.subjects().map(\.subject) == ["OLD-1"])
        _ = try store.enroll(image("OLD-1", 8), faces: [face(8)], identity: GallerySubjectIdentity(name: "N", dateOfBirth: nil))
        #expect(try store.subjects().first?.images == 2 && store.subjects().first?.name == "N")
    }
}
