import CStatFS
import Glibc

/// The kind of filesystem a path lives on, from `statfs(2)`'s `f_type` magic number.
///
/// The spool's guarantees rest on one host's kernel: claims by `rename(2)` with
/// `RENAME_NOREPLACE` (NFS answers `EINVAL`), SQLite's WAL (shared memory, unsafe across hosts)
/// and `flock` leases (an NFS client can lose them silently). So a daemon refuses a spool whose
/// directories are on a network or cluster filesystem (``requireLocal(_:what:)``); several daemons
/// may share a spool on one host.
public struct FileSystemKind: Equatable, Sendable, CustomStringConvertible {
    /// `f_type` as an unsigned 32-bit value (the magic numbers of `linux/magic.h`).
    public var magic: UInt32
    /// A short name (`nfs`, `ext4`, …), or the magic in hex when unknown.
    public var name: String
    /// Whether the filesystem is shared over a network (or by a cluster, or through FUSE, which
    /// serves sshfs and other remote filesystems).
    public var isNetwork: Bool

    /// Network, cluster and FUSE filesystems, by magic number.
    public static let networkMagics: [UInt32: String] = [
        0x6969: "nfs",
        0x517B: "smb",
        0xFF53_4D42: "cifs",
        0xFE53_4D42: "smb2",
        0x6573_5546: "fuse",
        0x00C3_6400: "ceph",
        0x5346_414F: "afs",
        0x6B41_4653: "kafs",
        0x0102_1997: "9p",
        0x7375_7245: "coda",
        0x564C: "ncp",
        0x7461_636F: "ocfs2",
        0x0116_1970: "gfs2",
        0x0BD0_0BD0: "lustre",
        0x4750_4653: "gpfs",
        0x2003_0528: "orangefs",
    ]

    /// Local filesystems frs is commonly run on, for messages.
    public static let localMagics: [UInt32: String] = [
        0xEF53: "ext4", 0x5846_5342: "xfs", 0x9123_683E: "btrfs", 0x0102_1994: "tmpfs",
        0x794C_7630: "overlayfs", 0x2FC1_2FC1: "zfs", 0xF2F5_2010: "f2fs", 0x4D44: "vfat",
    ]

    /// Classifies a `statfs` magic number; anything not known as a network filesystem is local.
    public static func classify(magic: UInt32) -> FileSystemKind {
        if let name = networkMagics[magic] { return FileSystemKind(magic: magic, name: name, isNetwork: true) }
        let name = localMagics[magic] ?? "0x" + String(magic, radix: 16)
        return FileSystemKind(magic: magic, name: name, isNetwork: false)
    }

    /// The filesystem `path` is on.
    /// - Throws: ``SystemCallError`` if `statfs` fails (e.g. the path does not exist).
    public static func of(_ path: String) throws(SystemCallError) -> FileSystemKind {
        var magic: UInt32 = 0
        try SystemCall.run("statfs", path: path) { () -> Int32 in
            var failed: Int32 = 0
            magic = cstatfs_type(path, &failed)
            return failed != 0 ? -1 : 0
        }
        return classify(magic: magic)
    }

    /// Refuses a path on a network filesystem.
    ///
    /// - Parameters:
    ///   - path: a spool or state directory.
    ///   - what: what it is, for the message (`"spool directory"`).
    /// - Throws: ``NetworkFileSystemError`` naming the path and filesystem, or ``SystemCallError``.
    public static func requireLocal(_ path: String, what: String) throws {
        let kind = try of(path)
        if kind.isNetwork { throw NetworkFileSystemError(path: path, what: what, kind: kind) }
    }

    public var description: String { "\(name) (statfs magic 0x\(String(magic, radix: 16)))" }
}

/// A spool or state directory is on a network filesystem, where the spool's claims, database and
/// locks are not safe.
public struct NetworkFileSystemError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The directory.
    public var path: String
    /// What it is (`"spool directory"`).
    public var what: String
    /// The filesystem found.
    public var kind: FileSystemKind

    public init(path: String, what: String, kind: FileSystemKind) {
        self.path = path
        self.what = what
        self.kind = kind
    }

    public var description: String {
        "\(what) \(path) is on a network filesystem, \(kind): claims (rename with RENAME_NOREPLACE), "
            + "the SQLite WAL and flock leases are not reliable there, so a daemon refuses it; put the spool on a "
            + "local filesystem (several daemons may share one spool on one host)"
    }
}
