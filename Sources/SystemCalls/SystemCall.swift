import Glibc

/// The one place libc calls go through: retry on `EINTR`, attach `errno` and the path, and trap
/// only on the errors that mean a bug in this program (as swift-nio's `SystemCallHelpers.swift`).
public enum SystemCall {
    /// Runs a libc call that returns `-1` and sets `errno` on failure.
    ///
    /// - Parameters:
    ///   - name: the function's name, for the error.
    ///   - path: the path it works on, for the error.
    ///   - body: the call; run again as long as it fails with `EINTR`.
    /// - Returns: the call's non-negative result.
    /// - Throws: ``SystemCallError`` for every other failure.
    @discardableResult
    @inline(__always)
    public static func run<T: FixedWidthInteger>(
        _ name: String, path: String? = nil, _ body: () -> T
    ) throws(SystemCallError) -> T {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = errno
            if code == EINTR { continue }
            // A bad pointer is a bug in this program, never an input error.
            precondition(code != EFAULT, "\(name) was given a bad address")
            throw SystemCallError(call: name, errno: code, path: path)
        }
    }

    /// Runs a libc call that returns a pointer, `nil` with `errno` on failure (`opendir`, `realpath`).
    @inline(__always)
    public static func runPointer<P>(
        _ name: String, path: String? = nil, _ body: () -> P?
    ) throws(SystemCallError) -> P {
        while true {
            errno = 0
            if let result = body() { return result }
            let code = errno
            if code == EINTR { continue }
            throw SystemCallError(call: name, errno: code, path: path)
        }
    }
}
