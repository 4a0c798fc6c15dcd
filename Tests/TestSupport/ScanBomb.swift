/// Progressive JPEGs made of many empty scans: a few bytes per scan, yet libjpeg decodes every
/// scan over the whole image (an 8000×8000 file of 3,000 scans is 30 KB and held a worker for a
/// minute before the decoder's limits). Built by hand, marker by marker, so tests need no encoder.
public enum ScanBomb {
    /// A greyscale progressive (SOF2) JPEG declaring `width`×`height`, with one DC scan and then
    /// `scans - 1` AC scans (1…63), none carrying entropy-coded data.
    public static func jpeg(width: Int, height: Int, scans: Int) -> [UInt8] {
        precondition(width > 0 && width < 65536 && height > 0 && height < 65536 && scans >= 1)
        var out: [UInt8] = [0xFF, 0xD8]
        func segment(_ marker: UInt8, _ body: [UInt8]) {
            let length = body.count + 2
            out += [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)] + body
        }
        segment(0xDB, [0x00] + [UInt8](repeating: 1, count: 64))  // DQT: table 0, all ones
        segment(0xC2, [8, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF),
                       1, 1, 0x11, 0])  // SOF2: 8 bits, one component (id 1, 1×1 sampling, table 0)
        // Huffman tables with one 1-bit code for symbol 0 (DC: no difference; AC: end of band).
        let oneCode: [UInt8] = [1] + [UInt8](repeating: 0, count: 15) + [0]
        segment(0xC4, [0x00] + oneCode)  // DC table 0
        segment(0xC4, [0x10] + oneCode)  // AC table 0
        segment(0xDA, [1, 1, 0x00, 0, 0, 0x00])  // the DC scan: Ss = Se = 0
        for _ in 1..<scans {
            segment(0xDA, [1, 1, 0x00, 1, 63, 0x00])  // an AC scan: Ss = 1, Se = 63, no data
        }
        out += [0xFF, 0xD9]
        return out
    }
}
