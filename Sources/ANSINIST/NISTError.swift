/// Why an ANSI/NIST-ITL transaction, or one of its records, was refused.
///
/// `code` is stable and meant for programs (import reports and the audit log carry it); `message`
/// says what was found and what would fix it; `offset` is the byte where the problem was seen and
/// `record` the record's position in the file (0 is the Type-1 record), when known.
public struct NISTError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A closed set; raw values are stable.
    public enum Code: String, Sendable, CaseIterable, Codable {
        /// The file holds no bytes.
        case empty = "ansi-nist.empty"
        /// The bytes do not start like a traditional-encoding transaction (`1.001:` or `1.01:`).
        case foreign = "ansi-nist.foreign"
        /// The file, or a count in it, is over the reader's limits.
        case tooLarge = "ansi-nist.too-large"
        /// The data ends before the record or field it declares is complete.
        case truncated = "ansi-nist.truncated"
        /// A tag, length, separator or required field is wrong.
        case malformed = "ansi-nist.malformed"
        /// `1.002 VER` is not a version this reader knows (0200, 0201, 0300, 0400, 0500).
        case unsupportedVersion = "ansi-nist.unsupported-version"
        /// A record type that the standard does not define.
        case unknownRecordType = "ansi-nist.unknown-record-type"
        /// A record's type or IDC differs from what `1.003 CNT` lists for it.
        case recordMismatch = "ansi-nist.record-mismatch"
        /// Bytes follow the last record `1.003 CNT` lists (the standard allows one transaction per file).
        case trailingData = "ansi-nist.trailing-data"
        /// A Type-10 image is compressed by an algorithm the face engine cannot decode (JPEGL, JP2, JP2L, PNG, …).
        case unsupportedCompression = "ansi-nist.unsupported-compression"
        /// A Type-10 image record lacks what its image needs (data, size, colour space) or contradicts it.
        case invalidImage = "ansi-nist.invalid-image"
    }

    public var code: Code
    /// What went wrong and what would fix it.
    public var message: String
    /// The byte offset in the file where it was seen.
    public var offset: Int?
    /// The record's position in the file (0: the Type-1 record).
    public var record: Int?

    public init(_ code: Code, _ message: String, offset: Int? = nil, record: Int? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
        self.record = record
    }

    public var description: String {
        var place: [String] = []
        if let record { place.append("record \(record)") }
        if let offset { place.append("byte \(offset)") }
        return "\(code.rawValue): \(message)\(place.isEmpty ? "" : " (\(place.joined(separator: ", ")))")"
    }
}
