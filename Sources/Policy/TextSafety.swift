/// Which characters a request's text may hold, so that what it says reaches terminals,
/// spreadsheets and browsers as text and never as commands.
///
/// - A **one-line field** (ids, names, case numbers, offenses, paths) holds no control character at
///   all: no C0 control (tab, line breaks and ESC included), no DEL, no C1 control (U+0080–U+009F,
///   among them CSI, which some terminals obey like ESC `[`), no line or paragraph separator
///   (U+2028, U+2029) and no bidirectional control (U+061C, U+200E, U+200F, U+202A–U+202E,
///   U+2066–U+2069), which would make a value display in another order than it is stored.
/// - A **narrative** (justification, notes, corroboration) may span lines and keeps tabs and line
///   breaks, and its bidirectional marks and isolates (right-to-left scripts need them); other C0
///   controls, DEL, C1 controls and the bidirectional embeddings and overrides (U+202A–U+202E,
///   which reorder everything after them to the end of the paragraph, in a terminal or a page) are
///   refused.
///
/// Whatever is accepted is still escaped where it is printed (``Commands``' terminal text) and
/// guarded where it goes into a spreadsheet.
public enum TextSafety {
    /// Whether `scalar` may not appear in a field of the given kind.
    public static func isForbidden(_ scalar: Unicode.Scalar, singleLine: Bool) -> Bool {
        let v = scalar.value
        switch v {
        case 0x09, 0x0a, 0x0d: return singleLine
        case 0x00..<0x20, 0x7f, 0x80...0x9f: return true
        case 0x2028, 0x2029: return singleLine
        case 0x202a...0x202e: return true
        default: return singleLine && isBidiControl(scalar)
        }
    }

    /// The bidirectional formatting characters: ALM, LRM, RLM, the embeddings and overrides
    /// (LRE, RLE, PDF, LRO, RLO) and the isolates (LRI, RLI, FSI, PDI).
    public static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x061c, 0x200e, 0x200f, 0x202a...0x202e, 0x2066...0x2069: true
        default: false
        }
    }

    /// The first character of `text` a field of the given kind may not hold, if any.
    public static func firstForbidden(in text: String, singleLine: Bool) -> Unicode.Scalar? {
        text.unicodeScalars.first { isForbidden($0, singleLine: singleLine) }
    }

    /// Why `text` cannot be the field `field`, in words, or `nil` when it can: names the first
    /// forbidden character by its code point.
    public static func problem(field: String, _ text: String, singleLine: Bool) -> String? {
        guard let bad = firstForbidden(in: text, singleLine: singleLine) else { return nil }
        let kind = singleLine ? "a one-line field" : "a narrative"
        return "\(field) contains the control character \(codePoint(bad)), which \(kind) may not hold; "
            + "write it without control characters" + (singleLine ? ", tabs, line breaks or direction marks" : "")
    }

    /// `U+001B`.
    public static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
