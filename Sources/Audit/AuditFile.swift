import Glibc
import SystemCalls

/// The file operations the audit log needs, over the one libc layer (``SystemCalls``), each failure
/// reported as an ``AuditError`` with `errno` attached.
///
/// They are gathered here so that the log's durability (one `write`, then `fsync`), locking
/// (`flock` on `<dir>/.lock`, mode 0600) and head anchor (tmp + `fsync` + `rename`) are visible in
/// one place; every system call itself is made by `SystemCalls`.
enum AuditFile {
    /// Runs a `SystemCalls` operation and reports its failure as an ``AuditError``.
    @discardableResult
    static func attempt<T>(_ what: String, _ path: String, _ body: () throws(SystemCallError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw AuditError(code: .systemCall, message: "\(what) failed", path: path, errno: error.errno)
        }
    }

    /// Opens a file; returns the descriptor.
    static func openFile(_ path: String, _ flags: Int32, mode: mode_t = 0o640) throws -> Int32 {
        try attempt("open", path) { () throws(SystemCallError) in try FileDescriptor.open(path, flags: flags, mode: mode).rawValue }
    }

    /// Closes a descriptor, ignoring errors (used on paths already reported or read-only).
    static func closeQuietly(_ fd: Int32) {
        FileDescriptor(rawValue: fd).closeIgnoringErrors()
    }

    /// Takes an exclusive `flock` on `fd`, waiting as long as needed.
    static func lockExclusive(_ fd: Int32, path: String) throws {
        try attempt("flock", path) { () throws(SystemCallError) in _ = try FileDescriptor(rawValue: fd).lock(.exclusive) }
    }

    /// Writes all of `bytes` at the descriptor's position (one `write` unless the kernel splits it).
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try attempt("write", path) { () throws(SystemCallError) in try FileDescriptor(rawValue: fd).writeAll(bytes) }
    }

    /// Flushes the file to stable storage.
    static func sync(_ fd: Int32, path: String) throws {
        try attempt("fsync", path) { () throws(SystemCallError) in try FileDescriptor(rawValue: fd).sync() }
    }

    /// Flushes a directory's entries (new files) to stable storage.
    static func syncDirectory(_ path: String) throws {
        try attempt("fsync", path) { () throws(SystemCallError) in try Directory.sync(path) }
    }

    /// The size of an open file.
    static func size(_ fd: Int32, path: String) throws -> Int {
        Int(try attempt("fstat", path) { () throws(SystemCallError) in try FileDescriptor(rawValue: fd).status().size })
    }

    /// Reads `count` bytes at `offset` (fewer only at end of file).
    static func read(_ fd: Int32, offset: Int, count: Int, path: String) throws -> [UInt8] {
        try attempt("pread", path) { () throws(SystemCallError) in
            try FileDescriptor(rawValue: fd).read(at: Int64(offset), count: count)
        }
    }

    /// Reads a whole file (or its first `limit` bytes).
    static func readAll(_ path: String, limit: Int? = nil) throws -> [UInt8] {
        let fd = try openFile(path, O_RDONLY)
        defer { closeQuietly(fd) }
        let size = try size(fd, path: path)
        return try read(fd, offset: 0, count: limit.map { min($0, size) } ?? size, path: path)
    }

    /// Replaces `path` with `contents` atomically: written to `<directory>/.head.tmp` (mode `mode`,
    /// the group of `directory`), `fsync`ed, renamed over `path`. Readers see the old file or the new
    /// one, never a part. The directory is not synced: after a power loss the file may be the
    /// previous version, never a torn one.
    static func replaceAtomically(_ path: String, contents: [UInt8], mode: mode_t, groupOf directory: String) throws {
        // Built inside `directory` (the setgid audit directory, on the same filesystem), the new file
        // takes the directory's group (the auditors') even when this account is not a member of it
        // and so could not give it that group with fchown; the rename keeps it.
        let tmp = directory + "/.head.tmp"
        let fd = FileDescriptor(rawValue: try openFile(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode: mode))
        do {
            try attempt("fchmod", tmp) { () throws(SystemCallError) in try fd.setPermissions(mode) }
            if let group = try? FileStatus.of(directory).group { try? fd.setGroup(group) }  // as a setgid directory would
            try writeAll(fd.rawValue, contents, path: tmp)
            try sync(fd.rawValue, path: tmp)
        } catch {
            fd.closeIgnoringErrors()
            throw error
        }
        fd.closeIgnoringErrors()
        try attempt("rename", path) { () throws(SystemCallError) in try DurableFile.rename(tmp, to: path, syncing: false) }
    }

    /// Sends one line to syslog (facility `LOG_AUTHPRIV`, level `LOG_NOTICE`).
    static func syslogNotice(_ message: String) {
        message.withCString { text in
            withVaList([text]) { vsyslog(LOG_AUTHPRIV | LOG_NOTICE, "%s", $0) }
        }
    }

    /// Truncates an open file to `length` bytes.
    static func truncate(_ fd: Int32, to length: Int, path: String) throws {
        try attempt("ftruncate", path) { () throws(SystemCallError) in try FileDescriptor(rawValue: fd).truncate(to: Int64(length)) }
    }

    /// Sets a file's permission bits.
    static func setMode(_ fd: Int32, _ mode: mode_t, path: String) throws {
        try attempt("fchmod", path) { () throws(SystemCallError) in try FileDescriptor(rawValue: fd).setPermissions(mode) }
    }

    /// Creates a directory (and missing parents) with `mode`; an existing directory is left as is.
    static func makeDirectory(_ path: String, mode: mode_t) throws {
        if let status = try? FileStatus.following(path) {
            guard status.isDirectory else {
                throw AuditError(code: .systemCall, message: "exists and is not a directory", path: path, errno: ENOTDIR)
            }
            return
        }
        let parent = parentDirectory(of: path)
        if !parent.isEmpty, parent != path { try makeDirectory(parent, mode: 0o755) }
        try attempt("mkdir", path) { () throws(SystemCallError) in try Directory.create(path, mode: mode) }
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
        try attempt("opendir", path) { () throws(SystemCallError) in try Directory.entries(path) }
    }

    /// The host name, or `"unknown"`.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
