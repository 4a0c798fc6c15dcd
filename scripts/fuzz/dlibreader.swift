// libFuzzer harness: DlibReader's primitives, driven by the input itself: each step reads an
// opcode byte and then the item it names, until an error or the end. Built by scripts/fuzz.sh.
import DlibFormat

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDlibReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    var r = DlibReader(bytes: bytes, context: "fuzz")
    _ = r.peekString()
    do {
        while !r.isAtEnd {
            let before = r.offset
            switch try r.readByte() % 14 {
            case 0: _ = try r.readInt64()
            case 1: _ = try r.readInt32()
            case 2: _ = try r.readUInt64()
            case 3: _ = try r.readCount(limit: 1 << 20)
            case 4: _ = try r.readDouble()
            case 5: _ = try r.readFloat()
            case 6: _ = try r.readBool()
            case 7: _ = try r.readString()
            case 8: try r.expectString("con_4")
            case 9: _ = try r.expectString(oneOf: ["relu_", "relu_2"])
            case 10:
                let m = try r.readFloatMatrix()
                precondition(m.values.count == m.rows * m.cols, "matrix of \(m.values.count) for \(m.rows)x\(m.cols)")
            case 11:
                let t = try r.readTensor()
                precondition(t.values.count == t.n * t.k * t.nr * t.nc, "tensor values")
            case 12: _ = try r.readAliasTensor()
            default: _ = r.peekString(); try r.expectInt(1, "version")
            }
            precondition(r.offset > before && r.offset <= bytes.count, "offset \(r.offset) after \(before)")
        }
    } catch {
        precondition(error.offset >= 0 && error.offset <= bytes.count, "error offset \(error.offset) outside the \(bytes.count) bytes")
        _ = error.description
    }
    return 0
}
