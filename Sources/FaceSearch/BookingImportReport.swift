import ANSINIST

/// What became of one imported transaction and each of its images: the answer to the booking
/// feed, and one entry of `frs gallery import --json`. Codable to JSON, field names in snake_case. It names the subject id but never the person's name or date of birth.
public struct BookingImportReport: Sendable, Equatable, Codable {
    /// Why a transaction or an image was refused: a closed set with stable raw values (the reader's
    /// codes, `ansi-nist.*`, and the importer's and the gallery's, `import.*` and `gallery.*`).
    public enum Reason: Sendable, Equatable, Codable, RawRepresentable {
        /// The reader refused the file, or a Type-10 image (``ANSINIST/NISTError/Code``).
        case reader(NISTError.Code)
        /// The importer or the gallery refused.
        case importer(Code)

        /// The importer's and the gallery's reasons.
        public enum Code: String, Sendable, CaseIterable {
            /// The file could not be read.
            case unreadable = "import.unreadable"
            /// No identifying field and no transaction control number: the person cannot be named.
            case noIdentity = "import.no-identity"
            /// The identifying value holds control characters or is too long to be an id.
            case invalidIdentity = "import.invalid-identity"
            /// More facial images than one transaction may bring.
            case tooManyFaces = "import.too-many-faces"
            /// A JPEGB image that does not decode.
            case imageUnreadable = "import.image-unreadable"
            /// The subject was removed from the gallery (expunged): its id is retired.
            case subjectRemoved = "gallery.subject-removed"
            /// The gallery has another date of birth for this subject: two people may share the id.
            case identityConflict = "gallery.identity-conflict"
            /// Anything else (a database error): see the message.
            case failed = "import.failed"
        }

        public init?(rawValue: String) {
            if let code = NISTError.Code(rawValue: rawValue) {
                self = .reader(code)
            } else if let code = Code(rawValue: rawValue) {
                self = .importer(code)
            } else {
                return nil
            }
        }

        public var rawValue: String {
            switch self {
            case .reader(let code): code.rawValue
            case .importer(let code): code.rawValue
            }
        }
    }

    /// What became of a transaction.
    public enum Status: String, Sendable, Equatable, Codable {
        /// Read; its images are accounted for in ``BookingImportReport/images``.
        case imported
        /// Refused whole; nothing of it was enrolled.
        case refused
    }

    /// What became of one facial image.
    public struct Image: Sendable, Equatable, Codable {
        public enum Outcome: String, Sendable, Equatable, Codable {
            case enrolled, alreadyEnrolled = "already-enrolled", noFace = "no-face"
            case multipleFaces = "multiple-faces", refused, failed
        }

        /// The Type-10 record's position in the file.
        public var record: Int
        public var idc: Int?
        public var outcome: Outcome
        public var reason: Reason?
        public var message: String?
        /// The stored image's SHA-256 (its file name in the gallery's image directory).
        public var sha256: String?

        public init(record: Int, idc: Int?, outcome: Outcome, reason: Reason? = nil, message: String? = nil, sha256: String? = nil) {
            self.record = record
            self.idc = idc
            self.outcome = outcome
            self.reason = reason
            self.message = message
            self.sha256 = sha256
        }
    }

    /// The file name (or the feed's name for it).
    public var source: String
    /// The file's SHA-256 (empty when it could not be read).
    public var sha256: String
    public var status: Status = .imported
    /// Why it was refused.
    public var reason: Reason?
    public var message: String?
    /// ORI, TOT, TCN, date and version, when the file was read.
    public var transaction: BookingTransaction.Source?
    /// The gallery subject (`sid:…`, `ucn:…`, `tcn:ORI/TCN`).
    public var subject: String?
    /// Each facial image, in file order.
    public var images: [Image] = []
    /// Type-10 images skipped because they are not faces (scars, marks, tattoos).
    public var skipped: [BookingTransaction.ImageNote] = []

    public init(source: String, sha256: String) {
        self.source = source
        self.sha256 = sha256
    }

    enum CodingKeys: String, CodingKey {
        case source, sha256, status, reason, message, transaction, subject, images, skipped
    }

    /// Marks the whole transaction refused.
    mutating func refuse(_ reason: Reason, _ message: String) {
        status = .refused
        self.reason = reason
        self.message = message
    }

    /// Images with this outcome.
    public func count(_ outcome: Image.Outcome) -> Int { images.filter { $0.outcome == outcome }.count }

    /// Images newly enrolled (with one face, or the largest of several).
    public var enrolled: Int { count(.enrolled) + count(.multipleFaces) }
}
