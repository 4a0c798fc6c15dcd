/// A booking submission (an EBTS criminal submission such as CAR) as a face importer reads it:
/// where it came from (Type-1), who it is about (Type-2), and its facial images (Type-10 records
/// with `10.003 IMT` = FACE).
///
/// Facial images are taken by `10.011 CGA`: JPEGB (baseline or progressive JPEG) as the JPEG bytes,
/// NONE as raw pixels sized by `10.006 HLL`, `10.007 VLL` and `10.012 CSP` (GRAY, RGB or SRGB);
/// any other algorithm (JPEGL, JP2, JP2L, PNG, …) is refused by name, with the record, and the
/// other faces of the transaction are still taken. Type-10 images of scars, marks and tattoos are
/// skipped and counted. Every other record is stepped over.
public struct BookingTransaction: Sendable {
    /// Where a transaction came from.
    public struct Source: Sendable, Equatable, Codable {
        /// `1.008 ORI`, the originating agency.
        public var originatingAgency: String?
        /// `1.004 TOT`, the type of transaction (CAR, CNA, …).
        public var transactionType: String?
        /// `1.009 TCN`, the transaction control number.
        public var controlNumber: String?
        /// `1.005 DAT`, the transaction date (YYYY-MM-DD).
        public var date: String?
        /// `1.002 VER`.
        public var version: String

        enum CodingKeys: String, CodingKey {
            case originatingAgency = "originating_agency", transactionType = "transaction_type"
            case controlNumber = "control_number", date, version
        }

        /// "ORI TOT TCN", what is known of them.
        public var summary: String {
            [originatingAgency.map { "ORI \($0)" }, transactionType.map { "TOT \($0)" }, controlNumber.map { "TCN \($0)" }]
                .compactMap { $0 }.joined(separator: " ")
        }
    }

    /// A facial image found in a Type-10 record.
    public struct FacialImage: Sendable, Equatable {
        /// How the image data is coded.
        public enum Coding: Sendable, Equatable {
            /// JPEG (10.011 JPEGB): `data` is a JPEG file.
            case jpeg
            /// Uncompressed (10.011 NONE): `data` is `width x height` pixels of `channels` bytes
            /// (1: grey, 3: RGB), row by row.
            case raw(width: Int, height: Int, channels: Int)
        }

        /// The record's position in the file.
        public var record: Int
        /// Its IDC.
        public var idc: Int?
        public var coding: Coding
        /// The image data (`10.999`).
        public var data: ArraySlice<UInt8>
        /// `10.005 PHD`, the photo date (YYYY-MM-DD), when valid.
        public var photoDate: String?
        /// `10.013 SAP`, the subject acquisition profile (e.g. "10", "40").
        public var profile: String?
        /// `10.020 POS`, the pose (F frontal, R right profile, L left, A angled, D determined 3D).
        public var pose: String?
    }

    /// A Type-10 image that was not taken.
    public struct ImageNote: Sendable, Equatable, Codable {
        /// The record's position in the file.
        public var record: Int
        public var idc: Int?
        /// `10.003 IMT` (FACE, SCAR, MARK, TATTOO, …).
        public var imageType: String
        /// Why it was refused (`nil` for an image skipped because it is not a face).
        public var reason: NISTError.Code?
        public var message: String

        enum CodingKeys: String, CodingKey {
            case record, idc, imageType = "image_type", reason, message
        }
    }

    public var source: Source
    /// `2.018 NAM` as written (LAST,FIRST MIDDLE), from the first Type-2 record.
    public var name: String?
    /// `2.022 DOB` (YYYY-MM-DD), when a valid date.
    public var dateOfBirth: String?
    /// The facial images taken, in file order.
    public var faces: [FacialImage]
    /// Facial images refused (unsupported compression, bad record), in file order.
    public var refused: [ImageNote]
    /// Type-10 images that are not faces (scars, marks, tattoos), skipped.
    public var skipped: [ImageNote]

    /// The parsed transaction (its Type-2 fields are read from here by ``identity(fields:)``).
    public let transaction: NISTTransaction

    /// The largest uncompressed image taken, in pixels.
    public static let maxRawPixels = 40_000_000

    /// Interprets a transaction.
    public init(_ transaction: NISTTransaction) {
        self.transaction = transaction
        let t = transaction
        let header = t.header
        source = Source(originatingAgency: t.firstItem(header, 8), transactionType: t.firstItem(header, 4),
                        controlNumber: t.firstItem(header, 9), date: Self.date(t.firstItem(header, 5)),
                        version: t.version)
        let descriptive = t.records(ofType: 2).first
        name = descriptive.flatMap { t.firstItem($0, 18) }
        dateOfBirth = Self.date(descriptive.flatMap { t.firstItem($0, 22) })
        faces = []
        refused = []
        skipped = []
        for (index, record) in t.records.enumerated() where record.type == 10 {
            let imageType = t.firstItem(record, 3)?.uppercased() ?? ""
            guard imageType == "FACE" else {
                skipped.append(ImageNote(record: index, idc: record.idc, imageType: imageType, reason: nil,
                                         message: "a \(imageType.isEmpty ? "Type-10 image without 10.003 IMT" : imageType) image, not a face"))
                continue
            }
            do {
                faces.append(try Self.face(record, index: index, in: t))
            } catch {
                refused.append(ImageNote(record: index, idc: record.idc, imageType: imageType, reason: error.code,
                                         message: error.message))
            }
        }
    }

    /// Reads a file and interprets it.
    /// - Throws: ``NISTError`` when the file is not one well-formed transaction.
    public init(bytes: [UInt8], reader: NISTReader = NISTReader()) throws(NISTError) {
        self.init(try reader.read(bytes))
    }

    static func face(_ record: NISTRecord, index: Int, in t: NISTTransaction) throws(NISTError) -> FacialImage {
        guard let data = record.field(999) else {
            throw NISTError(.invalidImage, "the FACE record has no image data field 10.999", record: index)
        }
        let compression = t.firstItem(record, 11)?.uppercased() ?? ""
        let coding: FacialImage.Coding
        switch compression {
        case "JPEGB":
            coding = .jpeg
        case "NONE":
            guard let width = t.firstItem(record, 6).flatMap(Int.init), let height = t.firstItem(record, 7).flatMap(Int.init),
                  width > 0, height > 0
            else {
                throw NISTError(.invalidImage, "an uncompressed image needs its width 10.006 HLL and height 10.007 VLL", record: index)
            }
            let space = t.firstItem(record, 12)?.uppercased() ?? ""
            let channels: Int
            switch space {
            case "GRAY": channels = 1
            case "RGB", "SRGB": channels = 3
            default:
                throw NISTError(.invalidImage, "an uncompressed image in colour space \"\(space)\" (10.012); GRAY, RGB and SRGB are read", record: index)
            }
            guard width <= maxRawPixels / height else {
                throw NISTError(.invalidImage, "an uncompressed image of \(width)x\(height), over \(maxRawPixels) pixels", record: index)
            }
            guard data.value.count == width * height * channels else {
                throw NISTError(.invalidImage, "\(data.value.count) bytes of image data for a \(width)x\(height) \(space) image (\(width * height * channels) expected)", record: index)
            }
            coding = .raw(width: width, height: height, channels: channels)
        case "":
            throw NISTError(.invalidImage, "the FACE record has no compression algorithm 10.011 CGA", record: index)
        default:
            throw NISTError(.unsupportedCompression, "the face image is compressed as \(compression) (10.011 CGA); only JPEGB and NONE are read: ask the sender for JPEGB", record: index)
        }
        return FacialImage(record: index, idc: record.idc, coding: coding, data: imageData(t.value(data), type: record.type),
                           photoDate: date(t.firstItem(record, 5)), profile: t.firstItem(record, 13),
                           pose: t.firstItem(record, 20))
    }

    /// The image bytes of a `T.999` value. A value that starts with a short text, GS and the tag
    /// `T.999:` again before the image (a doubled image field, as in NIST's reference file
    /// `valid1.11.an2`: `10.999:010110<GS>10.999:<JPEG>`) is taken from after the second tag: the
    /// reader keeps the record as written (the field runs to the record's end), the image is what follows.
    static func imageData(_ value: ArraySlice<UInt8>, type: Int) -> ArraySlice<UInt8> {
        let tag = Array("\u{1D}\(type).999:".utf8)
        let window = value.prefix(64 + tag.count)
        guard let gs = window.firstIndex(of: NISTSeparator.group), value[value.startIndex..<gs].allSatisfy({ $0 >= 0x20 && $0 < 0x7F }),
              value[gs...].starts(with: tag)
        else { return value }
        return value[(gs + tag.count)...]
    }

    /// Who the transaction is about, by the first of `fields` present in its Type-2 record, else by
    /// its transaction control number.
    /// - Parameter fields: Type-2 fields that identify a person, in order of preference (the policy's).
    /// - Returns: the identity, or `nil` when none of the fields nor a TCN is present.
    public func identity(fields: [NISTFieldReference]) -> NISTIdentity? {
        if let descriptive = transaction.records(ofType: 2).first {
            for field in fields where field.type == 2 {
                if let value = transaction.firstItem(descriptive, field.number) {
                    return NISTIdentity(field: field, value: value)
                }
            }
        }
        guard let tcn = source.controlNumber else { return nil }
        let value = source.originatingAgency.map { "\($0)/\(tcn)" } ?? tcn
        return NISTIdentity(field: NISTFieldReference(type: 1, number: 9), value: value)
    }

    /// A date written YYYYMMDD as YYYY-MM-DD, `nil` unless it is a real calendar date.
    static func date(_ text: String?) -> String? {
        guard let text, text.count == 8, text.allSatisfy({ $0.isASCII && $0.isNumber }),
              let y = Int(text.prefix(4)), let m = Int(text.dropFirst(4).prefix(2)), let d = Int(text.suffix(2)),
              (1...12).contains(m), y >= 1800
        else { return nil }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        guard (1...days).contains(d) else { return nil }
        return "\(text.prefix(4))-\(text.dropFirst(4).prefix(2))-\(text.suffix(2))"
    }
}

/// A field named by record type and number ("2.015").
public struct NISTFieldReference: Sendable, Hashable, CustomStringConvertible {
    public var type: Int
    public var number: Int

    public init(type: Int, number: Int) {
        self.type = type
        self.number = number
    }

    /// Parses "T.N" (e.g. "2.015", "2.14").
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let type = Int(parts[0]), let number = Int(parts[1]), parts[1].count <= 9,
              (1...99).contains(type), number >= 1 else { return nil }
        self.type = type
        self.number = number
    }

    /// "T.NNN", the field number with at least three digits ("2.015").
    public var description: String {
        let digits = String(number)
        return "\(type)." + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }
}

/// Who a transaction is about: a value of an identifying field.
public struct NISTIdentity: Sendable, Equatable {
    /// The field the identity was taken from (`1.009` when it is the TCN).
    public var field: NISTFieldReference
    /// Its value (for the TCN, "ORI/TCN").
    public var value: String

    /// The gallery subject id: a short name of the field and the value ("sid:NY12345678",
    /// "ucn:123456AB7", "tcn:NY0303000/1234567890"; other fields by their tag, "2.017:...").
    public var subject: String {
        let names: [NISTFieldReference: String] = [
            NISTFieldReference(type: 2, number: 15): "sid", NISTFieldReference(type: 2, number: 14): "ucn",
            NISTFieldReference(type: 2, number: 17): "mni", NISTFieldReference(type: 1, number: 9): "tcn",
        ]
        return "\(names[field] ?? field.description):\(value)"
    }
}
