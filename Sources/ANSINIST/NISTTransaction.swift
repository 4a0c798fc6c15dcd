/// One ANSI/NIST-ITL transaction in the traditional encoding, as read by ``NISTReader``: the file's
/// bytes and its records in file order, each field located by byte range (nothing is copied).
///
/// Every byte of the file belongs to exactly one of: a field's tag and colon, a field's value, a
/// separator (GS between fields, FS ending a tagged record), or a binary record (Types 3–8).
/// ``reassembled()`` puts them back together, which is how the reader is tested against the
/// reference files.
public struct NISTTransaction: Sendable {
    /// The file's bytes.
    public let bytes: [UInt8]
    /// `1.002 VER` as written ("0201", "0400", …).
    public let version: String
    /// The records in file order; the first is the Type-1 record.
    public let records: [NISTRecord]

    init(bytes: [UInt8], version: String, records: [NISTRecord]) {
        self.bytes = bytes
        self.version = version
        self.records = records
    }

    /// The Type-1 (transaction information) record.
    public var header: NISTRecord { records[0] }

    /// The records of one type, in file order.
    public func records(ofType type: Int) -> [NISTRecord] { records.filter { $0.type == type } }

    /// A field's value bytes.
    public func value(_ field: NISTField) -> ArraySlice<UInt8> { bytes[field.value] }

    /// A field's value as text (UTF-8; ASCII in files before version 0500), `nil` when it is not valid UTF-8.
    public func text(_ field: NISTField) -> String? {
        String(validating: bytes[field.value], as: UTF8.self)
    }

    /// A field's value split into subfields (by RS) and items (by US), as text.
    /// - Returns: `nil` when the value is not valid UTF-8.
    public func subfields(_ field: NISTField) -> [[String]]? {
        guard let text = text(field) else { return nil }
        return text.split(separator: "\u{1E}", omittingEmptySubsequences: false).map {
            $0.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        }
    }

    /// The first item of field `number` of `record` as text, trimmed of spaces, `nil` when absent or empty.
    public func firstItem(_ record: NISTRecord, _ number: Int) -> String? {
        guard let field = record.field(number), let item = subfields(field)?.first?.first else { return nil }
        let trimmed = item.trimmingSpaces()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The file put back together from the parsed records: equal to ``bytes`` when every byte was
    /// accounted for.
    public func reassembled() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for record in records {
            switch record.content {
            case .binary:
                out.append(contentsOf: bytes[record.range])
            case .tagged(let fields):
                for (i, field) in fields.enumerated() {
                    if i > 0 { out.append(NISTSeparator.group) }
                    out.append(contentsOf: field.tag.utf8)
                    out.append(UInt8(ascii: ":"))
                    out.append(contentsOf: bytes[field.value])
                }
                out.append(NISTSeparator.file)
            }
        }
        return out
    }
}

/// One record of a transaction.
public struct NISTRecord: Sendable, Equatable {
    /// What a record holds.
    public enum Content: Sendable, Equatable {
        /// A tagged record (every type but 3–8): its fields in file order.
        case tagged([NISTField])
        /// A binary record (Types 3–8): only its length and IDC are read; the rest is stepped over.
        case binary
    }

    /// The record type (1, 2, 4, 10, 14, 99, …).
    public let type: Int
    /// The information designation character (`x.002 IDC`, or byte 4 of a binary record); `nil` for Type-1.
    public let idc: Int?
    /// The record's bytes in the file, separators included.
    public let range: Range<Int>
    public let content: Content

    /// The fields of a tagged record (empty for a binary one).
    public var fields: [NISTField] {
        if case .tagged(let fields) = content { return fields }
        return []
    }

    /// Field `number` (e.g. 11 for `10.011`), `nil` when the record has none.
    public func field(_ number: Int) -> NISTField? { fields.first { $0.number == number } }
}

/// One field of a tagged record.
public struct NISTField: Sendable, Equatable {
    /// The tag as written, without the colon ("1.01", "10.011").
    public let tag: String
    /// The field number (11 for `10.011`; 1 for `1.01`).
    public let number: Int
    /// The value's bytes in the file (after the colon, before the GS or FS).
    public let value: Range<Int>
}

/// The separators of the traditional encoding.
public enum NISTSeparator {
    /// FS: ends a tagged record.
    public static let file: UInt8 = 0x1C
    /// GS: between fields.
    public static let group: UInt8 = 0x1D
    /// RS: between subfields.
    public static let record: UInt8 = 0x1E
    /// US: between items.
    public static let unit: UInt8 = 0x1F
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" { s.removeLast() }
        return String(s)
    }
}
