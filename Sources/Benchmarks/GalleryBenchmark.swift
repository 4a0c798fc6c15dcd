import Basics
import FaceSearch
import Foundation
import Matching
import Store
import SystemCalls

/// The gallery at scale, in the real store, through the daemon's own loader
/// (`FaceSearcher.loadMatcher`): `frs bench gallery`.
///
/// Builds (or reuses) a SQLite gallery of `faces` synthetic faces in `directory` (one face an image,
/// three images a subject, random unit descriptors, batched transactions), then times: rebuilding
/// the matrix from the database (and writing its cache file), a cold start from the cache file
/// (evicted from the page cache first), enrolling one more face and removing a subject until the
/// searcher's matrix has the new version and a search shows it (the new face found first; no face
/// of the removed subject in the 50 nearest of its own descriptors), and the background cache
/// write. Reports database size and resident memory. The result line is JSON.
public struct GalleryBenchmark: Sendable {
    /// Faces to enroll when the directory has no gallery yet.
    public var faces: Int
    /// Where the database (frs.sqlite) and the cache directory (cache/) go.
    public var directory: String
    /// Delete the directory's database and cache first.
    public var fresh: Bool

    /// The generator's seed for the gallery's descriptors (``ScanBenchmark`` regenerates the first ones).
    public static let seed: UInt64 = 0x6A11_E7

    public init(faces: Int, directory: String, fresh: Bool) {
        self.faces = faces
        self.directory = directory
        self.fresh = fresh
    }

    var databasePath: String { directory + "/frs.sqlite" }
    var cacheDirectory: String { directory + "/cache" }

    /// The timings measured so far, in order: each a result-line key and a note.
    struct Timings {
        let output: BenchmarkOutput
        var fields: [(key: String, value: String)] = []

        mutating func record(_ key: String, _ seconds: Double, _ note: String) {
            fields.append((key, String(format: "%.4f", seconds)))
            output.note(String(format: "%@: %.3f s", note, seconds))
        }
    }

    /// Runs the six steps; `.failed` when a search did not show an enrollment or a removal, or the
    /// cache file written in the background differs from the matrix.
    public func run(_ output: BenchmarkOutput) throws -> BenchmarkVerdict {
        let fm = FileManager.default
        if fresh {
            for name in ["frs.sqlite", "frs.sqlite-wal", "frs.sqlite-shm"] { try? fm.removeItem(atPath: directory + "/" + name) }
            try? fm.removeItem(atPath: cacheDirectory)
        }
        try fm.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let store = try GalleryStore(database: try Database(path: databasePath))
        var timings = Timings(output: output)

        let databaseBytes = try buildDatabase(store, &timings)
        let built = try rebuildMatrix(store, &timings)
        let loaded = try startFromCache(store, version: built.galleryVersion, &timings)
        let rssLoaded = BenchmarkClock.memory("VmRSS")
        output.note("resident memory with the matrix loaded: \(rssLoaded / 1024) MiB (matrix \(loaded.gallery.residentBytes / 1_048_576) MiB)")
        guard let enrolled = try enrollUntilFound(store, matcher: loaded, &timings) else { return .failed }
        var failures = 0
        guard let matcher = try removeUntilGone(store, matcher: enrolled.matcher, alsoSearch: enrolled.descriptor, &timings,
                                                failures: &failures)
        else { return .failed }
        try restartFromUpdatedCache(store, matcher: matcher, &timings, failures: &failures)
        let rss = BenchmarkClock.memory("VmRSS"), peak = BenchmarkClock.memory("VmHWM")
        output.note("resident memory: \(rss / 1024) MiB now, \(peak / 1024) MiB at the peak")

        var line = "{\"faces\":\(matcher.gallery.count),\"database_bytes\":\(databaseBytes)"
        for (key, value) in timings.fields { line += ",\"\(key)\":\(value)" }
        line += ",\"matrix_resident_bytes\":\(matcher.gallery.residentBytes),\"rss_loaded_kib\":\(rssLoaded)"
        line += ",\"rss_kib\":\(rss),\"rss_peak_kib\":\(peak),\"failures\":\(failures)}"
        output.result(line)
        return failures == 0 ? .passed : .failed
    }

    /// 1. The database: enrolls the faces when it has none (timed), else reuses it. Returns its
    /// size in bytes, write-ahead log included.
    func buildDatabase(_ store: GalleryStore, _ timings: inout Timings) throws -> Int {
        let output = timings.output
        let start = BenchmarkClock.now()
        var stats = try store.stats()
        if stats.faces == 0 {
            var random = RandomDescriptors(seed: Self.seed)
            let batch = 20_000
            var done = 0
            while done < faces {
                let n = min(batch, faces - done)
                _ = try store.enroll(batch: Self.syntheticFaces(first: done, descriptors: random.unitVectors(count: n, dimension: 128)))
                done += n
                if done % 200_000 == 0 || done == faces {
                    output.note(String(format: "enrolled %d faces (%.0f faces/s)", done, Double(done) / (BenchmarkClock.now() - start)))
                }
            }
            timings.record("build_seconds", BenchmarkClock.now() - start, "built the database")
            stats = try store.stats()
        } else {
            output.note("reusing the gallery in \(databasePath): \(stats.faces) faces")
        }
        let fm = FileManager.default
        let databaseBytes = ["", "-wal", "-shm"].reduce(0) { sum, suffix in
            sum + ((try? fm.attributesOfItem(atPath: databasePath + suffix)[.size] as? Int) ?? 0)
        }
        output.note("database: \(databaseBytes) bytes (\(stats.faces) faces, \(stats.subjects) subjects)")
        return databaseBytes
    }

    /// Images of one face each, numbered from `first`, three to a subject, with the given
    /// descriptors (128 floats each).
    static func syntheticFaces(first: Int, descriptors: [Float]) -> [(image: GalleryImageRecord, faces: [GalleryFaceRecord])] {
        (0..<(descriptors.count / 128)).map { i in
            let index = first + i
            let image = GalleryImageRecord(
                subject: "S-\(index / 3)", path: "/gallery/\(index).jpg",
                sha256: String(format: "%064x", index + 1), source: "bench")
            let face = GalleryFaceRecord(
                box: FaceBox(left: 10, top: 10, right: 110, bottom: 110), landmarks: [Float](repeating: 50, count: 10),
                descriptor: Array(descriptors[(i * 128)..<((i + 1) * 128)]))
            return (image, [face])
        }
    }

    /// 2. Rebuilds the matrix from the database (what a start without a cache file does), and
    /// writes its cache file, each timed.
    func rebuildMatrix(_ store: GalleryStore, _ timings: inout Timings) throws -> GalleryMatrix {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: cacheDirectory)) ?? [] { try? fm.removeItem(atPath: cacheDirectory + "/" + name) }
        var start = BenchmarkClock.now()
        let rows = try store.activeDescriptors()
        let read = BenchmarkClock.now() - start
        let built = try GalleryMatrix(dimension: rows.dimension, galleryVersion: rows.version, descriptors: rows.descriptors,
                                      faceIDs: rows.faceIDs, subjectIDs: rows.subjectIDs)
        timings.record("rebuild_seconds", BenchmarkClock.now() - start, String(format: "rebuilt the matrix from the database (reading %.3f s)", read))
        start = BenchmarkClock.now()
        try GalleryCache.write(built, directory: cacheDirectory)
        timings.record("cache_write_seconds", BenchmarkClock.now() - start, "wrote the cache file (fsync included)")
        return built
    }

    /// 3. A cold start from the cache file (evicted from the page cache first), then a warm one.
    func startFromCache(_ store: GalleryStore, version: Int64, _ timings: inout Timings) throws -> Matcher {
        let cachePath = cacheDirectory + "/" + GalleryCache.fileName(galleryVersion: version)
        let evicted = Self.evict(cachePath)
        var start = BenchmarkClock.now()
        let cold = try FaceSearcher.loadMatcher(store: store, cacheDirectory: cacheDirectory)
        timings.record("cold_start_seconds", BenchmarkClock.now() - start,
                       "cold start: loaded the cache file\(evicted ? " (evicted from the page cache)" : " (could not evict it)")")
        start = BenchmarkClock.now()
        let matcher = try FaceSearcher.loadMatcher(store: store, cacheDirectory: cacheDirectory)
        timings.record("warm_start_seconds", BenchmarkClock.now() - start, "warm start (file in the page cache)")
        withExtendedLifetime(cold) {}  // the cold copy lives through the warm load: the reported peak memory counts both
        return matcher
    }

    /// 4. Enrolls one more face and updates the matrix until a search finds it first. Returns the
    /// updated matcher and the face's descriptor, or `nil` (after a note) when the search did not.
    func enrollUntilFound(_ store: GalleryStore, matcher previous: Matcher,
                          _ timings: inout Timings) throws -> (matcher: Matcher, descriptor: [Float])? {
        var random = RandomDescriptors(seed: UInt64(Date().timeIntervalSince1970 * 1000))
        let descriptor = random.unitVectors(count: 1, dimension: 128)
        let tag = Int(Date().timeIntervalSince1970 * 1000)
        let start = BenchmarkClock.now()
        let cpuEnroll = BenchmarkClock.cpuSeconds()
        let outcome = try store.enroll(
            GalleryImageRecord(subject: "NEW-\(tag)", path: "/gallery/new-\(tag).jpg", sha256: String(format: "%064x", tag), source: "bench"),
            faces: [GalleryFaceRecord(box: FaceBox(left: 0, top: 0, right: 99, bottom: 99), landmarks: [Float](repeating: 1, count: 10), descriptor: descriptor)])
        let enrolled = BenchmarkClock.now()
        let matcher = try FaceSearcher.loadMatcher(store: store, cacheDirectory: cacheDirectory, previous: previous.gallery)
        let updated = BenchmarkClock.now()
        let enrollCPU = BenchmarkClock.cpuSeconds() - cpuEnroll
        let found = try matcher.search(descriptor, k: 10)
        let searched = BenchmarkClock.now()
        guard case .enrolled(_, let newFaces, let newVersion) = outcome, matcher.gallery.galleryVersion == newVersion,
              found.first?.faceID == newFaces.first
        else {
            timings.output.note("FAIL: the enrolled face is not the first match of its own descriptor: \(found.prefix(2))")
            return nil
        }
        timings.record("enroll_commit_seconds", enrolled - start, "enroll: commit")
        timings.record("enroll_update_seconds", updated - enrolled, "enroll: matrix updated to the new version")
        timings.record("enroll_and_update_cpu_seconds", enrollCPU, "enroll: CPU time of commit and update (all threads; load-independent)")
        timings.record("enroll_to_search_seconds", searched - start, "enroll: from the start of the enroll to a search that finds the face")
        return (matcher, descriptor)
    }

    /// 5. Removes the subject of the middle row and updates the matrix until searches (one probe,
    /// and a batch with `alsoSearch`) no longer return it; a search that still does is a failure.
    /// Returns the updated matcher, or `nil` (after a note) when the row's subject has no name.
    func removeUntilGone(_ store: GalleryStore, matcher previous: Matcher, alsoSearch descriptor: [Float],
                         _ timings: inout Timings, failures: inout Int) throws -> Matcher? {
        let output = timings.output
        let victimRow = previous.gallery.count / 2
        let victimSubject = previous.gallery.subjectIDs[victimRow]
        let victimProbe = previous.gallery.row(victimRow)
        guard let name = try store.faces(ids: [previous.gallery.faceIDs[victimRow]]).first?.value.subject else {
            output.note("FAIL: no subject name for row \(victimRow)")
            return nil
        }
        let before = try previous.search(victimProbe, k: 50)
        let start = BenchmarkClock.now()
        let cpuRemove = BenchmarkClock.cpuSeconds()
        let removal = try store.removeSubject(name, reason: "bench: expunged")
        let removed = BenchmarkClock.now()
        let matcher = try FaceSearcher.loadMatcher(store: store, cacheDirectory: cacheDirectory, previous: previous.gallery)
        let updated = BenchmarkClock.now()
        let removeCPU = BenchmarkClock.cpuSeconds() - cpuRemove
        let after = try matcher.search(victimProbe, k: 50)
        let many = try matcher.search(probes: [victimProbe, descriptor], k: 50)
        let searched = BenchmarkClock.now()
        let leaked = (after + many.flatMap { $0 }).filter { $0.subjectID == victimSubject }
        if before.first?.subjectID != victimSubject || !leaked.isEmpty || matcher.gallery.galleryVersion != removal.version {
            output.note("FAIL: subject \(name) (\(removal.faces) faces) still returned after its removal: \(leaked.prefix(3))")
            failures += 1
        } else {
            output.note("removed subject \(name) (\(removal.faces) faces): absent from the 50 nearest of its own descriptor")
        }
        timings.record("remove_commit_seconds", removed - start, "remove: commit")
        timings.record("remove_update_seconds", updated - removed, "remove: matrix updated to the new version")
        timings.record("remove_and_update_cpu_seconds", removeCPU, "remove: CPU time of commit and update (all threads, the background cache writer included)")
        timings.record("remove_to_search_seconds", searched - start, "remove: from the start of the removal to searches without it")
        return matcher
    }

    /// 6. Waits for the background cache write, then loads the newest version from it as a restart
    /// would, and checks it holds the matcher's faces.
    func restartFromUpdatedCache(_ store: GalleryStore, matcher: Matcher, _ timings: inout Timings, failures: inout Int) throws {
        var start = BenchmarkClock.now()
        GalleryCache.waitForBackgroundWrites()
        timings.record("background_cache_write_wait_seconds", BenchmarkClock.now() - start, "waited for the background cache write")
        start = BenchmarkClock.now()
        let restarted = try GalleryCache.load(directory: cacheDirectory, galleryVersion: try store.version())
        timings.record("restart_from_updated_cache_seconds", BenchmarkClock.now() - start, "a restart loads the updated version's cache file")
        if restarted.faceIDs != matcher.gallery.faceIDs {
            timings.output.note("FAIL: the cached matrix differs from the updated one")
            failures += 1
        }
    }

    /// Drops a file's pages from the page cache (`posix_fadvise(DONTNEED)` after `fsync`), so the
    /// next read comes from the disk. Returns false if that failed.
    static func evict(_ path: String) -> Bool {
        guard let fd = try? FileDescriptor.open(path, flags: O_RDONLY) else { return false }
        defer { fd.closeIgnoringErrors() }
        try? fd.sync()
        return (try? fd.evictFromPageCache()) != nil
    }
}
