import Dispatch
import Foundation
import Basics
import FaceSearch
import Matching
import Store
import SystemCalls

/// `frs bench gallery --faces N --dir DIR`: the gallery at scale, in the real store, through the
/// daemon's own loader (`FaceSearcher.loadMatcher`).
///
/// Builds (or reuses) a SQLite gallery of `N` synthetic faces in `DIR` (one face an image, three
/// images a subject, random unit descriptors, batched transactions), then times: rebuilding the
/// matrix from the database (and writing its cache file), a cold start from the cache file (evicted
/// from the page cache first), enrolling one more face and removing a subject until the searcher's
/// matrix has the new version and a search shows it (the new face found first; no face of the
/// removed subject in the 50 nearest of its own descriptors), and the background cache write.
/// Reports database size and resident memory. The last line is JSON.
struct BenchGalleryCommand: Subcommand {
    static let words = ["bench", "gallery"]
    static let abstract = "gallery at scale in SQLite: build, rebuild, cold start, enroll/remove to search; last line JSON"
    static let usage = "bench gallery --faces N --dir DIR [--fresh]"
    static let help = """
          --faces N   faces in the gallery (1 to 20,000,000); an existing gallery in DIR with at
                      least one face is reused as it is unless --fresh
          --dir DIR   where the database (frs.sqlite) and the cache directory (cache/) go
          --fresh     delete DIR's database and cache first
        """

    var faces: Int
    var directory: String
    var fresh: Bool

    init(arguments: inout ArgumentList) throws(UsageError) {
        guard let faces = try arguments.int("--faces", in: 1...20_000_000) else { throw UsageError("missing --faces") }
        self.faces = faces
        directory = try arguments.required("--dir")
        fresh = arguments.flag("--fresh")
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let fm = FileManager.default
        let databasePath = directory + "/frs.sqlite"
        let cacheDirectory = directory + "/cache"
        if fresh {
            for name in ["frs.sqlite", "frs.sqlite-wal", "frs.sqlite-shm"] { try? fm.removeItem(atPath: directory + "/" + name) }
            try? fm.removeItem(atPath: cacheDirectory)
        }
        try fm.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let store = try GalleryStore(database: try Database(path: databasePath))
        var json: [(String, String)] = []
        func record(_ key: String, _ seconds: Double, _ note: String) {
            json.append((key, String(format: "%.4f", seconds)))
            context.err(String(format: "%@: %.3f s", note, seconds))
        }

        // 1. The database.
        var start = Self.now()
        var stats = try store.stats()
        if stats.faces == 0 {
            var random = RandomDescriptors(seed: Self.seed)
            let batch = 20_000
            var done = 0
            while done < faces {
                let n = min(batch, faces - done)
                let descriptors = random.unitVectors(count: n, dimension: 128)
                let items = (0..<n).map { i -> (image: GalleryImageRecord, faces: [GalleryFaceRecord]) in
                    let index = done + i
                    let image = GalleryImageRecord(
                        subject: "S-\(index / 3)", path: "/gallery/\(index).jpg",
                        sha256: String(format: "%064x", index + 1), source: "bench")
                    let face = GalleryFaceRecord(
                        box: FaceBox(left: 10, top: 10, right: 110, bottom: 110), landmarks: [Float](repeating: 50, count: 10),
                        descriptor: Array(descriptors[(i * 128)..<((i + 1) * 128)]))
                    return (image, [face])
                }
                _ = try store.enroll(batch: items)
                done += n
                if done % 200_000 == 0 || done == faces {
                    context.err(String(format: "enrolled %d faces (%.0f faces/s)", done, Double(done) / (Self.now() - start)))
                }
            }
            record("build_seconds", Self.now() - start, "built the database")
            stats = try store.stats()
        } else {
            context.err("reusing the gallery in \(databasePath): \(stats.faces) faces")
        }
        let databaseBytes = ["", "-wal", "-shm"].reduce(0) { sum, suffix in
            sum + ((try? fm.attributesOfItem(atPath: databasePath + suffix)[.size] as? Int) ?? 0)
        }
        context.err("database: \(databaseBytes) bytes (\(stats.faces) faces, \(stats.subjects) subjects)")

        // 2. Rebuild from the database (what a start without a cache file does), cache write included.
        for name in (try? fm.contentsOfDirectory(atPath: cacheDirectory)) ?? [] { try? fm.removeItem(atPath: cacheDirectory + "/" + name) }
        start = Self.now()
        let rows = try store.activeDescriptors()
        let read = Self.now() - start
        let built = try GalleryMatrix(dimension: rows.dimension, galleryVersion: rows.version, descriptors: rows.descriptors,
                                      faceIDs: rows.faceIDs, subjectIDs: rows.subjectIDs)
        record("rebuild_seconds", Self.now() - start, String(format: "rebuilt the matrix from the database (reading %.3f s)", read))
        _ = built
        start = Self.now()
        try GalleryCache.write(built, directory: cacheDirectory)
        record("cache_write_seconds", Self.now() - start, "wrote the cache file (fsync included)")

        // 3. Cold start from the cache file: evicted from the page cache first.
        let cachePath = cacheDirectory + "/" + GalleryCache.fileName(galleryVersion: built.galleryVersion)
        let evicted = Self.evict(cachePath)
        start = Self.now()
        var matcher = try FaceSearcher.loadMatcher(store: store, cacheDirectory: cacheDirectory)
        record("cold_start_seconds", Self.now() - start,
               "cold start: loaded the cache file\(evicted ? " (evicted from the page cache)" : " (could not evict it)")")
        start = Self.now()
        matcher = try FaceSearcher.loadMatcher(store: store, cacheDirectory: cacheDirectory)
        record("warm_start_seconds", Self.now() - start, "warm start (file in the page cache)")
        let rssLoaded = Self.memory("VmRSS")
        context.err("resident memory with the matrix loaded: \(rssLoaded / 1024) MiB (matrix \(matcher.gallery.residentBytes / 1_048_576) MiB)")

        // 4. Enroll one more face, until a search finds it.
        var failures = 0
        var random = RandomDescriptors(seed: UInt64(Date().timeIntervalSince1970 * 1000))
        let descriptor = random.unitVectors(count: 1, dimension: 128)
        let tag = Int(Date().timeIntervalSince1970 * 1000)
        start = Self.now()
        let cpuEnroll = BenchMatchCommand.cpuSeconds()
        let outcome = try store.enroll(
            GalleryImageRecord(subject: "NEW-\(tag)", path: "/gallery/new-\(tag).jpg", sha256: String(format: "%064x", tag), source: "bench"),
            faces: [GalleryFaceRecord(box: FaceBox(left: 0, top: 0, right: 99, bottom: 99), landmarks: [Float](repeating: 1, count: 10), descriptor: descriptor)])
        let enrolled = Self.now()
        matcher = try FaceSearcher.loadMatcher(store: store, cacheDirectory: cacheDirectory, previous: matcher.gallery)
        let updated = Self.now()
        let enrollCPU = BenchMatchCommand.cpuSeconds() - cpuEnroll
        let found = try matcher.search(descriptor, k: 10)
        let searched = Self.now()
        guard case .enrolled(_, let newFaces, let newVersion) = outcome, matcher.gallery.galleryVersion == newVersion,
              found.first?.faceID == newFaces.first
        else {
            context.err("FAIL: the enrolled face is not the first match of its own descriptor: \(found.prefix(2))")
            return 1
        }
        record("enroll_commit_seconds", enrolled - start, "enroll: commit")
        record("enroll_update_seconds", updated - enrolled, "enroll: matrix updated to the new version")
        record("enroll_and_update_cpu_seconds", enrollCPU, "enroll: CPU time of commit and update (all threads; load-independent)")
        record("enroll_to_search_seconds", searched - start, "enroll: from the start of the enroll to a search that finds the face")

        // 5. Remove a subject, until searches no longer return it.
        let victimRow = matcher.gallery.count / 2
        let victimSubject = matcher.gallery.subjectIDs[victimRow]
        let victimProbe = matcher.gallery.row(victimRow)
        guard let name = try store.faces(ids: [matcher.gallery.faceIDs[victimRow]]).first?.value.subject else {
            context.err("FAIL: no subject name for row \(victimRow)")
            return 1
        }
        let before = try matcher.search(victimProbe, k: 50)
        start = Self.now()
        let cpuRemove = BenchMatchCommand.cpuSeconds()
        let removal = try store.removeSubject(name, reason: "bench: expunged")
        let removed = Self.now()
        matcher = try FaceSearcher.loadMatcher(store: store, cacheDirectory: cacheDirectory, previous: matcher.gallery)
        let updatedAfterRemoval = Self.now()
        let removeCPU = BenchMatchCommand.cpuSeconds() - cpuRemove
        let after = try matcher.search(victimProbe, k: 50)
        let many = try matcher.search(probes: [victimProbe, descriptor], k: 50)
        let searchedAfterRemoval = Self.now()
        let leaked = (after + many.flatMap { $0 }).filter { $0.subjectID == victimSubject }
        if before.first?.subjectID != victimSubject || !leaked.isEmpty || matcher.gallery.galleryVersion != removal.version {
            context.err("FAIL: subject \(name) (\(removal.faces) faces) still returned after its removal: \(leaked.prefix(3))")
            failures += 1
        } else {
            context.err("removed subject \(name) (\(removal.faces) faces): absent from the 50 nearest of its own descriptor")
        }
        record("remove_commit_seconds", removed - start, "remove: commit")
        record("remove_update_seconds", updatedAfterRemoval - removed, "remove: matrix updated to the new version")
        record("remove_and_update_cpu_seconds", removeCPU, "remove: CPU time of commit and update (all threads, the background cache writer included)")
        record("remove_to_search_seconds", searchedAfterRemoval - start, "remove: from the start of the removal to searches without it")

        // 6. The background cache write, then a restart loads the newest version from it.
        start = Self.now()
        GalleryCache.waitForBackgroundWrites()
        record("background_cache_write_wait_seconds", Self.now() - start, "waited for the background cache write")
        start = Self.now()
        let restarted = try GalleryCache.load(directory: cacheDirectory, galleryVersion: try store.version())
        record("restart_from_updated_cache_seconds", Self.now() - start, "a restart loads the updated version's cache file")
        if restarted.faceIDs != matcher.gallery.faceIDs {
            context.err("FAIL: the cached matrix differs from the updated one")
            failures += 1
        }
        let rss = Self.memory("VmRSS"), peak = Self.memory("VmHWM")
        context.err("resident memory: \(rss / 1024) MiB now, \(peak / 1024) MiB at the peak")

        var line = "{\"faces\":\(matcher.gallery.count),\"database_bytes\":\(databaseBytes)"
        for (key, value) in json { line += ",\"\(key)\":\(value)" }
        line += ",\"matrix_resident_bytes\":\(matcher.gallery.residentBytes),\"rss_loaded_kib\":\(rssLoaded)"
        line += ",\"rss_kib\":\(rss),\"rss_peak_kib\":\(peak),\"failures\":\(failures)}"
        context.out(line)
        return failures == 0 ? 0 : 1
    }

    /// Drops a file's pages from the page cache (`posix_fadvise(DONTNEED)` after `fsync`), so the
    /// next read comes from the disk. Returns false if that failed.
    static func evict(_ path: String) -> Bool {
        guard let fd = try? FileDescriptor.open(path, flags: O_RDONLY) else { return false }
        defer { fd.closeIgnoringErrors() }
        try? fd.sync()
        return (try? fd.evictFromPageCache()) != nil
    }

    /// A memory figure of this process from /proc/self/status, in KiB (0 if unavailable).
    static func memory(_ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    /// The generator's seed for the gallery's descriptors (`frs bench scan` regenerates the first ones).
    static let seed: UInt64 = 0x6A11_E7

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
