import Glibc

/// An open file descriptor with checked operations.
///
/// A plain value: the owner closes it with ``close()`` (checked, for files written) or
/// ``closeIgnoringErrors()`` (for files only read). Use ``withOpenFile(_:flags:mode:_:)`` when the
/// descriptor does not outlive a scope.
public struct FileDescriptor: Sendable, Hashable {
    /// The descriptor number.
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Opens `path` with `O_CLOEXEC` added to `flags`.
    /// - Throws: ``SystemCallError`` (`ELOOP` when `O_NOFOLLOW` meets a symlink).
    public static func open(_ path: String, flags: Int32, mode: mode_t = 0o600) throws(SystemCallError) -> FileDescriptor {
        let fd = try SystemCall.run("open", path: path) { Glibc.open(path, flags | O_CLOEXEC, mode) }
        if flags & O_CREAT != 0 {
            do {
                try ServiceOwnership.adopt(fd, path: path)  // root in a service's spool: the service's file
            } catch {
                _ = Glibc.close(fd)
                throw error
            }
        }
        return FileDescriptor(rawValue: fd)
    }

    /// Opens an existing file for reading without following a symlink in the last component,
    /// and without blocking on a FIFO someone dropped in place of a file.
    ///
    /// This is how every untrusted file (a job file, a probe) is opened: the checks that follow
    /// (``status()``: owner, regular file, link count) are then made on the descriptor, not the
    /// path, so the file cannot be swapped between check and use.
    public static func openNoFollow(_ path: String) throws(SystemCallError) -> FileDescriptor {
        try open(path, flags: O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
    }

    /// Runs `body` with `path` open, closing it afterwards (unchecked: for reading).
    public static func withOpenFile<T>(
        _ path: String, flags: Int32 = O_RDONLY | O_NOFOLLOW | O_NONBLOCK, mode: mode_t = 0o600,
        _ body: (FileDescriptor) throws -> T
    ) throws -> T {
        let fd = try open(path, flags: flags, mode: mode)
        defer { fd.closeIgnoringErrors() }
        return try body(fd)
    }

    /// `fstat(2)` on the descriptor.
    public func status() throws(SystemCallError) -> FileStatus {
        var s = stat()
        try SystemCall.run("fstat") { fstat(rawValue, &s) }
        return FileStatus(s)
    }

    /// Reads from the current offset to the end.
    /// - Parameter limit: fail with `EFBIG` rather than read more than this many bytes.
    public func readAll(limit: Int = Int.max) throws(SystemCallError) -> [UInt8] {
        try readToEnd(call: "read", limit: limit) { buffer, _ in Glibc.read(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// Reads from `offset` to the end with `pread`, leaving the descriptor's offset where it was
    /// (a file read again from its start needs no `lseek`).
    /// - Parameter limit: fail with `EFBIG` rather than read more than this many bytes.
    public func readAll(from offset: Int64, limit: Int = Int.max) throws(SystemCallError) -> [UInt8] {
        try readToEnd(call: "pread", limit: limit) { buffer, done in
            Glibc.pread(rawValue, buffer.baseAddress, buffer.count, off_t(offset) + off_t(done))
        }
    }

    /// Reads at most `count` bytes from the start of the file (fewer at its end), with `pread`.
    public func readPrefix(_ count: Int) throws(SystemCallError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        while true {
            let n = bytes.withUnsafeMutableBytes { Glibc.pread(rawValue, $0.baseAddress, $0.count, 0) }
            if n == -1 {
                if errno == EINTR { continue }
                throw SystemCallError(call: "pread", errno: errno)
            }
            return Array(bytes.prefix(n))
        }
    }

    /// Calls `readChunk(buffer, bytesSoFar)` until it returns 0 (the end), retrying on `EINTR`.
    private func readToEnd(call: String, limit: Int,
                           _ readChunk: (UnsafeMutableRawBufferPointer, Int) -> Int) throws(SystemCallError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { readChunk($0, bytes.count) }
            if n == -1 {
                if errno == EINTR { continue }
                throw SystemCallError(call: call, errno: errno)
            }
            if n == 0 { return bytes }
            if bytes.count + n > limit { throw SystemCallError(call: call, errno: EFBIG) }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    /// Reads `count` bytes at `offset` with `pread` (fewer only at the end of the file).
    public func read(at offset: Int64, count: Int) throws(SystemCallError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { buffer in
                Glibc.pread(rawValue, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
            }
            if n == -1 {
                if errno == EINTR { continue }
                throw SystemCallError(call: "pread", errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        out.removeSubrange(done...)
        return out
    }

    /// Reads the file to its end in chunks of at most `chunkSize` bytes, handing each to `body`
    /// (a large file is streamed, never held whole).
    /// - Throws: ``SystemCallError`` from `read`.
    public func forEachChunk(size chunkSize: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) -> Void) throws(SystemCallError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = try SystemCall.run("read") { Glibc.read(rawValue, buffer.baseAddress, buffer.count) }
            if n == 0 { return }
            body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    /// Writes all of `bytes`, continuing after short writes.
    /// Writes all of `buffer` (in pieces of at most 1 GiB), retrying `EINTR`.
    public func writeAll(_ buffer: UnsafeRawBufferPointer) throws(SystemCallError) {
        var done = 0
        while done < buffer.count {
            let n = Glibc.write(rawValue, buffer.baseAddress! + done, min(buffer.count - done, 1 << 30))
            if n == -1 {
                if errno == EINTR { continue }
                throw SystemCallError(call: "write", errno: errno)
            }
            done += n
        }
    }

    /// Reads from the current offset until `buffer` is full or the file ends.
    /// - Returns: the bytes read (fewer than `buffer.count` only at the end of the file).
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemCallError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = Glibc.read(rawValue, buffer.baseAddress! + done, min(buffer.count - done, 1 << 30))
            if n == -1 {
                if errno == EINTR { continue }
                throw SystemCallError(call: "read", errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Drops the file's pages from the page cache (`posix_fadvise(POSIX_FADV_DONTNEED)`), so the next
    /// read comes from the disk (benchmarks of a cold start). Sync first for dirty pages to go too.
    public func evictFromPageCache() throws(SystemCallError) {
        let rc = posix_fadvise(rawValue, 0, 0, Int32(POSIX_FADV_DONTNEED))
        guard rc == 0 else { throw SystemCallError(call: "posix_fadvise", errno: rc) }
    }

    public func writeAll(_ bytes: [UInt8]) throws(SystemCallError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                Glibc.write(rawValue, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if n == -1 {
                if errno == EINTR { continue }
                throw SystemCallError(call: "write", errno: errno)
            }
            offset += n
        }
    }

    /// Cuts the file to `length` bytes (`ftruncate`).
    public func truncate(to length: Int64) throws(SystemCallError) {
        _ = try SystemCall.run("ftruncate") { ftruncate(rawValue, off_t(length)) }
    }

    /// Moves the descriptor's offset to the end of the file (`lseek(…, SEEK_END)`).
    /// - Returns: the new offset, the file's size.
    @discardableResult
    public func seekToEnd() throws(SystemCallError) -> Int64 {
        Int64(try SystemCall.run("lseek") { lseek(rawValue, 0, SEEK_END) })
    }

    /// `fsync(2)`: the data and metadata are on disk when it returns.
    public func sync() throws(SystemCallError) {
        try SystemCall.run("fsync") { fsync(rawValue) }
    }

    /// `fchmod(2)`.
    public func setPermissions(_ mode: mode_t) throws(SystemCallError) {
        try SystemCall.run("fchmod") { fchmod(rawValue, mode) }
    }

    /// `fchown(2)` of the group only: the owner stays. An unprivileged process may give a file it
    /// owns only to a group it is a member of (`EPERM` otherwise).
    public func setGroup(_ group: UInt32) throws(SystemCallError) {
        try SystemCall.run("fchown") { fchown(rawValue, uid_t.max, gid_t(group)) }
    }

    /// `flock(2)`.
    /// - Parameters:
    ///   - kind: shared or exclusive.
    ///   - wait: block until granted; otherwise return `false` at once when another holds it.
    /// - Returns: whether the lock is held.
    @discardableResult
    public func lock(_ kind: FileLock.Kind, wait: Bool = true) throws(SystemCallError) -> Bool {
        let operation = (kind == .exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB)
        do {
            try SystemCall.run("flock") { flock(rawValue, operation) }
            return true
        } catch where error.errno == EWOULDBLOCK {
            return false
        }
    }

    /// Releases a `flock(2)` lock.
    public func unlock() throws(SystemCallError) {
        try SystemCall.run("flock") { flock(rawValue, LOCK_UN) }
    }

    /// Closes the descriptor, reporting a failure (a write error can surface only here).
    /// `EINTR` is not retried: on Linux the descriptor is closed anyway.
    public func close() throws(SystemCallError) {
        if Glibc.close(rawValue) == -1, errno != EINTR {
            throw SystemCallError(call: "close", errno: errno)
        }
    }

    /// Closes a descriptor that was only read.
    public func closeIgnoringErrors() {
        _ = Glibc.close(rawValue)
    }
}
