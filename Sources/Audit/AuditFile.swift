import Glibc
import SystemCalls

/// The few POSIX calls the audit log needs, each retrying `EINTR` and throwing ``AuditError`` with
/// `errno` attached.
///
/// The audit log keeps its own small wrappers (over ``SystemCalls/SystemCall``) so that its durability (one `write`, then
/// `fsync`), locking (`flock` on `<dir>/.lock`, mode 0600) and head anchor (tmp + `fsync` +
/// `rename`) are visible in one place.
enum AuditFile {
    /// Runs a libc call through ``SystemCalls/SystemCall/run(_:path:_:)`` (the one place that retries
    /// `EINTR` and attaches `errno`) and reports a failure as an ``AuditError``.
    @discardableResult
    static func retrying<T: FixedWidthInteger>(_ what: String, _ path: String, _ body: () -> T) throws -> T {
        do {
            return try SystemCall.run(what, path: path, body)
        } catch {
            throw AuditError(code: .systemCall, message: "\(what) failed", path: path, errno: error.errno)
        }
    }

    /// Opens a file; returns the descriptor.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o640) throws -> Int32 {
        do {
            return try FileDescriptor.open(path, flags: flags, mode: mode).rawValue
        } catch {
            throw AuditError(code: .systemCall, message: "open failed", path: path, errno: error.errno)
        }
    }

    /// Closes a descriptor, ignoring errors (used on paths already reported or read-only).
    static func closeQuietly(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Takes an exclusive `flock` on `fd`, waiting as long as needed.
    static func lockExclusive(_ fd: Int32, path: String) throws {
        try retrying("flock", path) { flock(fd, LOCK_EX) }
    }

    /// Writes all of `bytes` at the descriptor's position (one `write` unless the kernel splits it).
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = try retrying("write", path) { Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset) }
                offset += n
            }
        }
    }

    /// Flushes the file to stable storage.
    static func sync(_ fd: Int32, path: String) throws {
        try retrying("fsync", path) { fsync(fd) }
    }

    /// Flushes a directory's entries (new files) to stable storage.
    static func syncDirectory(_ path: String) throws {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        defer { closeQuietly(fd) }
        try sync(fd, path: path)
    }

    /// The size of an open file.
    static func size(_ fd: Int32, path: String) throws -> Int {
        var st = stat()
        try retrying("fstat", path) { fstat(fd, &st) }
        return Int(st.st_size)
    }

    /// Reads `count` bytes at `offset` (fewer only at end of file).
    static func read(_ fd: Int32, offset: Int, count: Int, path: String) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        try out.withUnsafeMutableBytes { buffer in
            while done < count {
                let n = try retrying("pread", path) {
                    pread(fd, buffer.baseAddress! + done, count - done, off_t(offset + done))
                }
                if n == 0 { break }
                done += n
            }
        }
        out.removeSubrange(done...)
        return out
    }

    /// Reads a whole file (or its first `limit` bytes).
    static func readAll(_ path: String, limit: Int? = nil) throws -> [UInt8] {
        let fd = try open(path, O_RDONLY)
        defer { closeQuietly(fd) }
        let size = try size(fd, path: path)
        return try read(fd, offset: 0, count: limit.map { min($0, size) } ?? size, path: path)
    }

    /// Replaces `path` with `contents` atomically: written to `<path>.tmp` (mode `mode`, group of
    /// the directory `groupOf` when the owner may give it), `fsync`ed, renamed over `path`.
    /// Readers see the old file or the new one, never a part. The directory is not synced: after a
    /// power loss the file may be the previous version, never a torn one.
    static func replaceAtomically(_ path: String, contents: [UInt8], mode: mode_t, groupOf directory: String) throws {
        // Built inside `directory` (the setgid audit directory, on the same filesystem), the new file
        // takes the directory's group (the auditors') even when this account is not a member of it
        // and so could not give it that group with fchown; the rename keeps it.
        let tmp = directory + "/.head.tmp"
        let fd = try open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode: mode)
        do {
            try setMode(fd, mode, path: tmp)
            var st = stat()
            if stat(directory, &st) == 0 { _ = fchown(fd, uid_t.max, st.st_gid) } // as a setgid directory would
            try writeAll(fd, contents, path: tmp)
            try sync(fd, path: tmp)
        } catch {
            closeQuietly(fd)
            throw error
        }
        closeQuietly(fd)
        try retrying("rename", path) { rename(tmp, path) }
    }

    /// Sends one line to syslog (facility `LOG_AUTHPRIV`, level `LOG_NOTICE`).
    static func syslogNotice(_ message: String) {
        message.withCString { text in
            withVaList([text]) { vsyslog(LOG_AUTHPRIV | LOG_NOTICE, "%s", $0) }
        }
    }

    /// Truncates an open file to `length` bytes.
    static func truncate(_ fd: Int32, to length: Int, path: String) throws {
        try retrying("ftruncate", path) { ftruncate(fd, off_t(length)) }
    }

    /// Sets a file's permission bits.
    static func setMode(_ fd: Int32, _ mode: mode_t, path: String) throws {
        try retrying("fchmod", path) { fchmod(fd, mode) }
    }

    /// Creates a directory (and missing parents) with `mode`; an existing directory is left as is.
    static func makeDirectory(_ path: String, mode: mode_t) throws {
        var st = stat()
        if stat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else {
                throw AuditError(code: .systemCall, message: "exists and is not a directory", path: path, errno: ENOTDIR)
            }
            return
        }
        let parent = parentDirectory(of: path)
        if !parent.isEmpty, parent != path { try makeDirectory(parent, mode: 0o755) }
        do {
            try Directory.create(path, mode: mode)  // mode exactly (no umask); root's is the spool owner's
        } catch {
            throw AuditError(code: .systemCall, message: "mkdir failed", path: path, errno: error.errno)
        }
    }

    static func parentDirectory(of path: String) -> String {
        var p = path
        while p.count > 1, p.hasSuffix("/") { p.removeLast() }
        guard let slash = p.lastIndex(of: "/") else { return "" }
        if slash == p.startIndex { return "/" }
        return String(p[..<slash])
    }

    /// The names in a directory (not `.` and `..`).
    static func list(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            throw AuditError(code: .systemCall, message: "opendir failed", path: path, errno: errno)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// The host name, or `"unknown"`.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
