import Foundation
#if canImport(Glibc)
import Glibc
import SystemCalls
#endif

/// The gallery matrix on disk, so a daemon starts without re-reading every descriptor from SQLite.
///
/// One file per gallery version (``fileName(galleryVersion:)``), written to a temporary name,
/// fsynced and renamed into place (then the directory fsynced), so a reader sees either no file or
/// a whole one. Loading reads it in one pass straight into the matrix's memory, then checks it.
///
/// ## Format (all integers little-endian)
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | magic `FRSGALLY` |
/// | 8 | 4 | format version (1) |
/// | 12 | 4 | dimension |
/// | 16 | 8 | gallery version |
/// | 24 | 8 | rows |
/// | 32 | 4 | rows per block (16) |
/// | 36 | 4 | zero |
/// | 40 | 8 | payload checksum |
/// | 48 | 8 | header checksum (of bytes 0..<48) |
/// | 56 | 8 | zero |
/// | 64 | blocks x dim x 64 | panels (``MatchKernel``'s layout, float32) |
/// | … | blocks x 64 | squared norms (float32, padding rows +infinity) |
/// | … | rows x 8 | face ids (Int64) |
/// | … | rows x 8 | subject ids (Int64) |
///
/// The file's size must be exactly that. The checksum is a Fletcher-style sum over 64-bit words in
/// four lanes: it catches truncation, bit rot and misplaced blocks (it is not a defence against
/// deliberate tampering; the cache holds nothing that the database does not).
public enum GalleryCache {
    /// The file name for a gallery version.
    public static func fileName(galleryVersion: Int64) -> String { "gallery-\(galleryVersion).matrix" }

    static let magic: [UInt8] = Array("FRSGALLY".utf8)
    static let formatVersion: UInt32 = 1
    static let headerSize = 64

    /// Writes `matrix` as `directory/fileName(galleryVersion: matrix.galleryVersion)`, atomically.
    ///
    /// - Returns: the file's path.
    /// - Throws: ``GalleryCacheError`` (`.io`) when a system call fails; no partial file is left
    ///   under the final name.
    /// - Complexity: O(rows x dimension) bytes written.
    @discardableResult
    public static func write(_ matrix: GalleryMatrix, directory: String) throws(GalleryCacheError) -> String {
        let path = directory + "/" + fileName(galleryVersion: matrix.galleryVersion)
        let temporary = path + ".tmp-\(getpid())"
        let storage = matrix.storage
        var checksum = Checksum()
        let panelBytes = storage.panelBytes
        let normBytes = storage.normBytes
        checksum.update(UnsafeRawBufferPointer(start: storage.panels, count: panelBytes))
        checksum.update(UnsafeRawBufferPointer(start: storage.norms, count: normBytes))
        matrix.faceIDs.withUnsafeBytes { checksum.update($0) }
        matrix.subjectIDs.withUnsafeBytes { checksum.update($0) }

        var header = [UInt8](repeating: 0, count: headerSize)
        header.replaceSubrange(0..<8, with: magic)
        put(&header, 8, UInt64(formatVersion) | UInt64(UInt32(matrix.dimension)) << 32)
        put(&header, 16, UInt64(bitPattern: matrix.galleryVersion))
        put(&header, 24, UInt64(matrix.count))
        put(&header, 32, UInt64(MatchKernel.lanes))
        put(&header, 40, checksum.value)
        put(&header, 48, headerChecksum(header))

        do {
            // Through the one libc layer: root's cache in a service's spool is the service's.
            let fd = try FileDescriptor.open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
            do {
                try fd.writeAll(header)
                try fd.writeAll(UnsafeRawBufferPointer(start: storage.panels, count: panelBytes))
                try fd.writeAll(UnsafeRawBufferPointer(start: storage.norms, count: normBytes))
                try matrix.faceIDs.withUnsafeBytes { try fd.writeAll($0) }
                try matrix.subjectIDs.withUnsafeBytes { try fd.writeAll($0) }
                try fd.sync()
                try fd.close()
            } catch {
                fd.closeIgnoringErrors()
                throw error
            }
            try DurableFile.rename(temporary, to: path)
        } catch {
            try? DurableFile.remove(temporary)
            throw .init(.io, "\(error)", path: temporary)
        }
        return path
    }

    /// Loads the cache file of `galleryVersion` from `directory`.
    ///
    /// - Throws: ``GalleryCacheError``: `.notFound` when there is no file for that version (build
    ///   the matrix from the store and ``write(_:directory:)`` it), or a code saying how the file is
    ///   damaged or of another version.
    /// - Complexity: one read of the file and one checksum pass.
    public static func load(
        directory: String, galleryVersion: Int64, precision: ScanPrecision = .float32
    ) throws(GalleryCacheError) -> GalleryMatrix {
        try load(
            path: directory + "/" + fileName(galleryVersion: galleryVersion), expectedVersion: galleryVersion,
            precision: precision)
    }

    /// Loads a cache file, checking that it holds `expectedVersion` (nil: any version).
    ///
    /// With a compact `precision` (``ScanPrecision/float16``) the file is mapped read-only: the
    /// float32 panels are checksummed and converted to the scan copy block range by block range
    /// (each range dropped from this process's memory after), and stay in the file for the
    /// re-rank, so the matrix keeps only the compact copy, norms and ids resident. The mapping stays valid
    /// after the file is unlinked (``removeStale(directory:keeping:)``); cache files are never
    /// rewritten in place (each version is a new file renamed into a private directory).
    public static func load(
        path: String, expectedVersion: Int64?, precision: ScanPrecision = .float32
    ) throws(GalleryCacheError) -> GalleryMatrix {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(path, flags: O_RDONLY)
        } catch where error.errno == ENOENT {
            throw .init(.notFound, "no cache file", path: path)
        } catch {
            throw .init(.io, "cannot open: \(error)", path: path)
        }
        defer { fd.closeIgnoringErrors() }
        var header = [UInt8](repeating: 0, count: headerSize)
        let got: Int
        do {
            got = try header.withUnsafeMutableBytes { try fd.read(into: $0) }
        } catch {
            throw .init(.io, "read: \(error)", path: path)
        }
        guard got == headerSize else { throw .init(.truncated, "file shorter than its header", path: path) }
        guard Array(header[0..<8]) == magic else { throw .init(.badMagic, "not a gallery cache file", path: path) }
        guard get(header, 48) == headerChecksum(header) else {
            throw .init(.corruptHeader, "header checksum mismatch", path: path)
        }
        let word = get(header, 8)
        let format = UInt32(truncatingIfNeeded: word)
        let dimension = Int(UInt32(truncatingIfNeeded: word >> 32))
        guard format == formatVersion, get(header, 32) == UInt64(MatchKernel.lanes) else {
            throw .init(.unsupportedFormat, "format \(format) with \(get(header, 32)) rows per block is not supported", path: path)
        }
        let version = Int64(bitPattern: get(header, 16))
        if let expectedVersion, version != expectedVersion {
            throw .init(.versionMismatch, "holds gallery version \(version), not \(expectedVersion)", path: path)
        }
        let rows = get(header, 24)
        guard dimension > 0, dimension % 4 == 0, dimension <= 65_536, rows <= 1 << 36 else {
            throw .init(.corruptHeader, "implausible dimension \(dimension) or row count \(rows)", path: path)
        }
        let count = Int(rows)
        let lanes = MatchKernel.lanes
        let blocks = (count + lanes - 1) / lanes
        let storage = PanelStorage(uninitializedBlocks: blocks, dim: dimension)
        let expectedSize = headerSize + storage.panelBytes + storage.normBytes + 16 * count
        let size: Int64
        do { size = try fd.status().size } catch { throw .init(.io, "fstat: \(error)", path: path) }
        guard Int(size) == expectedSize else {
            throw .init(.truncated, "file has \(size) bytes, its header says \(expectedSize)", path: path)
        }
        if let maker = precision.copyMaker {
            return try loadMapped(
                fd: fd, path: path, header: header, dimension: dimension, version: version, count: count,
                fileSize: expectedSize, maker: maker)
        }
        var checksum = Checksum()
        for region in [
            UnsafeMutableRawBufferPointer(start: storage.panels, count: storage.panelBytes),
            UnsafeMutableRawBufferPointer(start: storage.norms, count: storage.normBytes),
        ] {
            let got: Int
            do { got = try fd.read(into: region) } catch { throw .init(.io, "read: \(error)", path: path) }
            guard got == region.count else { throw .init(.truncated, "file ended early", path: path) }
            checksum.update(UnsafeRawBufferPointer(region))
        }
        var ids: [[Int64]] = []
        for _ in 0..<2 {
            var got: Int?
            let column = [Int64](unsafeUninitializedCapacity: count) { buffer, initialized in
                let raw = UnsafeMutableRawBufferPointer(buffer)
                got = try? fd.read(into: raw)
                if got != raw.count { raw.initializeMemory(as: UInt8.self, repeating: 0) }
                initialized = count
            }
            guard let got else { throw .init(.io, "read failed", path: path) }
            guard got == count * 8 else { throw .init(.truncated, "file ended early", path: path) }
            column.withUnsafeBytes { checksum.update($0) }
            ids.append(column)
        }
        guard checksum.value == get(header, 40) else {
            throw .init(.checksumMismatch, "payload checksum mismatch: the file is damaged", path: path)
        }
        // Padding rows must have +infinity norms so no kernel ever selects them.
        let norms = storage.normFloats
        for row in count..<(blocks * lanes) where norms[row] != .infinity {
            throw .init(.corruptHeader, "padding row \(row) has a finite norm", path: path)
        }
        return GalleryMatrix(
            dimension: dimension, galleryVersion: version, faceIDs: ids[0], subjectIDs: ids[1], storage: storage)
    }

    /// The load of a compact precision: see ``load(path:expectedVersion:precision:)``.
    private static func loadMapped(
        fd: FileDescriptor, path: String, header: [UInt8], dimension: Int, version: Int64, count: Int, fileSize: Int,
        maker: any ScanCopyMaker.Type
    ) throws(GalleryCacheError) -> GalleryMatrix {
        let file: MappedFile
        do { file = try MappedFile(fd, length: fileSize) } catch { throw .init(.io, "\(error)", path: path) }
        let mapped = file.base
        let lanes = MatchKernel.lanes
        let blocks = (count + lanes - 1) / lanes
        let storage = PanelStorage(mappedBlocks: blocks, dim: dimension, file: file, panelOffset: headerSize)
        // From here on `storage` owns the mapping (unmapped when it is released, errors included).
        let panelBytes = storage.panelBytes
        let normBytes = storage.normBytes
        let normSource = UnsafeRawPointer(mapped + headerSize + panelBytes)
        UnsafeMutableRawPointer(storage.norms).copyMemory(from: normSource, byteCount: normBytes)
        let norms = storage.normFloats
        for row in count..<(blocks * lanes) where norms[row] != .infinity {
            throw .init(.corruptHeader, "padding row \(row) has a finite norm", path: path)
        }
        var maxNorm: Float = 0
        for row in 0..<count {
            guard norms[row].isFinite, norms[row] >= 0 else {
                throw .init(.checksumMismatch, "row \(row) has a bad norm: the file is damaged", path: path)
            }
            maxNorm = max(maxNorm, norms[row])
        }
        var copy = maker.init(blocks: blocks, dim: dimension, maxSquaredNorm: maxNorm)
        var checksum = Checksum()
        let step = 4096  // blocks per range: 32 MiB of float32 panels for 128-d
        var start = 0
        while start < blocks {
            let range = start..<min(start + step, blocks)
            let source = storage.panels + range.lowerBound * dimension
            let bytes = range.count * dimension * MemoryLayout<SIMD16<Float>>.stride
            checksum.update(UnsafeRawBufferPointer(start: source, count: bytes))
            copy.convert(blocks: range, source: source)
            // Page-aligned part of the range: no longer needed in memory (the re-rank faults the
            // few rows it reads back in from the page cache).
            let lo = headerSize + range.lowerBound * dimension * 64
            file.release(offset: lo, length: headerSize + range.upperBound * dimension * 64 - lo)
            start = range.upperBound
        }
        // Owned (freed on the errors below too) from here.
        let scan = copy.finish()
        checksum.update(UnsafeRawBufferPointer(start: normSource, count: normBytes))
        let idBase = UnsafeRawPointer(mapped + headerSize + panelBytes + normBytes)
        // Two updates, as written (the checksum pads each update to 32 bytes).
        checksum.update(UnsafeRawBufferPointer(start: idBase, count: 8 * count))
        checksum.update(UnsafeRawBufferPointer(start: idBase + 8 * count, count: 8 * count))
        guard checksum.value == get(header, 40) else {
            throw .init(.checksumMismatch, "payload checksum mismatch: the file is damaged", path: path)
        }
        let faceIDs = [Int64](unsafeUninitializedCapacity: count) { buffer, initialized in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(start: idBase, count: 8 * count))
            initialized = count
        }
        let subjectIDs = [Int64](unsafeUninitializedCapacity: count) { buffer, initialized in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(
                from: UnsafeRawBufferPointer(start: idBase + 8 * count, count: 8 * count))
            initialized = count
        }
        file.release()
        return GalleryMatrix(
            dimension: dimension, galleryVersion: version, faceIDs: faceIDs, subjectIDs: subjectIDs,
            storage: storage, scan: scan)
    }

    /// Removes cache files of older gallery versions (and temporary files left by a crash) from
    /// `directory`; files of newer versions stay (another thread or daemon may have written them).
    /// Failures to remove are ignored: a stale file is never loaded for another version.
    public static func removeStale(directory: String, keeping galleryVersion: Int64) {
        let keep = fileName(galleryVersion: galleryVersion)
        guard let names = try? Directory.entries(directory) else { return }
        for name in names where name != keep && name.hasPrefix("gallery-") && name.contains(".matrix") {
            if name.hasSuffix(".matrix"), let v = Int64(name.dropFirst(8).dropLast(7)), v > galleryVersion { continue }
            try? DurableFile.remove(directory + "/" + name)
        }
    }

    /// Writes `matrix` as the cache file of its version on a background queue, then removes older
    /// ones; returns at once. Only the newest matrix waiting is written (a burst of changes writes
    /// once), so at most one extra snapshot is kept alive. Errors are ignored: a missing cache
    /// file only costs the next start a rebuild.
    ///
    /// The daemon calls this after applying changes, so that writing hundreds of megabytes (and
    /// `fsync`) is not on the path between a gallery change and the next search.
    public static func writeInBackground(_ matrix: GalleryMatrix, directory: String) {
        BackgroundWriter.shared.submit(matrix, directory: directory)
    }

    /// Blocks until every background write submitted so far is done (for tests and benchmarks).
    public static func waitForBackgroundWrites() {
        BackgroundWriter.shared.queue.sync {}
    }

    /// One serial queue and the newest pending matrix.
    final class BackgroundWriter: @unchecked Sendable {
        static let shared = BackgroundWriter()
        let queue = DispatchQueue(label: "frs.gallery-cache-writer", qos: .utility)
        // `lock` guards `pending`: set by `submit`, taken by the queued job.
        private let lock = NSLock()
        private var pending: (matrix: GalleryMatrix, directory: String)?

        func submit(_ matrix: GalleryMatrix, directory: String) {
            lock.withLock { pending = (matrix, directory) }
            queue.async {
                guard let job = self.lock.withLock({ () -> (matrix: GalleryMatrix, directory: String)? in
                    defer { self.pending = nil }
                    return self.pending
                }) else { return }
                if (try? GalleryCache.write(job.matrix, directory: job.directory)) != nil {
                    GalleryCache.removeStale(directory: job.directory, keeping: job.matrix.galleryVersion)
                }
            }
        }
    }

    // MARK: - Helpers

    /// Fletcher-style checksum over 64-bit words in 4 lanes (`a += w; b += a`), mixed at the end.
    struct Checksum {
        private var a = SIMD4<UInt64>(repeating: 0)
        private var b = SIMD4<UInt64>(repeating: 0)
        private var length: UInt64 = 0

        mutating func update(_ bytes: UnsafeRawBufferPointer) {
            length &+= UInt64(bytes.count)
            guard let base = bytes.baseAddress else { return }
            let chunks = bytes.count / 32
            for i in 0..<chunks {
                a &+= base.loadUnaligned(fromByteOffset: i * 32, as: SIMD4<UInt64>.self)
                b &+= a
            }
            let rest = bytes.count - chunks * 32
            if rest > 0 {
                var tail = SIMD4<UInt64>(repeating: 0)
                withUnsafeMutableBytes(of: &tail) { t in
                    t.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[(chunks * 32)...]))
                }
                a &+= tail
                b &+= a
            }
        }

        var value: UInt64 {
            var h: UInt64 = length &* 0x9E37_79B9_7F4A_7C15
            for i in 0..<4 {
                h = mix(h ^ a[i])
                h = mix(h ^ b[i])
            }
            return h
        }

        private func mix(_ x: UInt64) -> UInt64 {
            var z = x &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func headerChecksum(_ header: [UInt8]) -> UInt64 {
        var c = Checksum()
        header.withUnsafeBytes { c.update(UnsafeRawBufferPointer(rebasing: $0[0..<48])) }
        return c.value
    }

    static func put(_ bytes: inout [UInt8], _ offset: Int, _ value: UInt64) {
        for i in 0..<8 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }

    static func get(_ bytes: [UInt8], _ offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }
}

/// Why a gallery cache file could not be written or used.
public struct GalleryCacheError: Error, Equatable, CustomStringConvertible {
    /// What went wrong. A closed set.
    public enum Code: String, Sendable {
        /// No cache file for that gallery version: build the matrix from the store.
        case notFound = "not-found"
        /// A system call failed (see the message).
        case io
        /// The file does not start with the cache's magic bytes.
        case badMagic = "bad-magic"
        /// A format version or block size this build does not read.
        case unsupportedFormat = "unsupported-format"
        /// The file holds another gallery version.
        case versionMismatch = "version-mismatch"
        /// The header's checksum or values are wrong.
        case corruptHeader = "corrupt-header"
        /// The file is shorter or longer than its header says.
        case truncated
        /// The payload does not match its checksum.
        case checksumMismatch = "checksum-mismatch"
    }

    public var code: Code
    /// What went wrong and how to remedy it.
    public var message: String
    /// The file concerned.
    public var path: String

    public init(_ code: Code, _ message: String, path: String) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String { "gallery cache \(path): \(message) [\(code.rawValue)]" }
}
