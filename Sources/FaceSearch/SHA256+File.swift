import Hashing
import SystemCalls

extension SHA256 {
    /// The SHA-256 of a file's contents as 64 lowercase hexadecimal digits, streamed in 1 MiB chunks
    /// through ``SystemCalls/FileDescriptor`` (the one libc layer).
    ///
    /// - Parameter path: the file to hash (opened without following a symbolic link at its end).
    /// - Returns: the hex digest.
    /// - Throws: ``SystemCalls/SystemCallError`` when it cannot be opened or read.
    /// - Complexity: O(file size) time, O(1 MiB) memory.
    public static func hexOfFile(atPath path: String) throws(SystemCallError) -> String {
        let fd = try FileDescriptor.openNoFollow(path)
        defer { fd.closeIgnoringErrors() }
        var hasher = SHA256()
        try fd.forEachChunk { hasher.update($0) }
        return hasher.finalize().hexString
    }
}
