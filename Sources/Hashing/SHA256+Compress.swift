// The SHA-256 compression function: the one hot loop of this module.

extension SHA256 {
    /// The 64 round constants K0…K63 (FIPS 180-4, 4.2.2).
    static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    /// Compresses `count` consecutive 64-byte blocks into ``state``.
    ///
    /// Memory layout assumed: `blocks` points at `count * 64` readable bytes, any alignment; each
    /// block is sixteen big-endian 32-bit words (FIPS 180-4, 5.2.1). The message schedule W0…W63
    /// lives in a 64-word scratch buffer allocated once per call, and the round constants are read
    /// through an unsafe pointer, so the loop has no bounds or copy-on-write checks. The rounds are
    /// unrolled eight at a time with the working variables passed in rotated order, so no value
    /// is moved between variables (the compiler otherwise shuffles them through vector registers).
    ///
    /// - Complexity: O(count).
    mutating func compress(blocks: UnsafeRawPointer, count: Int) {
        var h0 = state[0], h1 = state[1], h2 = state[2], h3 = state[3]
        var h4 = state[4], h5 = state[5], h6 = state[6], h7 = state[7]
        SHA256.roundConstants.withUnsafeBufferPointer { kBuffer in
            let k = kBuffer.baseAddress!
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { wBuffer in
                let w = wBuffer.baseAddress!
                for block in 0..<count {
                    let p = blocks + block &* SHA256.blockByteCount
                    for t in 0..<16 {
                        w[t] = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: t &* 4, as: UInt32.self))
                    }
                    var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
                    var bc = b ^ c // b XOR c of the next round, for the majority function
                    var t = 0
                    while t < 64 {
                        if t >= 16 { schedule(w, t) }
                        round(a, b, c, &d, e, f, g, &h, k[t] &+ w[t], &bc)
                        round(h, a, b, &c, d, e, f, &g, k[t &+ 1] &+ w[t &+ 1], &bc)
                        round(g, h, a, &b, c, d, e, &f, k[t &+ 2] &+ w[t &+ 2], &bc)
                        round(f, g, h, &a, b, c, d, &e, k[t &+ 3] &+ w[t &+ 3], &bc)
                        round(e, f, g, &h, a, b, c, &d, k[t &+ 4] &+ w[t &+ 4], &bc)
                        round(d, e, f, &g, h, a, b, &c, k[t &+ 5] &+ w[t &+ 5], &bc)
                        round(c, d, e, &f, g, h, a, &b, k[t &+ 6] &+ w[t &+ 6], &bc)
                        round(b, c, d, &e, f, g, h, &a, k[t &+ 7] &+ w[t &+ 7], &bc)
                        t &+= 8
                    }
                    h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
                    h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
                }
            }
        }
        state = SIMD8(h0, h1, h2, h3, h4, h5, h6, h7)
    }
}

/// Expands the message schedule W[t]…W[t+7] (FIPS 180-4, 6.2.2 step 1), interleaved with the
/// rounds so that the independent schedule arithmetic overlaps the rounds' dependency chain.
@inline(__always)
private func schedule(_ w: UnsafeMutablePointer<UInt32>, _ t: Int) {
    for i in t..<(t &+ 8) {
        let w15 = w[i &- 15]
        let w2 = w[i &- 2]
        let s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3)
        let s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10)
        w[i] = w[i &- 16] &+ s0 &+ w[i &- 7] &+ s1
    }
}

/// One SHA-256 round (FIPS 180-4, 6.2.2 step 3) without the variable shuffle: `d += T1` and
/// `h = T1 + T2`; the caller rotates the roles of the eight variables instead.
///
/// Two standard rewrites save instructions: Σ0 and Σ1 as nested rotations
/// (`ROTR6(ROTR5(ROTR14(e) ^ e) ^ e)` = `ROTR6 ^ ROTR11 ^ ROTR25`, which needs no copies of `e`),
/// and Maj(a, b, c) = `b ^ ((a ^ b) & (b ^ c))`, where this round's `a ^ b` is the next round's
/// `b ^ c` (carried in `bc`).
@inline(__always)
private func round(
    _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
    _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ kw: UInt32, _ bc: inout UInt32
) {
    let sigma1 = rotr(rotr(rotr(e, 14) ^ e, 5) ^ e, 6)
    let t1 = h &+ sigma1 &+ (g ^ (e & (f ^ g))) &+ kw
    let ab = a ^ b
    let majority = b ^ (ab & bc)
    bc = ab
    let sigma0 = rotr(rotr(rotr(a, 9) ^ a, 11) ^ a, 2)
    d &+= t1
    h = t1 &+ sigma0 &+ majority
}

/// Rotates right by `n` bits (0 < n < 32).
@inline(__always)
private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
    (x >> n) | (x << (32 &- n))
}
