@testable import Store
import Basics
import TestSupport
import Foundation
import Testing

@Suite struct GalleryStoreTests {
    /// A fresh database file in a temporary folder.
    func makeStore() throws -> (GalleryStore, String) {
        let dir = try TemporaryDirectory.make("store")
        let store = try GalleryStore(database: try Database(path: dir + "/frs.sqlite"))
        return (store, dir)
    }

    func sha(_ n: Int) -> String { String(repeating: "0", count: 48) + String(format: "%016x", n) }

    func face(_ seed: Float) -> GalleryFaceRecord {
        GalleryFaceRecord(
            box: FaceBox(left: 10, top: 20, right: 110, bottom: 120),
            landmarks: (0..<10).map { Float($0) + seed },
            descriptor: (0..<128).map { sinf(Float($0) * 0.37 + seed) * 0.12 })
    }

    func image(_ subject: String, _ n: Int) -> GalleryImageRecord {
        GalleryImageRecord(subject: subject, path: "/gallery/\(subject)-\(n).jpg", sha256: sha(n), source: "booking", captured: "2024-01-0\(n % 9 + 1)")
    }

    @Test func enrollBumpsVersionAndIsIdempotent() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try store.version() == 0)
        let first = try store.enroll(image("S-1", 1), faces: [face(1), face(2)])
        guard case .enrolled(let imageID, let faceIDs, let version) = first else {
            Issue.record("expected enrolled, got \(first)")
            return
        }
        #expect(faceIDs.count == 2)
        #expect(version == 1)
        #expect(try store.enrolledImage(sha256: sha(1)) == imageID)
        #expect(try store.enrolledImage(sha256: sha(1).uppercased()) == imageID)
        #expect(try store.enroll(image("S-1", 1), faces: [face(1)]) == .alreadyEnrolled(imageID: imageID))
        #expect(try store.version() == 1)
        _ = try store.enroll(image("S-1", 2), faces: [face(3)])
        _ = try store.enroll(image("S-2", 3), faces: [])
        #expect(try store.version() == 3)
        #expect(try store.stats() == GalleryStats(subjects: 2, removedSubjects: 0, images: 3, faces: 3, version: 3))
    }

    @Test func descriptorsRoundTripWithIds() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try store.enroll(image("A", 1), faces: [face(1), face(2)])
        _ = try store.enroll(image("B", 2), faces: [face(3)])
        let all = try store.activeDescriptors()
        #expect(all.version == 2)
        #expect(all.faceIDs.count == 3)
        #expect(all.descriptors.count == 3 * 128)
        #expect(Array(all.descriptors[128..<256]) == face(2).descriptor)
        #expect(all.subjectIDs[0] == all.subjectIDs[1])
        #expect(all.subjectIDs[0] != all.subjectIDs[2])
        let info = try store.faces(ids: [all.faceIDs[2]])
        #expect(info[all.faceIDs[2]]?.subject == "B")
        #expect(info[all.faceIDs[2]]?.imagePath == "/gallery/B-2.jpg")
        #expect(info[all.faceIDs[2]]?.box == FaceBox(left: 10, top: 20, right: 110, bottom: 120))
    }

    @Test func removalExpungesFacesKeepsTheRecordAndRetiresTheId() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try store.enroll(image("A", 1), faces: [face(1), face(2)])
        _ = try store.enroll(image("A", 2), faces: [face(3)])
        _ = try store.enroll(image("B", 3), faces: [face(4)])
        let removal = try store.removeSubject("A", reason: "expungement order 24-77")
        #expect(removal.images == 2)
        #expect(removal.faces == 3)
        #expect(removal.version == 4)
        let left = try store.activeDescriptors()
        #expect(left.version == 4)
        #expect(left.faceIDs.count == 1)
        #expect(left.descriptors == face(4).descriptor)
        // No copy of the descriptors is left.
        #expect(try store.database.query("SELECT COUNT(*) FROM gallery_faces").first?.int(0) == 1)
        #expect(try store.database.query("SELECT reason, faces FROM gallery_removals").first?.values == [.text("expungement order 24-77"), .integer(3)])
        #expect(try store.stats() == GalleryStats(subjects: 1, removedSubjects: 1, images: 1, faces: 1, version: 4))
        #expect(throws: GalleryStoreError.self) { try store.removeSubject("A", reason: "again") }
        #expect(throws: GalleryStoreError.self) { try store.removeSubject("nobody", reason: "x") }
        #expect(throws: GalleryStoreError.self) { try store.removeSubject("B", reason: "  ") }
        do {
            _ = try store.enroll(image("A", 1), faces: [face(1)])
            Issue.record("a removed subject was enrolled again")
        } catch let error as GalleryStoreError {
            #expect(error.code == .subjectRemoved)
        }
        #expect(try store.version() == 4)
    }

    @Test("after a removal, neither the database file nor its write-ahead log holds the removed descriptors")
    func removalLeavesNoCopyOfTheDescriptorsInTheFiles() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A descriptor whose bytes are easy to find: 128 copies of one unusual float.
        let marked = GalleryFaceRecord(box: FaceBox(left: 1, top: 2, right: 30, bottom: 40),
                                       landmarks: [Float](repeating: 1, count: 10),
                                       descriptor: [Float](repeating: 0.0123456789, count: 128))
        _ = try store.enroll(image("S-GONE", 1), faces: [marked])
        _ = try store.enroll(image("S-STAYS", 2), faces: [face(2)])
        let pattern = GalleryStore.encode([Float](repeating: 0.0123456789, count: 8))
        func filesHoldPattern() -> Bool {
            ["/frs.sqlite", "/frs.sqlite-wal"].contains { name in
                guard let data = FileManager.default.contents(atPath: dir + name) else { return false }
                return [UInt8](data).withUnsafeBufferPointer { bytes in
                    bytes.count >= pattern.count && (0...(bytes.count - pattern.count)).contains { i in
                        bytes[i] == pattern[0] && Array(bytes[i..<(i + pattern.count)]) == pattern
                    }
                }
            }
        }
        #expect(filesHoldPattern(), "the marked descriptor should be on disk before the removal")
        _ = try store.removeSubject("S-GONE", reason: "expunged by court order")
        #expect(!filesHoldPattern())
        #expect(try store.activeDescriptors().faceIDs.count == 1)
    }

    @Test func badRecordsAreRefusedAndChangeNothing() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var bad = face(1)
        bad.descriptor.removeLast()
        #expect(throws: GalleryStoreError.self) { try store.enroll(image("A", 1), faces: [bad]) }
        var badSHA = image("A", 1)
        badSHA.sha256 = "xyz"
        #expect(throws: GalleryStoreError.self) { try store.enroll(badSHA, faces: []) }
        #expect(try store.stats() == GalleryStats(subjects: 0, removedSubjects: 0, images: 0, faces: 0, version: 0))
    }

    @Test func schemaMigrationIsIdempotentAcrossConnections() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try store.enroll(image("A", 1), faces: [face(1)])
        let again = try GalleryStore(database: try Database(path: dir + "/frs.sqlite"))
        #expect(try again.version() == 1)
        try again.migrate()
        #expect(try again.stats().faces == 1)
    }
}

@Suite struct GalleryChangesTests {
    let helper = GalleryStoreTests()

    @Test func changesSinceAVersion() throws {
        let (store, dir) = try helper.makeStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try store.enroll(helper.image("A", 1), faces: [helper.face(1), helper.face(2)])
        _ = try store.enroll(helper.image("B", 2), faces: [helper.face(3)])
        let before = try store.activeDescriptors()
        #expect(before.version == 2)
        // Nothing changed.
        let none = try store.changes(since: 2) { _ in before.faceIDs.max() ?? 0 }
        #expect(none == GalleryChanges(version: 2, removedSubjectIDs: [], added: GalleryDescriptors(version: 2, dimension: 128)))
        // B (the largest face id) is removed, then C enrolled: SQLite may give C's face B's old id.
        _ = try store.removeSubject("B", reason: "expunged")
        _ = try store.enroll(helper.image("C", 3), faces: [helper.face(4)])
        var asked: Set<Int64>?
        let changes = try store.changes(since: 2) { removed in
            asked = removed
            var last: Int64 = 0
            for (i, face) in before.faceIDs.enumerated() where !removed.contains(before.subjectIDs[i]) { last = max(last, face) }
            return last
        }
        let after = try store.activeDescriptors()
        #expect(asked == [before.subjectIDs[2]])
        #expect(changes?.version == 4)
        #expect(changes?.removedSubjectIDs == [before.subjectIDs[2]])
        #expect(changes?.added.faceIDs == [after.faceIDs[2]])
        #expect(changes?.added.descriptors == helper.face(4).descriptor)
        #expect(changes?.added.subjectIDs == [after.subjectIDs[2]])
        // Applying the changes to `before` gives `after`.
        var rebuilt = (0..<before.faceIDs.count).filter { !(changes?.removedSubjectIDs.contains(before.subjectIDs[$0]) ?? true) }
            .map { before.faceIDs[$0] }
        rebuilt += changes?.added.faceIDs ?? []
        #expect(rebuilt == after.faceIDs)
        // A version newer than the store's: the caller must rebuild.
        #expect(try store.changes(since: 99) { _ in 0 } == nil)
    }
}

@Suite struct GalleryBatchEnrollTests {
    let helper = GalleryStoreTests()

    @Test func batchIsOneVersionAndSkipsKnownImages() throws {
        let (store, dir) = try helper.makeStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try store.enroll(helper.image("A", 1), faces: [helper.face(1)])
        let version = try store.enroll(batch: [
            (helper.image("A", 1), [helper.face(1)]),
            (helper.image("A", 2), [helper.face(2), helper.face(3)]),
            (helper.image("B", 3), [helper.face(4)]),
        ])
        #expect(version == 2)
        #expect(try store.stats() == GalleryStats(subjects: 2, removedSubjects: 0, images: 3, faces: 4, version: 2))
        #expect(try store.enroll(batch: [(helper.image("B", 3), [helper.face(4)])]) == 2)
        _ = try store.removeSubject("B", reason: "dismissed")
        #expect(throws: GalleryStoreError.self) {
            try store.enroll(batch: [(helper.image("C", 5), [helper.face(5)]), (helper.image("B", 4), [helper.face(6)])])
        }
        #expect(try store.stats().images == 2)  // the failed batch left nothing behind
    }
}
