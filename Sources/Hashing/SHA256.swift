/// SHA-256 (FIPS 180-4), incremental.
///
/// Feed bytes with ``update(_:)`` in any number of pieces, then call ``finalize()`` once for the
/// 32-byte digest. For one-shot use, ``hash(_:)`` and ``hex(_:)``; for files, `SHA256.hexOfFile(atPath:)` in FaceSearch (it reads through SystemCalls)
/// streams the file in 1 MiB chunks.
///
/// ```swift
/// var h = SHA256()
/// h.update("ab".utf8)
/// h.update("c".utf8)
/// h.finalize().hexString  // "ba7816bf…"
/// ```
///
/// Whole 64-byte blocks are compressed straight from the caller's memory (see
/// `SHA256+Compress.swift`); only a partial block at the end of an update is copied into the
/// internal buffer.
public struct SHA256: Sendable {
    /// The digest length in bytes.
    public static let digestByteCount = 32
    /// The block length in bytes.
    public static let blockByteCount = 64

    /// The eight working hash words H0…H7.
    var state: SIMD8<UInt32> = SHA256.initialState
    /// Bytes of a partial block not yet compressed (always fewer than 64).
    var pending: [UInt8] = []
    /// Total message length so far in bytes.
    var length: UInt64 = 0
    /// Set by ``finalize()``; further updates are a programming error.
    var finalized = false

    static let initialState = SIMD8<UInt32>(
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a,
        0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )

    /// Creates a hasher for a new message.
    public init() {
        pending.reserveCapacity(SHA256.blockByteCount)
    }

    /// Adds bytes to the message.
    ///
    /// Contiguous collections (arrays, `Data`, `String.UTF8View` of native strings) take the fast
    /// path; other sequences are consumed byte by byte.
    ///
    /// - Parameter bytes: the next bytes of the message.
    /// - Complexity: O(n).
    public mutating func update<B: Sequence>(_ bytes: B) where B.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if done != nil { return }
        precondition(!finalized, "SHA256.update after finalize")
        for byte in bytes {
            pending.append(byte)
            length &+= 1
            if pending.count == SHA256.blockByteCount {
                pending.withUnsafeBytes { compress(blocks: $0.baseAddress!, count: 1) }
                pending.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Adds raw bytes to the message (the fast path).
    ///
    /// - Parameter buffer: the next bytes of the message.
    /// - Complexity: O(n).
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        precondition(!finalized, "SHA256.update after finalize")
        guard var base = buffer.baseAddress, buffer.count > 0 else { return }
        var remaining = buffer.count
        length &+= UInt64(remaining)
        if !pending.isEmpty {
            let take = min(SHA256.blockByteCount - pending.count, remaining)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
            base += take
            remaining -= take
            if pending.count < SHA256.blockByteCount { return }
            pending.withUnsafeBytes { compress(blocks: $0.baseAddress!, count: 1) }
            pending.removeAll(keepingCapacity: true)
        }
        let blocks = remaining / SHA256.blockByteCount
        if blocks > 0 {
            compress(blocks: base, count: blocks)
            base += blocks * SHA256.blockByteCount
            remaining -= blocks * SHA256.blockByteCount
        }
        if remaining > 0 {
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: remaining))
        }
    }

    /// Pads the message and returns the 32-byte digest.
    ///
    /// Call once; the hasher cannot be used afterwards.
    public mutating func finalize() -> [UInt8] {
        precondition(!finalized, "SHA256.finalize called twice")
        let bitLength = length &* 8
        var tail = pending
        tail.append(0x80)
        while tail.count % SHA256.blockByteCount != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) {
            tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        tail.withUnsafeBytes { compress(blocks: $0.baseAddress!, count: tail.count / SHA256.blockByteCount) }
        pending.removeAll()
        finalized = true
        var digest = [UInt8]()
        digest.reserveCapacity(SHA256.digestByteCount)
        for i in 0..<8 {
            let word = state[i]
            digest.append(UInt8(truncatingIfNeeded: word >> 24))
            digest.append(UInt8(truncatingIfNeeded: word >> 16))
            digest.append(UInt8(truncatingIfNeeded: word >> 8))
            digest.append(UInt8(truncatingIfNeeded: word))
        }
        return digest
    }

    /// The digest of a whole message.
    public static func hash<B: Sequence>(_ bytes: B) -> [UInt8] where B.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest of a whole message as 64 lowercase hexadecimal digits.
    public static func hex<B: Sequence>(_ bytes: B) -> String where B.Element == UInt8 {
        hash(bytes).hexString
    }
}
