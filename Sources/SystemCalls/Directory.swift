import Glibc

/// Directory operations: listing, creating with an exact mode, syncing.
public enum Directory {
    /// The names in a directory, without `.` and `..`, sorted (so the oldest-named job, with
    /// time-ordered names, comes first).
    /// - Throws: ``SystemCallError`` (`ENOENT`, `EACCES`, `ENOTDIR`).
    /// - Complexity: O(n log n) in the number of entries.
    public static func entries(_ path: String) throws(SystemCallError) -> [String] {
        let dir = try SystemCall.runPointer("opendir", path: path) { opendir(path) }
        defer { closedir(dir) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 { throw SystemCallError(call: "readdir", errno: errno, path: path) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Creates a directory with exactly `mode` (the umask does not apply: the mode is set again
    /// with `chmod`). An existing directory is fine: its mode is set, so this is idempotent.
    /// - Throws: ``SystemCallError``; `ENOTDIR`-like `EEXIST` when a non-directory is in the way.
    public static func create(_ path: String, mode: mode_t) throws(SystemCallError) {
        do {
            try SystemCall.run("mkdir", path: path) { mkdir(path, mode) }
        } catch where error.errno == EEXIST {
            let status = try FileStatus.of(path)
            guard status.isDirectory else { throw SystemCallError(call: "mkdir", errno: EEXIST, path: path) }
        }
        try ServiceOwnership.adopt(path: path)  // root in a service's spool: the service's directory (before chmod: chown clears setgid)
        try SystemCall.run("chmod", path: path) { chmod(path, mode) }
    }

    /// Removes an empty directory (`rmdir(2)`).
    public static func removeEmpty(_ path: String) throws(SystemCallError) {
        try SystemCall.run("rmdir", path: path) { rmdir(path) }
    }

    /// `fsync(2)` on a directory, which makes the renames and creations in it durable on Linux.
    public static func sync(_ path: String) throws(SystemCallError) {
        let fd = try FileDescriptor.open(path, flags: O_RDONLY | O_DIRECTORY)
        defer { fd.closeIgnoringErrors() }
        try fd.sync()
    }

    /// The canonical absolute path (`realpath(3)`): symlinks resolved, no `.` or `..`.
    public static func canonicalPath(_ path: String) throws(SystemCallError) -> String {
        let resolved = try SystemCall.runPointer("realpath", path: path) { realpath(path, nil) }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
