import Glibc
import Synchronization

/// Files that root creates inside a spool owned by a service account belong to that account.
///
/// The spool is the daemon's: its database, audit log and head anchor, status boards, gallery
/// cache and reports must stay writable by the service account whoever runs a command. Root runs
/// `frs agency add`, `user add`, `gallery enroll`, `disclose`… on such a spool; without this, every
/// file those commands create or replace (a new audit head, a board, the cache) would be root's,
/// and the daemon would stop at its next write. So when root acts on a spool that another account
/// owns (``actAsService(spoolRoot:uid:)``, set once by the command line), every file and directory
/// that the libc layer creates below the spool (``FileDescriptor/open(_:flags:mode:)`` with
/// `O_CREAT`, ``Directory/create(_:mode:)``, ``DurableFile/write(_:to:via:mode:group:)`` by its
/// destination) is given to the spool's owner at once, before anything is written to it or it is
/// renamed into place. The drop boxes (`tmp/`, `incoming/`) are the exception: a file there is a
/// person's request, and its owner is its identity (root's `frs submit` is root's job). Its group is left as made (the directory's for setgid directories such as the
/// audit log and the boards, or the one the caller sets). Files outside the spool (a disclosure
/// packet written to `--out`) stay root's, and no other account is affected (only root may give
/// files away).
public enum ServiceOwnership {
    private static let service = Mutex<(roots: [String], dropBoxes: [String], uid: UInt32)?>(nil)

    /// From now on, files root creates below `spoolRoot` belong to `uid`. Does nothing unless this
    /// process runs as root and `uid` is not root.
    public static func actAsService(spoolRoot: String, uid: UInt32) {
        guard geteuid() == 0, uid != 0 else { return }
        var root = spoolRoot
        while root.count > 1, root.hasSuffix("/") { root.removeLast() }
        var roots = [root]
        if let canonical = try? Directory.canonicalPath(root), canonical != root { roots.append(canonical) }
        let dropBoxes = roots.flatMap { [$0 + "/tmp", $0 + "/incoming"] }
        service.withLock { $0 = (roots, dropBoxes, uid) }
    }

    /// Stops giving files away (tests).
    public static func reset() { service.withLock { $0 = nil } }

    /// The account a new file at `path` must belong to, or `nil` to keep the creator's.
    public static func owner(for path: String) -> UInt32? {
        service.withLock { state in
            guard let state else { return nil }
            func within(_ directory: String) -> Bool { path == directory || path.hasPrefix(directory + "/") }
            guard state.roots.contains(where: within), !state.dropBoxes.contains(where: within) else { return nil }
            return state.uid
        }
    }

    /// Gives a just-created file (open as `fd`) to the spool's owner when ``owner(for:)`` says so.
    public static func adopt(_ fd: Int32, path: String) throws(SystemCallError) {
        guard let uid = owner(for: path) else { return }
        try SystemCall.run("fchown", path: path) { fchown(fd, uid_t(uid), gid_t.max) }
    }

    /// Gives a just-created directory (or file) at `path` to the spool's owner when ``owner(for:)`` says so.
    public static func adopt(path: String) throws(SystemCallError) {
        guard let uid = owner(for: path) else { return }
        try SystemCall.run("lchown", path: path) { lchown(path, uid_t(uid), gid_t.max) }
    }
}
