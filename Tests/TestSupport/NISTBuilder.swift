import Foundation

/// Writes ANSI/NIST-ITL transactions in the traditional encoding for tests (the reader's, the importer's): a Type-1 record whose
/// CNT lists the records given, tagged records with their LEN computed, binary records with their
/// 4-byte length.
public struct NISTBuilder {
    public enum Record: Sendable {
        /// Fields other than LEN and IDC (numbers and values); IDC is added as field 2.
        case tagged(type: Int, idc: Int, fields: [(Int, [UInt8])])
        /// A binary record (Types 3–8) of `length` bytes (at least 18), filled with `fill`.
        case binary(type: Int, idc: Int, length: Int, fill: UInt8)
    }

    public var version = "0400"
    /// Type-1 fields other than LEN (1.001), VER (1.002) and CNT (1.003).
    public var header: [(Int, String)] = [(4, "CAR"), (5, "20240102"), (7, "DAI000000"), (8, "NY0303000"), (9, "TCN0001")]
    public var records: [Record] = []
    /// Two-digit Type-1 tags (`1.01:`), as version 0201 files write them.
    public var twoDigitHeaderTags = false

    public init() {}

    public static func text(_ s: String) -> [UInt8] { Array(s.utf8) }

    func tag(_ type: Int, _ number: Int, twoDigit: Bool = false) -> String {
        twoDigit ? String(format: "%d.%02d", type, number) : String(format: "%d.%03d", type, number)
    }

    /// A tagged record: LEN first, then the fields, GS between, FS at the end.
    func tagged(type: Int, fields: [(Int, [UInt8])], twoDigit: Bool = false) -> [UInt8] {
        var body: [UInt8] = []
        for (number, value) in fields {
            body.append(0x1D)
            body += Array((tag(type, number, twoDigit: twoDigit) + ":").utf8) + value
        }
        body.append(0x1C)
        let prefix = tag(type, 1, twoDigit: twoDigit) + ":"
        var length = prefix.utf8.count + body.count + 1
        while prefix.utf8.count + String(length).utf8.count + body.count != length {
            length = prefix.utf8.count + String(length).utf8.count + body.count
        }
        return Array((prefix + String(length)).utf8) + body
    }

    public func build() -> [UInt8] {
        var cnt = "1\u{1F}\(records.count)"
        for record in records {
            switch record {
            case .tagged(let type, let idc, _), .binary(let type, let idc, _, _):
                cnt += "\u{1E}\(type)\u{1F}\(String(format: "%02d", idc))"
            }
        }
        var fields: [(Int, [UInt8])] = [(2, Self.text(version)), (3, Self.text(cnt))]
        fields += header.map { ($0.0, Self.text($0.1)) }
        var out = tagged(type: 1, fields: fields, twoDigit: twoDigitHeaderTags)
        for record in records {
            switch record {
            case .tagged(let type, let idc, let fields):
                out += tagged(type: type, fields: [(2, Self.text(String(format: "%02d", idc)))] + fields)
            case .binary(_, let idc, let length, let fill):
                var bytes = [UInt8](repeating: fill, count: length)
                bytes[0] = UInt8(length >> 24 & 0xFF); bytes[1] = UInt8(length >> 16 & 0xFF)
                bytes[2] = UInt8(length >> 8 & 0xFF); bytes[3] = UInt8(length & 0xFF)
                bytes[4] = UInt8(idc)
                out += bytes
            }
        }
        return out
    }

    /// A Type-10 record's fields for an image.
    public static func face(imt: String = "FACE", cga: String, width: Int = 2, height: Int = 2, csp: String = "GRAY",
                     date: String = "20230405", sap: String = "10", pos: String = "F", data: [UInt8]) -> [(Int, [UInt8])] {
        [(3, text(imt)), (4, text("NY0303000")), (5, text(date)), (6, text("\(width)")), (7, text("\(height)")),
         (8, text("0")), (9, text("1")), (10, text("1")), (11, text(cga)), (12, text(csp)), (13, text(sap)),
         (20, text(pos)), (999, data)]
    }
}
