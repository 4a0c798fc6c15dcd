/// Reads ANSI/NIST-ITL transactions in the traditional encoding (ANSI/NIST-ITL 1-2000 to 1-2011,
/// versions 0200 to 0500).
///
/// The file starts with the Type-1 record, whose `1.003 CNT` lists every other record by type and
/// IDC in file order. Tagged records (every type but 3–8) are `T.NNN:value` fields separated by GS
/// and ended by FS; the first field is the record's length in bytes (`T.001 LEN`), which is how a
/// record is stepped over and how its `T.999` image data (binary, possibly holding separator bytes)
/// is delimited. Version 0201 files write Type-1 tags with two digits (`1.01:`); tags are read by
/// their number, so both spellings work. Binary records (Types 3–8) start with a 4-byte big-endian
/// length and a 1-byte IDC, and are stepped over by their length.
///
/// Reading is strict and fails closed: a wrong length, a missing separator, a record that is not
/// the one CNT announces, bytes after the last record (one transaction per file), or a count over
/// ``Limits`` refuses the whole file with a ``NISTError`` naming the byte offset.
public struct NISTReader: Sendable {
    /// What a file may hold at most.
    public struct Limits: Sendable, Equatable {
        /// The largest file, in bytes. Default 64 MiB.
        public var maxFileBytes: Int
        /// The most records after Type-1. Default 1000.
        public var maxRecords: Int
        /// The most fields in one tagged record. Default 10,000.
        public var maxFields: Int

        public init(maxFileBytes: Int = 64 << 20, maxRecords: Int = 1000, maxFields: Int = 10_000) {
            self.maxFileBytes = maxFileBytes
            self.maxRecords = maxRecords
            self.maxFields = maxFields
        }
    }

    /// The versions read (`1.002 VER`).
    public static let versions: Set<String> = ["0200", "0201", "0300", "0400", "0500"]

    public let limits: Limits

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Reads one transaction.
    /// - Parameter bytes: the whole file.
    /// - Throws: ``NISTError`` for anything that is not one well-formed transaction within the limits.
    /// - Complexity: O(file size).
    public func read(_ bytes: [UInt8]) throws(NISTError) -> NISTTransaction {
        guard !bytes.isEmpty else { throw NISTError(.empty, "the file is empty") }
        guard bytes.count <= limits.maxFileBytes else {
            throw NISTError(.tooLarge, "\(bytes.count) bytes, over the limit of \(limits.maxFileBytes)")
        }
        guard bytes.starts(with: Array("1.".utf8)), bytes.count > 2, Self.isDigit(bytes[2]) else {
            throw NISTError(.foreign, "not an ANSI/NIST-ITL transaction in the traditional encoding (it must start with 1.001: or 1.01:)", offset: 0)
        }
        var parser = Parser(bytes: bytes, limits: limits)
        let header = try parser.taggedRecord(type: 1, idc: nil, index: 0)
        let version = try parser.version(of: header)
        let listed = try parser.contents(of: header)
        var records = [header]
        for (i, entry) in listed.enumerated() {
            let index = i + 1
            if (3...8).contains(entry.type) {
                records.append(try parser.binaryRecord(type: entry.type, idc: entry.idc, index: index))
            } else {
                records.append(try parser.taggedRecord(type: entry.type, idc: entry.idc, index: index))
            }
        }
        guard parser.position == bytes.count else {
            throw NISTError(.trailingData, "\(bytes.count - parser.position) bytes after the last record that 1.003 CNT lists (one transaction per file)", offset: parser.position)
        }
        return NISTTransaction(bytes: bytes, version: version, records: records)
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// The reading position and the steps of reading, over one file.
    struct Parser {
        let bytes: [UInt8]
        let limits: Limits
        var position = 0

        init(bytes: [UInt8], limits: Limits) {
            self.bytes = bytes
            self.limits = limits
        }

        /// A decimal number of at most `maxDigits` digits at `at`, and where it ends.
        func number(at: Int, maxDigits: Int) -> (value: Int, end: Int)? {
            var i = at, value = 0
            while i < bytes.count, NISTReader.isDigit(bytes[i]), i - at < maxDigits {
                value = value * 10 + Int(bytes[i] - 0x30)
                i += 1
            }
            return i > at ? (value, i) : nil
        }

        /// A tag `T.N:` at `at`: the record type, the field number, the tag text and where the value starts.
        func tag(at: Int, record: Int) throws(NISTError) -> (type: Int, number: Int, tag: String, valueStart: Int) {
            guard let type = number(at: at, maxDigits: 3) else {
                throw malformedOrTruncated(at, "a field tag (T.NNN:) expected", record: record)
            }
            guard type.end < bytes.count, bytes[type.end] == UInt8(ascii: ".") else {
                throw malformedOrTruncated(type.end, "a field tag (T.NNN:) expected", record: record)
            }
            guard let field = number(at: type.end + 1, maxDigits: 9) else {
                throw malformedOrTruncated(type.end + 1, "a field number expected after \"\(type.value).\"", record: record)
            }
            guard field.end < bytes.count, bytes[field.end] == UInt8(ascii: ":") else {
                throw malformedOrTruncated(field.end, "a colon expected after the tag", record: record)
            }
            let text = String(decoding: bytes[at..<field.end], as: UTF8.self)
            return (type.value, field.value, text, field.end + 1)
        }

        func malformedOrTruncated(_ at: Int, _ message: String, record: Int) -> NISTError {
            at >= bytes.count
                ? NISTError(.truncated, "the file ends inside record \(record): \(message)", offset: at, record: record)
                : NISTError(.malformed, message, offset: at, record: record)
        }

        /// A tagged record at ``position``; moves past it.
        mutating func taggedRecord(type expected: Int, idc: Int?, index: Int) throws(NISTError) -> NISTRecord {
            let start = position
            let first = try tag(at: start, record: index)
            guard first.type == expected else {
                throw NISTError(.recordMismatch, "1.003 CNT lists a Type-\(expected) record here, the record is Type-\(first.type)", offset: start, record: index)
            }
            guard first.number == 1 else {
                throw NISTError(.malformed, "the record does not start with its length field \(expected).001", offset: start, record: index)
            }
            guard let length = number(at: first.valueStart, maxDigits: 10) else {
                throw malformedOrTruncated(first.valueStart, "\(first.tag) LEN is not a number", record: index)
            }
            guard length.end < bytes.count else {
                throw NISTError(.truncated, "the file ends inside record \(index)'s length field", offset: length.end, record: index)
            }
            guard bytes[length.end] == NISTSeparator.group || bytes[length.end] == NISTSeparator.file else {
                throw NISTError(.malformed, "\(first.tag) LEN is not a number followed by a separator", offset: length.end, record: index)
            }
            guard length.value > length.end - start else {
                throw NISTError(.malformed, "\(first.tag) LEN says \(length.value) bytes, shorter than the length field itself", offset: start, record: index)
            }
            let end = start + length.value
            guard end <= bytes.count else {
                throw NISTError(.truncated, "record \(index) (Type-\(expected)) declares \(length.value) bytes, the file has \(bytes.count - start) left", offset: start, record: index)
            }
            guard bytes[end - 1] == NISTSeparator.file else {
                throw NISTError(.malformed, "record \(index) (Type-\(expected)) does not end with FS at its declared length \(length.value)", offset: end - 1, record: index)
            }
            var fields = [NISTField(tag: first.tag, number: 1, value: first.valueStart..<length.end)]
            var seen: Set<Int> = [1]
            var at = length.end + 1
            let last = end - 1  // the FS
            guard bytes[length.end] == NISTSeparator.group || length.end == last else {
                throw NISTError(.malformed, "FS after \(first.tag) LEN, before the record's declared end", offset: length.end, record: index)
            }
            if length.end == last { at = last }
            while at < last {
                let t = try tag(at: at, record: index)
                guard t.valueStart <= last else {
                    throw NISTError(.malformed, "field \(t.tag) runs past the record's end", offset: at, record: index)
                }
                guard t.type == expected else {
                    throw NISTError(.malformed, "field \(t.tag) in a Type-\(expected) record", offset: at, record: index)
                }
                guard seen.insert(t.number).inserted else {
                    throw NISTError(.malformed, "field \(t.tag) appears twice", offset: at, record: index)
                }
                guard fields.count < limits.maxFields else {
                    throw NISTError(.tooLarge, "more than \(limits.maxFields) fields in record \(index)", offset: at, record: index)
                }
                if t.number == 999 {
                    // Image data: binary, to the record's end (found by its length, not by a separator).
                    fields.append(NISTField(tag: t.tag, number: 999, value: t.valueStart..<last))
                    at = last
                    break
                }
                var stop = t.valueStart
                while stop < last, bytes[stop] != NISTSeparator.group {
                    if bytes[stop] == NISTSeparator.file {
                        throw NISTError(.malformed, "FS inside field \(t.tag), before the record's declared end", offset: stop, record: index)
                    }
                    stop += 1
                }
                fields.append(NISTField(tag: t.tag, number: t.number, value: t.valueStart..<stop))
                if stop == last { at = last; break }
                at = stop + 1
                if at == last {
                    throw NISTError(.malformed, "GS right before the record's FS (an empty field tag)", offset: stop, record: index)
                }
            }
            if let idc {
                guard let field = fields.first(where: { $0.number == 2 }) else {
                    throw NISTError(.malformed, "record \(index) (Type-\(expected)) has no IDC field \(expected).002", offset: start, record: index)
                }
                guard let value = number(at: field.value.lowerBound, maxDigits: 4), value.end == field.value.upperBound else {
                    throw NISTError(.malformed, "\(field.tag) IDC is not a number", offset: field.value.lowerBound, record: index)
                }
                guard value.value == idc else {
                    throw NISTError(.recordMismatch, "1.003 CNT lists IDC \(idc) for this Type-\(expected) record, it says \(value.value)", offset: field.value.lowerBound, record: index)
                }
            }
            position = end
            return NISTRecord(type: expected, idc: idc, range: start..<end, content: .tagged(fields))
        }

        /// A binary record (Types 3–8) at ``position``; moves past it.
        mutating func binaryRecord(type: Int, idc: Int, index: Int) throws(NISTError) -> NISTRecord {
            let start = position
            guard start + 5 <= bytes.count else {
                throw NISTError(.truncated, "the file ends inside the header of record \(index) (Type-\(type))", offset: start, record: index)
            }
            let length = bytes[start..<start + 4].reduce(0) { $0 << 8 | Int($1) }
            // The fixed headers: LEN, IDC and the image's fields (Types 3–6: 18 bytes; 7: 5; 8: 12).
            let header = type == 7 ? 5 : type == 8 ? 12 : 18
            guard length >= header else {
                throw NISTError(.malformed, "record \(index) (Type-\(type)) declares \(length) bytes, less than its \(header)-byte header", offset: start, record: index)
            }
            guard length <= bytes.count - start else {
                throw NISTError(.truncated, "record \(index) (Type-\(type)) declares \(length) bytes, the file has \(bytes.count - start) left", offset: start, record: index)
            }
            guard Int(bytes[start + 4]) == idc else {
                throw NISTError(.recordMismatch, "1.003 CNT lists IDC \(idc) for this Type-\(type) record, it says \(bytes[start + 4])", offset: start + 4, record: index)
            }
            position = start + length
            return NISTRecord(type: type, idc: idc, range: start..<start + length, content: .binary)
        }

        /// `1.002 VER`, checked.
        func version(of header: NISTRecord) throws(NISTError) -> String {
            guard let field = header.field(2) else {
                throw NISTError(.malformed, "the Type-1 record has no version field 1.002", offset: 0, record: 0)
            }
            let text = String(decoding: bytes[field.value], as: UTF8.self)
            guard NISTReader.versions.contains(text) else {
                throw NISTError(.unsupportedVersion, "version \"\(text)\" (1.002); this reader takes \(NISTReader.versions.sorted().joined(separator: ", "))", offset: field.value.lowerBound, record: 0)
            }
            return text
        }

        /// The records `1.003 CNT` lists after the Type-1 record, as (type, IDC).
        func contents(of header: NISTRecord) throws(NISTError) -> [(type: Int, idc: Int)] {
            guard let field = header.field(3) else {
                throw NISTError(.malformed, "the Type-1 record has no content field 1.003 CNT", offset: 0, record: 0)
            }
            let value = bytes[field.value]
            let subfields = value.split(separator: NISTSeparator.record, omittingEmptySubsequences: false)
            func pair(_ s: ArraySlice<UInt8>) -> (Int, Int)? {
                let items = s.split(separator: NISTSeparator.unit, omittingEmptySubsequences: false)
                guard items.count == 2, let a = decimal(items[0]), let b = decimal(items[1]) else { return nil }
                return (a, b)
            }
            guard let first = pair(subfields[0]), first.0 == 1 else {
                throw NISTError(.malformed, "1.003 CNT must start with 1<US>count", offset: field.value.lowerBound, record: 0)
            }
            guard first.1 <= limits.maxRecords else {
                throw NISTError(.tooLarge, "1.003 CNT lists \(first.1) records, over the limit of \(limits.maxRecords)", offset: field.value.lowerBound, record: 0)
            }
            guard first.1 == subfields.count - 1 else {
                throw NISTError(.malformed, "1.003 CNT says \(first.1) records and lists \(subfields.count - 1)", offset: field.value.lowerBound, record: 0)
            }
            var listed: [(type: Int, idc: Int)] = []
            for s in subfields.dropFirst() {
                guard let (type, idc) = pair(s) else {
                    throw NISTError(.malformed, "1.003 CNT: an entry is not type<US>IDC", offset: s.startIndex, record: 0)
                }
                guard type == 2 || (3...99).contains(type) else {
                    throw NISTError(.unknownRecordType, "1.003 CNT lists a Type-\(type) record; ANSI/NIST-ITL defines Types 2 to 99", offset: s.startIndex, record: 0)
                }
                guard idc <= 255 || !(3...8).contains(type), idc <= 9999 else {
                    throw NISTError(.malformed, "1.003 CNT: IDC \(idc) is out of range", offset: s.startIndex, record: 0)
                }
                listed.append((type, idc))
            }
            return listed
        }

        func decimal(_ s: ArraySlice<UInt8>) -> Int? {
            guard !s.isEmpty, s.count <= 4, s.allSatisfy(NISTReader.isDigit) else { return nil }
            return s.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
    }
}
