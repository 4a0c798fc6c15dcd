@testable import Matching
import TestSupport
import Foundation
import Testing

@Suite struct GalleryCacheTests {
    func temporaryDirectory() throws -> String {
        try TemporaryDirectory.make("cache")
    }

    @Test(arguments: [0, 1, 37])
    func roundTrip(count: Int) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let reference = Reference.random(count: count, seed: 8)
        let matrix = try reference.matrix(version: 12)
        let path = try GalleryCache.write(matrix, directory: dir)
        #expect(path.hasSuffix(GalleryCache.fileName(galleryVersion: 12)))
        let loaded = try GalleryCache.load(directory: dir, galleryVersion: 12)
        #expect(loaded.galleryVersion == 12)
        #expect(loaded.rowMajorDescriptors() == reference.rows)
        #expect(loaded.faceIDs == reference.faceIDs)
        #expect(loaded.subjectIDs == reference.subjectIDs)
        let probe = Reference.probes(1, seed: 9)[0]
        #expect(try Matcher(gallery: loaded).search(probe, k: 5) == reference.search(probe, k: 5, threshold: nil))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == [GalleryCache.fileName(galleryVersion: 12)])
    }

    /// A float16 load maps the file: only the half copy, norms and ids are resident, and results
    /// (re-ranked from the mapped float32 rows) are exact, also after the file is unlinked.
    @Test(arguments: [0, 1, 37, 5_000])
    func float16LoadIsExact(count: Int) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let reference = Reference.random(count: count, seed: 18)
        try GalleryCache.write(try reference.matrix(version: 3), directory: dir)
        let loaded = try GalleryCache.load(directory: dir, galleryVersion: 3, precision: .float16)
        #expect(loaded.precision == .float16)
        #expect(loaded.storage.mapping != nil)
        let blocks = (count + 15) / 16
        #expect(loaded.residentBytes == blocks * 128 * 32 + blocks * 64 + 16 * count)
        #expect(loaded.faceIDs == reference.faceIDs)
        #expect(loaded.subjectIDs == reference.subjectIDs)
        GalleryCache.removeStale(directory: dir, keeping: 4)
        let probes = Reference.probes(5, seed: 19, near: count > 0 ? reference : nil)
        let matcher = Matcher(gallery: loaded, workers: 2)
        let many = try matcher.search(probes: probes, k: 7)
        for (i, probe) in probes.enumerated() {
            #expect(many[i] == reference.search(probe, k: 7, threshold: nil))
            #expect(try matcher.search(probe, k: 7, threshold: 1.3) == reference.search(probe, k: 7, threshold: 1.3))
        }
    }

    @Test func float16LoadDetectsDamage() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try GalleryCache.write(try Reference.random(count: 40, seed: 2).matrix(version: 1), directory: dir)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[64 + 1000] ^= 0x01
        try data.write(to: URL(fileURLWithPath: path))
        #expect { try GalleryCache.load(path: path, expectedVersion: 1, precision: .float16) } throws: {
            ($0 as? GalleryCacheError)?.code == .checksumMismatch
        }
    }

    @Test func anotherVersionIsNotLoaded() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try GalleryCache.write(try Reference.random(count: 5, seed: 1).matrix(version: 3), directory: dir)
        // The gallery changed (an enroll or a removal): version 4 has no cache yet.
        #expect { try GalleryCache.load(directory: dir, galleryVersion: 4) } throws: {
            ($0 as? GalleryCacheError)?.code == .notFound
        }
        // A file renamed to pretend to be another version is caught by its header.
        #expect { try GalleryCache.load(path: path, expectedVersion: 4) } throws: {
            ($0 as? GalleryCacheError)?.code == .versionMismatch
        }
        GalleryCache.removeStale(directory: dir, keeping: 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func damageIsDetected() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try GalleryCache.write(try Reference.random(count: 40, seed: 2).matrix(version: 1), directory: dir)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))

        func expectCode(_ data: Data, _ code: GalleryCacheError.Code, _ note: String) throws {
            try data.write(to: URL(fileURLWithPath: path))
            var caught: GalleryCacheError.Code?
            do {
                _ = try GalleryCache.load(path: path, expectedVersion: 1)
            } catch {
                caught = error.code
            }
            #expect(caught == code, Comment(rawValue: note))
        }
        var flipped = original
        flipped[64 + 1000] ^= 0x01
        try expectCode(flipped, .checksumMismatch, "a flipped bit in the panels")
        flipped = original
        flipped[original.count - 3] ^= 0x80
        try expectCode(flipped, .checksumMismatch, "a flipped bit in the subject ids")
        try expectCode(original.prefix(original.count - 8), .truncated, "a truncated file")
        try expectCode(original.prefix(20), .truncated, "a file shorter than its header")
        try expectCode(original + Data([0]), .truncated, "a longer file")
        var header = original
        header[24] ^= 0x01
        try expectCode(header, .corruptHeader, "a changed row count")
        var magic = original
        magic[0] = 0x41
        try expectCode(magic, .badMagic, "another kind of file")
    }
}

@Suite struct GalleryCacheBackgroundTests {
    @Test func backgroundWriteKeepsNewestAndLoads() throws {
        let dir = try TemporaryDirectory.make("cache")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let reference = Reference.random(count: 50, seed: 5)
        try GalleryCache.write(try reference.matrix(version: 9), directory: dir)  // a newer version: kept
        for version in [3, 4, 5] as [Int64] {
            GalleryCache.writeInBackground(try reference.matrix(version: version), directory: dir)
        }
        GalleryCache.waitForBackgroundWrites()
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        #expect(names.contains(GalleryCache.fileName(galleryVersion: 5)))
        #expect(names.contains(GalleryCache.fileName(galleryVersion: 9)))
        #expect(!names.contains(GalleryCache.fileName(galleryVersion: 3)))
        #expect(try GalleryCache.load(directory: dir, galleryVersion: 5).faceIDs == reference.faceIDs)
    }
}
