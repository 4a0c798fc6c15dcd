/// An image that could not be read or decoded.
///
/// `code` is stable and meant for programs (the spool maps `tooLarge` to `input.probe-too-large`,
/// `tooManyScans` to `input.probe-too-many-scans`, `tooMuchWork` to `input.probe-decode-work`,
/// `overBudget` to `input.probe-cpu-budget` and the others to `input.probe-not-image`); `message`
/// is for people.
public struct ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why an image was refused. Raw values are stable strings.
    public enum Code: String, Sendable, CaseIterable {
        /// The file or buffer holds no bytes.
        case empty = "empty"
        /// The bytes do not start with a JPEG start-of-image marker (PNG, text, random data, …).
        case notJPEG = "not-jpeg"
        /// The header declares more pixels than the decoder's limit; nothing was allocated.
        case tooLarge = "too-large"
        /// The file has more scans (progressive passes) than the decoder's limit; decoding stopped there.
        case tooManyScans = "too-many-scans"
        /// Declared pixels × scans exceeds the decoder's work limit; decoding stopped there.
        case tooMuchWork = "too-much-work"
        /// The processor-time budget in force (``ProcessorBudget``) was spent before the work ended.
        case overBudget = "over-budget"
        /// The data ends before the image is complete.
        case truncated = "truncated"
        /// libjpeg rejected the data (bad markers, unsupported features, damaged tables).
        case corrupt = "corrupt"
        /// The file could not be read (missing, unreadable, a directory, too big to load).
        case unreadable = "unreadable"
    }

    /// What kind of failure this is.
    public var code: Code
    /// What went wrong, in words (for a JPEG error, libjpeg's own message).
    public var message: String
    /// The file, when the image came from one.
    public var path: String?

    public init(code: Code, message: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String {
        "\(path.map { "\($0): " } ?? "")\(code.rawValue): \(message)"
    }
}
