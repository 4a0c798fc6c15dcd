#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file could not be read for hashing.
public struct HashingError: Error, Equatable, CustomStringConvertible {
    /// What failed: `open` or `read`.
    public var operation: String
    /// The file's path.
    public var path: String
    /// The `errno` value.
    public var errno: Int32

    public var description: String {
        "cannot \(operation) \(path): \(String(cString: strerror(errno)))"
    }
}

extension SHA256 {
    /// The size of the chunks ``hexOfFile(atPath:)`` reads.
    public static let fileChunkByteCount = 1 << 20

    /// The SHA-256 of a file's contents as 64 lowercase hexadecimal digits, read in 1 MiB chunks.
    ///
    /// - Parameter path: the file to hash.
    /// - Returns: the hex digest.
    /// - Throws: ``HashingError`` if the file cannot be opened or read.
    /// - Complexity: O(file size) time, O(1 MiB) memory.
    public static func hexOfFile(atPath path: String) throws -> String {
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw HashingError(operation: "open", path: path, errno: errno) }
        defer { _ = close(fd) }
        var hasher = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: fileChunkByteCount, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw HashingError(operation: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return hasher.finalize().hexString
    }
}
