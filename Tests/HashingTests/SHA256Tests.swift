import Foundation
import Hashing
import Testing

@Suite("SHA256")
struct SHA256Tests {
    /// FIPS 180-4 / NIST CSHS example vectors.
    static let vectors: [(message: String, digest: String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
    ]

    @Test("NIST example vectors", arguments: 0..<4)
    func nistVectors(_ i: Int) {
        let (message, digest) = Self.vectors[i]
        #expect(SHA256.hex(Array(message.utf8)) == digest)
        #expect(SHA256.hash(message.utf8).hexString == digest)
    }

    @Test("one million 'a'")
    func millionA() {
        let digest = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)) == digest)
        // The same fed in uneven pieces through both update paths.
        var h = SHA256()
        var fed = 0
        var piece = 1
        while fed < 1_000_000 {
            let n = min(piece, 1_000_000 - fed)
            if piece % 2 == 0 {
                h.update([UInt8](repeating: UInt8(ascii: "a"), count: n))
            } else {
                h.update(repeatElement(UInt8(ascii: "a"), count: n)) // not contiguous: the byte path
            }
            fed += n
            piece = piece * 3 % 9973 + 1
        }
        #expect(h.finalize().hexString == digest)
    }

    @Test("chunked updates at every split point equal one-shot hashing")
    func everySplitPoint() {
        // 200 bytes cover splits inside and across block boundaries and padding edge cases.
        let message = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let whole = SHA256.hash(message)
        for split in 0...message.count {
            for second in split...min(message.count, split + 70) {
                var h = SHA256()
                h.update(message[..<split])
                h.update(message[split..<second])
                h.update(message[second...])
                #expect(h.finalize() == whole, "split at \(split), \(second)")
            }
        }
    }

    @Test("lengths around the padding boundary, one-shot and byte by byte")
    func paddingBoundaries() {
        // Known digests of "a" repeated n times, from a reference implementation (coreutils sha256sum).
        let known: [Int: String] = [
            55: "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
            56: "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
            63: "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34",
            64: "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
            65: "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0",
            119: "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb",
            120: "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c",
        ]
        for (n, digest) in known {
            let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: n)
            #expect(SHA256.hex(bytes) == digest, "length \(n)")
            var h = SHA256()
            for b in bytes { h.update(CollectionOfOne(b)) }
            #expect(h.finalize().hexString == digest, "length \(n), byte by byte")
        }
    }

    @Test("raw buffer fast path")
    func rawBuffer() {
        let message = Array("abc".utf8)
        var h = SHA256()
        message.withUnsafeBytes { h.update($0) }
        #expect(h.finalize().hexString == Self.vectors[1].digest)
    }

    @Test("hexString")
    func hex() {
        #expect([0x00, 0x0f, 0xa0, 0xff].hexString == "000fa0ff")
        #expect([UInt8]().hexString == "")
    }
}
