#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The audit log could not be written or read.
public struct AuditError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure: a closed set.
    public enum Code: String, Sendable, Equatable {
        /// A system call failed (see ``AuditError/errno``).
        case systemCall = "system-call"
        /// The last record of the log cannot be read, so the chain cannot be continued safely.
        case corruptTail = "corrupt-tail"
        /// A record line could not be parsed.
        case malformedRecord = "malformed-record"
        /// The event would make a line longer than ``AuditLog/maximumLineBytes``.
        case recordTooLarge = "record-too-large"
        /// The log ends before (or elsewhere than) its head anchor: records were removed from its
        /// end, so it must not be continued.
        case behindAnchor = "behind-anchor"
        /// The head anchor file cannot be read or is not `SEQ:HASH`.
        case badAnchor = "bad-anchor"
    }

    /// What kind of failure.
    public var code: Code
    /// What went wrong and what to do.
    public var message: String
    /// The file or directory concerned.
    public var path: String
    /// The 1-based line, for record errors.
    public var line: Int?
    /// The `errno` of a failed system call.
    public var errno: Int32?

    public init(code: Code, message: String, path: String, line: Int? = nil, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.line = line
        self.errno = errno
    }

    public var description: String {
        var text = line.map { "\(path):\($0): \(message)" } ?? "\(path): \(message)"
        if let errno { text += " (\(String(cString: strerror(errno))))" }
        return text
    }
}
