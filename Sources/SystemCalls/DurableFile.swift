import Glibc

/// Durable file writes and moves, the Maildir way.
///
/// A new file is created under a temporary directory with `O_EXCL | O_NOFOLLOW` and its final
/// mode, written in full, `fsync`ed, closed (checked), renamed into place with `rename(2)`, and the
/// destination directory is `fsync`ed, which Linux needs to make the rename itself durable. A
/// reader therefore sees either no file or the whole file, whatever crash happens in between.
public enum DurableFile {
    /// Writes `bytes` to `destination` atomically and durably.
    ///
    /// - Parameters:
    ///   - bytes: the content.
    ///   - destination: the final path; an existing file there is replaced.
    ///   - temporaryDirectory: where the file is built; must be on the same filesystem.
    ///   - mode: the file's permission bits.
    ///   - group: the file's group, set before it is renamed into place (so it never appears with
    ///     another); `nil` keeps the creating process's.
    /// - Throws: ``SystemCallError``; the temporary file is removed on failure.
    public static func write(
        _ bytes: [UInt8], to destination: String, via temporaryDirectory: String, mode: mode_t = 0o600,
        group: UInt32? = nil
    ) throws(SystemCallError) {
        let temporary = try writeTemporary(bytes, in: temporaryDirectory, name: baseName(destination), mode: mode,
                                           group: group)
        do {
            // Built in a drop box, bound for the service's spool: the service's before it is in place.
            if let owner = ServiceOwnership.owner(for: destination) {
                try SystemCall.run("lchown", path: temporary) { lchown(temporary, uid_t(owner), gid_t.max) }
            }
            try rename(temporary, to: destination)
        } catch {
            _ = unlink(temporary)
            throw error
        }
    }

    /// Creates a new, fully written and synced file in `directory` and returns its path.
    /// The name is `name` plus a unique suffix, created with `O_EXCL`, so concurrent writers
    /// never share a temporary file.
    public static func writeTemporary(
        _ bytes: [UInt8], in directory: String, name: String, mode: mode_t = 0o600, group: UInt32? = nil
    ) throws(SystemCallError) -> String {
        var fd: FileDescriptor?
        var path = ""
        for _ in 0..<8 {
            path = "\(directory)/\(name).\(getpid()).\(UInt64.random(in: 0...UInt64.max) & 0xffff_ffff_ffff).tmp"
            do {
                fd = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: mode)
                break
            } catch where error.errno == EEXIST {
                continue
            }
        }
        guard let fd else { throw SystemCallError(call: "open", errno: EEXIST, path: path) }
        do {
            if let group { try fd.setGroup(group) }
            try fd.setPermissions(mode)
            try fd.writeAll(bytes)
            try fd.sync()
        } catch {
            fd.closeIgnoringErrors()
            _ = unlink(path)
            throw error
        }
        do {
            try fd.close()
        } catch {
            _ = unlink(path)
            throw error
        }
        return path
    }

    /// Moves `source` to `destination` with one `rename(2)` (never a copy) and syncs the
    /// destination directory, and the source directory when it differs (where this account may
    /// open them).
    /// - Throws: ``SystemCallError``: `ENOENT` when `source` is gone (another claimant won),
    ///   `EXDEV` across filesystems.
    public static func rename(_ source: String, to destination: String, syncing: Bool = true) throws(SystemCallError) {
        try SystemCall.run("rename", path: "\(source) -> \(destination)") { Glibc.rename(source, destination) }
        if syncing { try syncDirectories(of: source, destination) }
    }

    /// Syncs the directories of both paths after a rename. A directory this account may not open
    /// for reading (a drop box, mode 1733, for a submitter) cannot be synced by it and is skipped:
    /// the daemon syncs it when it moves the file on.
    static func syncDirectories(of source: String, _ destination: String) throws(SystemCallError) {
        let to = directoryName(destination)
        let from = directoryName(source)
        for directory in from == to ? [to] : [to, from] {
            do {
                try Directory.sync(directory)
            } catch where error.errno == EACCES {
                continue
            }
        }
    }

    /// Renames `source` to `destination` only if nothing is there (`renameat2` with
    /// `RENAME_NOREPLACE`: one atomic step, so two names can never end up at one path), then
    /// syncs both directories.
    /// - Throws: ``SystemCallError``: `EEXIST` when the destination exists, `ENOENT` when the
    ///   source is gone, `EINVAL` on a filesystem without `RENAME_NOREPLACE`.
    public static func renameNoReplace(_ source: String, to destination: String) throws(SystemCallError) {
        guard let renameat2 = Self.renameat2 else {
            throw SystemCallError(call: "renameat2", errno: ENOSYS, path: "\(source) -> \(destination)")
        }
        try SystemCall.run("renameat2", path: "\(source) -> \(destination)") {
            renameat2(AT_FDCWD, source, AT_FDCWD, destination, 1 /* RENAME_NOREPLACE */)
        }
        try syncDirectories(of: source, destination)
    }

    /// `renameat2(2)` with `RENAME_NOREPLACE` between two directory descriptors (see
    /// ``DirectoryDescriptor/move(_:to:as:)``); the caller syncs the directories.
    static func renameAt(_ sourceDirectory: Int32, _ source: String, _ targetDirectory: Int32, _ target: String)
        throws(SystemCallError)
    {
        guard let renameat2 = Self.renameat2 else {
            throw SystemCallError(call: "renameat2", errno: ENOSYS, path: "\(source) -> \(target)")
        }
        try SystemCall.run("renameat2", path: "\(source) -> \(target)") {
            renameat2(sourceDirectory, source, targetDirectory, target, 1 /* RENAME_NOREPLACE */)
        }
    }

    /// Hands a new file to another process through a drop box: written in `temporaryDirectory`
    /// (synced), then renamed to `directory/name` without replacing anything, so the reader sees it
    /// whole or not at all and never in place of another file.
    /// - Parameter reader: the one other account that may read it (the daemon's, which owns the
    ///   drop box): the file is 0600 with an ACL entry `user:<reader>:r` (0644 where the filesystem
    ///   has no ACLs). `nil`: `mode`.
    /// - Throws: ``SystemCallError`` (`EEXIST` when the name is taken; the temporary file is removed).
    public static func deliver(_ bytes: [UInt8], name: String, via temporaryDirectory: String, into directory: String,
                               mode: mode_t = 0o644, readableBy reader: UInt32? = nil) throws(SystemCallError) {
        let temporary = try writeTemporary(bytes, in: temporaryDirectory, name: name, mode: reader == nil ? mode : 0o600)
        do {
            if let reader, reader != getuid() {
                try AccessControl.grantOrOpen(temporary, to: reader, permissions: AccessControl.read, ownerPermissions: 6,
                                              fallbackMode: 0o644)
            }
            try renameNoReplace(temporary, to: directory + "/" + name)
        } catch {
            try? remove(temporary)
            throw error
        }
    }

    typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    /// glibc's `renameat2`, for ``DirectoryDescriptor``.
    static var renameat2Function: RenameAt2? { renameat2 }

    /// glibc's `renameat2` (2.28 and later), looked up at run time: the Glibc module does not
    /// export it to Swift.
    private static let renameat2: RenameAt2? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: RenameAt2.self)
    }()

    /// Removes a file; a file already gone is not an error.
    public static func remove(_ path: String) throws(SystemCallError) {
        do {
            try SystemCall.run("unlink", path: path) { unlink(path) }
        } catch where error.errno == ENOENT {}
    }

    /// Reads a whole file without following a final symlink.
    /// - Parameter limit: refuse (`EFBIG`) files larger than this.
    public static func read(_ path: String, limit: Int = Int.max) throws(SystemCallError) -> [UInt8] {
        let fd = try FileDescriptor.openNoFollow(path)
        defer { fd.closeIgnoringErrors() }
        return try fd.readAll(limit: limit)
    }

    /// The directory part of a path (`"."` for a bare name).
    public static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// The last component of a path.
    public static func baseName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
