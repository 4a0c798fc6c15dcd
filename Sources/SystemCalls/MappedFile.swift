import Glibc

/// A file mapped read-only into memory (`mmap(2)` with `MAP_SHARED`), unmapped when released.
///
/// The mapping stays valid after the file is unlinked. ``release(offset:length:)`` drops pages from
/// this process's memory (`madvise(MADV_DONTNEED)`): a later read faults them back in from the page
/// cache or the file, so a large file can be read once and kept mapped without staying resident.
public final class MappedFile: @unchecked Sendable {
    /// The first byte of the mapping.
    public let base: UnsafeMutableRawPointer
    /// The mapping's length in bytes.
    public let length: Int

    /// Maps `length` bytes of the open file `fd` from its start, read-only.
    /// - Throws: ``SystemCallError`` from `mmap`.
    public init(_ fd: FileDescriptor, length: Int) throws(SystemCallError) {
        guard let mapped = mmap(nil, length, PROT_READ, MAP_SHARED, fd.rawValue, 0), mapped != MAP_FAILED else {
            throw SystemCallError(call: "mmap", errno: errno)
        }
        base = mapped
        self.length = length
    }

    /// Drops the whole pages within `offset..<offset + length` from this process's memory.
    public func release(offset: Int = 0, length: Int? = nil) {
        let end = offset + (length ?? self.length - offset)
        let lo = (offset + 4095) & ~4095, hi = end & ~4095
        if hi > lo { madvise(base + lo, hi - lo, MADV_DONTNEED) }
    }

    deinit { munmap(base, length) }
}
