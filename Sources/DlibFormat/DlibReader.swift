import Foundation

/// A cursor over a dlib serialization stream (`dlib::serialize` / `deserialize`).
///
/// dlib's stream is not self-describing: callers read the fields in the order the C++ object
/// wrote them. Every read checks bounds and format and throws a ``DlibFormatError`` naming the
/// byte offset and the current context (usually the layer being read), so a wrong, truncated or
/// corrupt model file is reported, never trapped on.
///
/// Format (see DLIB-FORMAT.md §1):
/// - integers: a control byte (bit 7 sign, bits 0–3 byte count 1…8) and that many little-endian
///   magnitude bytes;
/// - float/double: two integers, mantissa (int64) then exponent (int16), value = m·2^e;
/// - bool: ASCII '0' or '1'; strings and vectors: an unsigned count, then the items;
/// - matrices: −rows, −cols, then row-major elements; tensors: version, n, k, nr, nc and raw
///   little-endian float32 data.
public struct DlibReader {
    /// The whole stream.
    public let bytes: [UInt8]
    /// Offset of the next byte to read.
    public private(set) var offset: Int
    /// What is being read, for error messages (e.g. `"layer 12 (con_4)"`).
    public var context: String

    public init(bytes: [UInt8], context: String = "file") {
        self.bytes = bytes
        self.offset = 0
        self.context = context
    }

    /// Bytes not yet read.
    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset == bytes.count }

    /// Makes an error at the current offset (or at `offset`) in the current context.
    public func error(_ message: String, at offset: Int? = nil) -> DlibFormatError {
        DlibFormatError(message: message, offset: offset ?? self.offset, context: context)
    }

    // MARK: - Primitives

    /// One raw byte (C++ `char`, `unsigned char`).
    public mutating func readByte() throws(DlibFormatError) -> UInt8 {
        guard offset < bytes.count else { throw error("unexpected end of file") }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// A signed integer in dlib's variable-length format, checked against `Int64`'s range.
    public mutating func readInt64() throws(DlibFormatError) -> Int64 {
        let start = offset
        let control = try readByte()
        let count = Int(control & 0x0F)
        guard control & 0x70 == 0, count >= 1, count <= 8 else {
            throw error(String(format: "bad integer control byte 0x%02x", control), at: start)
        }
        guard remaining >= count else { throw error("unexpected end of file inside an integer", at: start) }
        var magnitude: UInt64 = 0
        for i in 0..<count {
            magnitude |= UInt64(bytes[offset + i]) << (8 * UInt64(i))
        }
        offset += count
        let negative = control & 0x80 != 0
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw error("integer out of range", at: start) }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw error("integer out of range", at: start) }
        return Int64(magnitude)
    }

    /// A signed integer that must fit `Int32` (C++ `int`).
    public mutating func readInt32() throws(DlibFormatError) -> Int32 {
        let start = offset
        let v = try readInt64()
        guard let r = Int32(exactly: v) else { throw error("integer \(v) does not fit a 32-bit int", at: start) }
        return r
    }

    /// An unsigned integer (C++ `unsigned long`, `size_t`). A set sign bit is an error, as in dlib.
    public mutating func readUInt64() throws(DlibFormatError) -> UInt64 {
        let start = offset
        guard offset < bytes.count else { throw error("unexpected end of file") }
        guard bytes[offset] & 0x80 == 0 else { throw error("negative value for an unsigned integer", at: start) }
        return UInt64(try readInt64())
    }

    /// An unsigned count or size, bounded by `limit` so corrupt files cannot ask for huge allocations.
    public mutating func readCount(limit: Int = 1 << 28) throws(DlibFormatError) -> Int {
        let start = offset
        let v = try readUInt64()
        guard v <= UInt64(limit) else { throw error("count \(v) exceeds the limit \(limit)", at: start) }
        return Int(v)
    }

    /// A real number's two integers (mantissa, exponent), with the legacy-format check.
    /// Special exponents: 32000 = +∞, 32001 = −∞, 32002 = NaN.
    private mutating func readRealParts(maxExponent: Int64) throws(DlibFormatError) -> (mantissa: Int64, exponent: Int64) {
        let start = offset
        guard offset < bytes.count else { throw error("unexpected end of file") }
        guard bytes[offset] & 0x70 == 0 else { throw error("old ASCII float format is not supported", at: start) }
        let mantissa = try readInt64()
        let exponent = try readInt64()
        // `magnitude`, not `abs`: abs(Int64.min) traps (found by fuzzing the shape predictor model).
        guard (32000...32002).contains(exponent) || exponent.magnitude <= maxExponent.magnitude else {
            throw error("float exponent \(exponent) out of range", at: start)
        }
        return (mantissa, exponent)
    }

    /// A real number written from a C++ `double`.
    public mutating func readDouble() throws(DlibFormatError) -> Double {
        let (mantissa, exponent) = try readRealParts(maxExponent: 2000)
        switch exponent {
        case 32000: return .infinity
        case 32001: return -.infinity
        case 32002: return .nan
        default: return Double(sign: .plus, exponent: Int(exponent), significand: Double(mantissa))
        }
    }

    /// A real number written from a C++ `float` (decoded exactly: mantissas have ≤ 24 bits).
    public mutating func readFloat() throws(DlibFormatError) -> Float {
        let (mantissa, exponent) = try readRealParts(maxExponent: 400)
        switch exponent {
        case 32000: return .infinity
        case 32001: return -.infinity
        case 32002: return .nan
        default: return Float(sign: .plus, exponent: Int(exponent), significand: Float(mantissa))
        }
    }

    /// A C++ `bool`: ASCII '0' or '1'.
    public mutating func readBool() throws(DlibFormatError) -> Bool {
        let start = offset
        switch try readByte() {
        case 0x30: return false
        case 0x31: return true
        case let b: throw error(String(format: "bad bool byte 0x%02x", b), at: start)
        }
    }

    /// A `std::string`: unsigned length, raw bytes.
    public mutating func readString(limit: Int = 1 << 16) throws(DlibFormatError) -> String {
        let start = offset
        let n = try readCount(limit: limit)
        guard remaining >= n else { throw error("unexpected end of file inside a string", at: start) }
        defer { offset += n }
        return String(decoding: bytes[offset..<offset + n], as: UTF8.self)
    }

    /// Reads a string and checks it is `expected` (a layer's version tag).
    public mutating func expectString(_ expected: String) throws(DlibFormatError) {
        let start = offset
        let s = try readString()
        guard s == expected else { throw error("expected \"\(expected)\", found \"\(s)\"", at: start) }
    }

    /// Reads a string and checks it is one of `accepted`; returns it.
    public mutating func expectString(oneOf accepted: [String]) throws(DlibFormatError) -> String {
        let start = offset
        let s = try readString()
        guard accepted.contains(s) else {
            throw error("expected one of \(accepted.map { "\"\($0)\"" }.joined(separator: ", ")), found \"\(s)\"", at: start)
        }
        return s
    }

    /// Reads a signed integer and checks it equals `expected` (a version number).
    public mutating func expectInt(_ expected: Int64, _ what: String) throws(DlibFormatError) {
        let start = offset
        let v = try readInt64()
        guard v == expected else { throw error("\(what): expected \(expected), found \(v)", at: start) }
    }

    /// Peeks a string without consuming it; `nil` when the next item is not a short printable string.
    public func peekString() -> String? {
        var copy = self
        guard let n = try? copy.readCount(limit: 64), copy.remaining >= n else { return nil }
        let slice = copy.bytes[copy.offset..<copy.offset + n]
        guard slice.allSatisfy({ $0 >= 32 && $0 < 127 }) else { return nil }
        return String(decoding: slice, as: UTF8.self)
    }

    // MARK: - Composite values

    /// A `dlib::matrix<float>`: dimensions (written negated), then row-major elements.
    /// - Returns: the elements and the (rows, cols) shape.
    public mutating func readFloatMatrix() throws(DlibFormatError) -> (values: [Float], rows: Int, cols: Int) {
        let start = offset
        let r = try readInt64(), c = try readInt64()
        // Bounded as UInt64 first: the magnitude of Int64.min (2^63) does not fit an Int.
        guard r.magnitude <= 1 << 24, c.magnitude <= 1 << 24, r.magnitude * c.magnitude <= 1 << 26 else {
            throw error("matrix of \(r.magnitude)x\(c.magnitude) is too large", at: start)
        }
        let rows = Int(r.magnitude), cols = Int(c.magnitude)
        var values = [Float]()
        values.reserveCapacity(rows * cols)
        for _ in 0..<(rows * cols) { values.append(try readFloat()) }
        return (values, rows, cols)
    }

    /// A `resizable_tensor`: version 2, n, k, nr, nc, then raw float32 data.
    public mutating func readTensor() throws(DlibFormatError) -> TensorRecord {
        let start = offset
        try expectInt(2, "tensor version")
        var dims = [Int]()
        for _ in 0..<4 {
            let d = try readInt64()
            guard d >= 0, d <= 1 << 28 else { throw error("bad tensor dimension \(d)", at: start) }
            dims.append(Int(d))
        }
        var count = 1
        for d in dims {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= 1 << 28 else {
                throw error("tensor of \(dims[0])x\(dims[1])x\(dims[2])x\(dims[3]) floats is too large", at: start)
            }
            count = product
        }
        guard remaining >= count * 4 else {
            throw error("tensor of \(dims[0])x\(dims[1])x\(dims[2])x\(dims[3]) truncated: needs \(count * 4) bytes, \(remaining) left", at: start)
        }
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBytes { dst in
            bytes.withUnsafeBytes { src in
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[offset..<offset + count * 4]))
            }
        }
        #if _endian(big)
        for i in values.indices { values[i] = Float(bitPattern: UInt32(littleEndian: values[i].bitPattern)) }
        #endif
        offset += count * 4
        return TensorRecord(n: dims[0], k: dims[1], nr: dims[2], nc: dims[3], values: values)
    }

    /// An `alias_tensor` (shape only): version 1, n, k, nr, nc.
    public mutating func readAliasTensor() throws(DlibFormatError) -> (n: Int, k: Int, nr: Int, nc: Int) {
        try expectInt(1, "alias_tensor version")
        let n = Int(try readInt64()), k = Int(try readInt64()), nr = Int(try readInt64()), nc = Int(try readInt64())
        return (n, k, nr, nc)
    }
}

/// A tensor as stored in a model file: shape (n, k, nr, nc) and NCHW float32 data.
public struct TensorRecord: Sendable, Equatable {
    public var n: Int, k: Int, nr: Int, nc: Int
    public var values: [Float]
    public var isEmpty: Bool { values.isEmpty }
}

/// A malformed model file: what is wrong, the byte offset, and what was being read.
public struct DlibFormatError: Error, CustomStringConvertible, Equatable {
    /// What went wrong.
    public var message: String
    /// Byte offset in the file where the bad item starts.
    public var offset: Int
    /// The layer or structure being read (e.g. `"layer 7 of 131 (con_4)"`).
    public var context: String
    /// The file, when known.
    public var file: String?

    public init(message: String, offset: Int, context: String, file: String? = nil) {
        self.message = message
        self.offset = offset
        self.context = context
        self.file = file
    }

    public var description: String {
        "\(file.map { "\($0): " } ?? "")\(context), byte offset \(offset): \(message)"
    }
}
