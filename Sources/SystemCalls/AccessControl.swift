import Glibc

/// POSIX access control lists, for handing a private file to exactly one other account.
///
/// A submitter's job file and images must be readable by the daemon's account and by no one else.
/// Mode bits cannot say that (the daemon is neither the file's owner nor, in general, in its
/// group), so `frs submit` makes them 0600 and adds one ACL entry, `user:<daemon>:r`, written as the
/// kernel's `system.posix_acl_access` attribute (no libacl needed). On a filesystem without ACLs the
/// caller falls back to mode bits.
public enum AccessControl {
    /// Read.
    public static let read: UInt16 = 4
    /// Read and search (a directory the other account must list and read from).
    public static let readSearch: UInt16 = 5
    /// Read, write and search (a directory the other account must list and empty).
    public static let readWriteSearch: UInt16 = 7

    /// Sets the ACL of `path` to: the owner `ownerPermissions`, account `uid` `permissions`, the
    /// owning group and everyone else nothing.
    /// - Returns: `false` when the filesystem does not support ACLs (`EOPNOTSUPP`); the mode is then unchanged.
    /// - Throws: ``SystemCallError`` for any other failure.
    @discardableResult
    public static func grant(_ path: String, to uid: UInt32, permissions: UInt16,
                             ownerPermissions: UInt16) throws(SystemCallError) -> Bool {
        let value = encode(ownerPermissions: ownerPermissions, uid: uid, permissions: permissions)
        guard let setxattr = Self.setxattr else { return false }
        do {
            try SystemCall.run("setxattr", path: path) {
                value.withUnsafeBytes { setxattr(path, "system.posix_acl_access", $0.baseAddress, $0.count, 0) }
            }
            return true
        } catch {
            if error.errno == EOPNOTSUPP { return false }
            throw error
        }
    }

    /// Makes `path` readable by account `uid` as well as its owner: 0600/0700-style bits with one ACL
    /// entry (``grant(_:to:permissions:ownerPermissions:)``), or, on a filesystem without ACLs,
    /// `fallbackMode` (an unlistable place and an unguessable name then keep it from others).
    /// - Returns: whether the ACL was set (`false`: the fallback mode was).
    @discardableResult
    public static func grantOrOpen(_ path: String, to uid: UInt32, permissions: UInt16, ownerPermissions: UInt16,
                                   fallbackMode: mode_t) throws(SystemCallError) -> Bool {
        if try grant(path, to: uid, permissions: permissions, ownerPermissions: ownerPermissions) { return true }
        try FileStatus.setPermissions(of: path, to: fallbackMode)
        return false
    }

    private typealias SetXattr = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeRawPointer?, Int, Int32) -> Int32

    /// glibc's `setxattr`, looked up at run time: the Glibc module does not export `<sys/xattr.h>`.
    private static let setxattr: SetXattr? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setxattr") else { return nil }
        return unsafeBitCast(symbol, to: SetXattr.self)
    }()

    /// The attribute's bytes (Linux `posix_acl_xattr`: a version-2 header, then tag, permissions and
    /// id per entry, little-endian, in tag order).
    public static func encode(ownerPermissions: UInt16, uid: UInt32, permissions: UInt16) -> [UInt8] {
        let undefined = UInt32.max
        let entries: [(tag: UInt16, perm: UInt16, id: UInt32)] = [
            (0x01, ownerPermissions, undefined),  // ACL_USER_OBJ
            (0x02, permissions, uid),             // ACL_USER
            (0x04, 0, undefined),                 // ACL_GROUP_OBJ
            (0x10, permissions, undefined),       // ACL_MASK
            (0x20, 0, undefined),                 // ACL_OTHER
        ]
        var bytes: [UInt8] = []
        func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        put(UInt32(2))
        for entry in entries {
            put(entry.tag)
            put(entry.perm)
            put(entry.id)
        }
        return bytes
    }
}
