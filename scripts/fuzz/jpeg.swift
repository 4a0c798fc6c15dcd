// libFuzzer harness: the JPEG decode path (header, then a decode at every DCT scale) with the
// decoder's default limits, as the face analyzer uses it. Built by scripts/fuzz.sh.
import Imaging

let decoder = JPEGDecoder()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJPEG(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let header: JPEGHeader
    do {
        header = try decoder.header(of: bytes)
    } catch {
        // Without a readable header no decode may succeed.
        for scale in JPEGScale.allCases {
            if let image = try? decoder.decode(bytes, scale: scale) {
                preconditionFailure("decoded \(image.width)x\(image.height) at 1/\(scale.rawValue) but header(of:) threw \(error)")
            }
        }
        return 0
    }
    for scale in JPEGScale.allCases {
        guard let image = try? decoder.decode(bytes, scale: scale) else { continue }
        // A decoded image has the header's size, divided by the scale (rounded up) and oriented.
        let d = scale.rawValue
        var w = (header.width + d - 1) / d, h = (header.height + d - 1) / d
        if header.orientation.swapsAxes { swap(&w, &h) }
        precondition(image.width == w && image.height == h,
                     "1/\(d): decoded \(image.width)x\(image.height), header says \(header.width)x\(header.height) \(header.orientation)")
        precondition(image.pixels.count == w * h * 3, "pixel buffer of \(image.pixels.count) bytes for \(w)x\(h)")
    }
    return 0
}
