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
}
