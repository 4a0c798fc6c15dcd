import Glibc

/// A lock on a file with `flock(2)`: between processes, and between threads of one process
/// (each ``withLock(_:_:)`` opens its own descriptor, so each holder has its own open file
/// description, which is what `flock` locks).
///
/// The lock is released when the body returns or throws, and by the kernel when the process dies,
/// so a crashed daemon never leaves a lock behind.
public struct FileLock: Sendable {
    /// A shared (readers) or exclusive (writer) lock.
    public enum Kind: Sendable {
        /// Many holders at once.
        case shared
        /// One holder, no shared holders.
        case exclusive
    }

    /// The lock file; created (mode 0600) on first use.
    public let path: String

    public init(path: String) { self.path = path }

    /// Runs `body` holding the lock, waiting for it.
    /// - Throws: ``SystemCallError`` from opening or locking, or what `body` throws.
    public func withLock<T>(_ kind: Kind = .exclusive, _ body: () throws -> T) throws -> T {
        let fd = try FileDescriptor.open(path, flags: O_RDWR | O_CREAT | O_NOFOLLOW, mode: 0o600)
        defer { fd.closeIgnoringErrors() }
        try fd.lock(kind, wait: true)
        return try body()
    }

    /// Runs `body` holding the lock if it is free now; returns `nil` without running it otherwise.
    public func withLockIfAvailable<T>(_ kind: Kind = .exclusive, _ body: () throws -> T) throws -> T? {
        let fd = try FileDescriptor.open(path, flags: O_RDWR | O_CREAT | O_NOFOLLOW, mode: 0o600)
        defer { fd.closeIgnoringErrors() }
        guard try fd.lock(kind, wait: false) else { return nil }
        return try body()
    }

    /// Whether any process holds (or waits for) a `flock(2)` lock on the file `status` describes,
    /// from `/proc/locks`. Used for a file that cannot be opened, so cannot be test-locked.
    /// Answers `true` when `/proc/locks` cannot be read: the caller then leaves the file alone.
    public static func isHeld(on status: FileStatus) -> Bool {
        isHeld(device: status.device, inode: status.inode) ?? true
    }

    /// Whether any process holds (or waits for) a `flock(2)` lock on the file with this device and
    /// inode number, from `/proc/locks`; `nil` when `/proc/locks` cannot be read.
    public static func isHeld(device: UInt64, inode: UInt64) -> Bool? {
        guard let bytes = try? DurableFile.read("/proc/locks", limit: 64 << 20) else { return nil }
        let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~UInt64(0xfff))
        let minor = (device & 0xff) | ((device >> 12) & ~UInt64(0xff))
        let wanted = String(major, radix: 16) + ":" + String(minor, radix: 16) + ":" + String(inode)
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.contains("FLOCK"), let file = fields.first(where: { $0.filter { $0 == ":" }.count == 2 }) else {
                continue
            }
            // "%02x:%02x:%lu": compare the numbers, not the zero padding.
            let parts = file.split(separator: ":")
            let normalized = parts.prefix(2).map { String(UInt64($0, radix: 16) ?? .max, radix: 16) } + [String(parts[2])]
            if normalized.joined(separator: ":") == wanted { return true }
        }
        return false
    }
}
