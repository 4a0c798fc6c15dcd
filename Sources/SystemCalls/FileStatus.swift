import Glibc

/// What `stat(2)` says about a file, reduced to what frs decides on.
public struct FileStatus: Equatable, Sendable {
    /// The owner's uid: the identity of whoever dropped a job file.
    public var owner: UInt32
    /// The owning group.
    public var group: UInt32
    /// Type and permission bits (`st_mode`).
    public var mode: UInt32
    /// Hard links to the inode; a job file must have exactly one.
    public var linkCount: UInt64
    /// Size in bytes.
    public var size: Int64
    /// Device and inode: the file's identity across renames.
    public var device: UInt64
    public var inode: UInt64
    /// Last modification, in whole seconds since 1970.
    public var modificationTime: Int64

    init(_ s: stat) {
        owner = UInt32(s.st_uid)
        group = UInt32(s.st_gid)
        mode = UInt32(s.st_mode)
        linkCount = UInt64(s.st_nlink)
        size = Int64(s.st_size)
        device = UInt64(s.st_dev)
        inode = UInt64(s.st_ino)
        modificationTime = Int64(s.st_mtim.tv_sec)
    }

    /// The permission bits (including setuid, setgid and sticky).
    public var permissions: UInt32 { mode & 0o7777 }
    public var isRegularFile: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFREG) }
    public var isDirectory: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFDIR) }
    public var isSymbolicLink: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFLNK) }

    /// Whether two statuses describe the same inode.
    public func isSameFile(as other: FileStatus) -> Bool {
        device == other.device && inode == other.inode
    }

    /// `lstat(2)` of `path`: the entry itself, not what a symlink points to.
    /// - Throws: ``SystemCallError`` (`ENOENT` when the path does not exist).
    public static func of(_ path: String) throws(SystemCallError) -> FileStatus {
        var s = Glibc.stat()
        try SystemCall.run("lstat", path: path) { lstat(path, &s) }
        return FileStatus(s)
    }

    /// `stat(2)`: follows symlinks.
    public static func following(_ path: String) throws(SystemCallError) -> FileStatus {
        var s = Glibc.stat()
        try SystemCall.run("stat", path: path) { stat(path, &s) }
        return FileStatus(s)
    }

    /// Whether `path` exists (without following a final symlink).
    /// Whether this process may access `path` as `mode` asks (`R_OK`, `W_OK`, `X_OK`; `access(2)`,
    /// which judges by the real uid and groups, as a daemon runs).
    public static func isAccessible(_ path: String, _ mode: Int32) -> Bool {
        access(path, mode) == 0
    }

    /// Sets the permission bits of `path` (`chmod(2)`, which follows a symlink: for paths the
    /// caller made itself).
    public static func setPermissions(of path: String, to mode: mode_t) throws(SystemCallError) {
        try SystemCall.run("chmod", path: path) { chmod(path, mode) }
    }

    public static func exists(_ path: String) -> Bool {
        var s = Glibc.stat()
        return lstat(path, &s) == 0
    }
}
