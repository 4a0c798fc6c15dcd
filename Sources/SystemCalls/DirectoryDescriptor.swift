import Glibc

/// An open directory, and the descriptor-relative calls (`openat`, `fstatat`, `unlinkat`,
/// `renameat`) that act on what is *in* it, as Postfix's `safe_open` does.
///
/// Use it wherever the daemon walks or removes a tree that someone else can write (a
/// submitter's drop folder `incoming/<job>.d/`): the directory is opened once with
/// `O_DIRECTORY | O_NOFOLLOW`, its identity checked with ``status()``, and every later call names
/// an entry relative to that descriptor, never a path. Swapping the folder for a symlink after the
/// open changes nothing the daemon does: the descriptor still refers to the directory it opened,
/// and no call follows a symlink in an entry's place.
///
/// A plain value, like ``FileDescriptor``: the owner calls ``close()``.
public struct DirectoryDescriptor: Sendable, Hashable {
    /// The descriptor.
    public let descriptor: FileDescriptor

    /// Opens the directory at `path` without following a symlink in its last component.
    /// - Throws: ``SystemCallError`` (`ELOOP` for a symlink, `ENOTDIR` for anything but a directory).
    public static func open(_ path: String) throws(SystemCallError) -> DirectoryDescriptor {
        DirectoryDescriptor(descriptor: try FileDescriptor.open(path, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW))
    }

    /// Opens the directory `name` in this one, without following a symlink.
    /// - Throws: ``SystemCallError`` (`ELOOP`, `ENOTDIR`, `ENOENT`).
    public func openDirectory(_ name: String) throws(SystemCallError) -> DirectoryDescriptor {
        DirectoryDescriptor(descriptor: try openFile(name, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW))
    }

    /// `openat(2)` of `name` in this directory; `O_NOFOLLOW | O_CLOEXEC` are always added, and
    /// `name` must be one component (no `/`).
    /// - Throws: ``SystemCallError``; `EINVAL` for a name with a slash, `.` or `..`.
    public func openFile(_ name: String, flags: Int32, mode: mode_t = 0o600) throws(SystemCallError) -> FileDescriptor {
        try Self.checkComponent(name)
        let fd = try SystemCall.run("openat", path: name) {
            Glibc.openat(descriptor.rawValue, name, flags | O_NOFOLLOW | O_CLOEXEC, mode)
        }
        return FileDescriptor(rawValue: fd)
    }

    /// Opens an entry for reading as an untrusted file: no symlink followed, no blocking on a FIFO.
    public func openForReading(_ name: String) throws(SystemCallError) -> FileDescriptor {
        try openFile(name, flags: O_RDONLY | O_NONBLOCK)
    }

    /// `fstat(2)` of the directory itself.
    public func status() throws(SystemCallError) -> FileStatus { try descriptor.status() }

    /// `fstatat(2)` of an entry with `AT_SYMLINK_NOFOLLOW`: the entry itself, never a symlink's target.
    public func status(of name: String) throws(SystemCallError) -> FileStatus {
        try Self.checkComponent(name)
        var s = stat()
        try SystemCall.run("fstatat", path: name) { fstatat(descriptor.rawValue, name, &s, AT_SYMLINK_NOFOLLOW) }
        return FileStatus(s)
    }

    /// The names in the directory, without `.` and `..`, sorted. Reads through a duplicate of
    /// the descriptor (`fdopendir` takes ownership of the one it is given).
    /// - Parameter limit: stop with `E2BIG` after this many names (a flooded folder is refused
    ///   before anything in it is handled).
    /// - Throws: ``SystemCallError``.
    public func entries(limit: Int = Int.max) throws(SystemCallError) -> [String] {
        try rawEntries(limit: limit).map { String(decoding: $0, as: UTF8.self) }.sorted()
    }

    /// The names in the directory as bytes, without `.` and `..`, sorted bytewise: a name that is
    /// not valid UTF-8 is kept exactly (``entries(limit:)`` would replace its bad bytes).
    /// - Throws: ``SystemCallError``; `E2BIG` past `limit` names.
    public func rawEntries(limit: Int = Int.max) throws(SystemCallError) -> [[UInt8]] {
        let copy = try SystemCall.run("dup") { dup(descriptor.rawValue) }
        guard let dir = fdopendir(copy) else {
            let code = errno
            _ = Glibc.close(copy)
            throw SystemCallError(call: "fdopendir", errno: code)
        }
        defer { closedir(dir) }
        rewinddir(dir)
        var names: [[UInt8]] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 { throw SystemCallError(call: "readdir", errno: errno) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            guard name != [0x2e], name != [0x2e, 0x2e] else { continue }
            names.append(name)
            if names.count > limit { throw SystemCallError(call: "readdir", errno: E2BIG) }
        }
        return names.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// `renameat2(2)` with `RENAME_NOREPLACE` of an entry named by raw bytes (a name that is not
    /// valid UTF-8) to `newName` in `target`.
    /// - Returns: the inode of what was moved (`fstatat` after the move).
    public func move(raw name: [UInt8], to target: DirectoryDescriptor, as newName: String) throws(SystemCallError) -> UInt64 {
        guard !name.isEmpty, !name.contains(0x2f), !name.contains(0) else {
            throw SystemCallError(call: "renameat2", errno: EINVAL)
        }
        try Self.checkComponent(newName)
        let cName = name.map { CChar(bitPattern: $0) } + [0]
        guard let renameat2 = DurableFile.renameat2Function else {
            throw SystemCallError(call: "renameat2", errno: ENOSYS, path: newName)
        }
        try SystemCall.run("renameat2", path: newName) {
            renameat2(descriptor.rawValue, cName, target.descriptor.rawValue, newName, 1 /* RENAME_NOREPLACE */)
        }
        return try target.status(of: newName).inode
    }

    /// `unlinkat(2)` of a non-directory entry; an entry already gone is not an error.
    public func remove(_ name: String) throws(SystemCallError) {
        try Self.checkComponent(name)
        do {
            try SystemCall.run("unlinkat", path: name) { unlinkat(descriptor.rawValue, name, 0) }
        } catch where error.errno == ENOENT {}
    }

    /// `unlinkat(2)` with `AT_REMOVEDIR` of an empty directory entry.
    public func removeDirectory(_ name: String) throws(SystemCallError) {
        try Self.checkComponent(name)
        try SystemCall.run("unlinkat", path: name) { unlinkat(descriptor.rawValue, name, AT_REMOVEDIR) }
    }

    /// Removes everything in this directory, descending into subdirectories (each opened
    /// relative to its parent with `O_NOFOLLOW`, so a symlink is removed, never followed), at most
    /// `depth` levels down. Best effort: what cannot be removed stays.
    /// - Returns: the number of entries removed.
    @discardableResult
    public func removeContents(depth: Int = 8) -> Int {
        var removed = 0
        for name in (try? entries()) ?? [] {
            guard let status = try? status(of: name) else { continue }
            if status.isDirectory {
                guard depth > 0, let child = try? openDirectory(name) else { continue }
                removed += child.removeContents(depth: depth - 1)
                child.close()
                if (try? removeDirectory(name)) != nil { removed += 1 }
            } else if (try? remove(name)) != nil {
                removed += 1
            }
        }
        return removed
    }

    /// `renameat2(2)` of an entry of this directory to `newName` in `target`, never over an
    /// existing entry (`RENAME_NOREPLACE`). Neither name is followed if it is a symlink.
    /// - Throws: ``SystemCallError`` (`EEXIST`, `ENOENT`).
    public func move(_ name: String, to target: DirectoryDescriptor, as newName: String) throws(SystemCallError) {
        try Self.checkComponent(name)
        try Self.checkComponent(newName)
        try DurableFile.renameAt(descriptor.rawValue, name, target.descriptor.rawValue, newName)
    }

    /// `fsync(2)` on the directory.
    public func sync() throws(SystemCallError) { try descriptor.sync() }

    /// Closes the descriptor.
    public func close() { descriptor.closeIgnoringErrors() }

    /// A single path component: not empty, no `/`, not `.` or `..`.
    static func checkComponent(_ name: String) throws(SystemCallError) {
        guard !name.isEmpty, !name.utf8.contains(UInt8(ascii: "/")), name != ".", name != ".." else {
            throw SystemCallError(call: "openat", errno: EINVAL, path: name)
        }
    }
}
