import Glibc

/// A failed libc call: which call, the `errno` it set, and the path it worked on.
///
/// Thrown by every wrapper in this module. `errno` is kept as a number so callers can react to
/// expected outcomes (`ENOENT` for the loser of a claim race, `EEXIST`, `ELOOP` for a symlink
/// opened with `O_NOFOLLOW`) without parsing messages.
public struct SystemCallError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The libc function, e.g. `"rename"`.
    public var call: String
    /// The `errno` value the call left.
    public var errno: Int32
    /// The path (or paths, `from -> to`) the call worked on, if any.
    public var path: String?

    public init(call: String, errno: Int32, path: String? = nil) {
        self.call = call
        self.errno = errno
        self.path = path
    }

    /// The C library's text for ``errno``.
    public var message: String { String(cString: strerror(errno)) }

    public var description: String {
        if let path { return "\(call)(\(path)): \(message) (errno \(errno))" }
        return "\(call): \(message) (errno \(errno))"
    }
}
