/// Text from files (job records, reviews, notes, corroborations, case numbers, file names) made
/// safe to print on a terminal: every control character is shown as a visible escape instead of
/// acting on the terminal.
///
/// A value such as `"\u{1B}[2K\r  lead: released"` in a review note would otherwise erase the line
/// and repaint a lead's state on a supervisor's screen. Escaped: C0 controls (ESC, tab, line breaks
/// too, inside a value), DEL, C1 controls (U+0080–U+009F, among them CSI), the line and paragraph
/// separators and the bidirectional controls (which reorder what follows them), each as `\u001B`
/// (JSON's escape, so JSON printed on a terminal stays JSON with the same value).
///
/// Values are escaped where they are put into a line (`"by \(safe: review.examiner)"`);
/// ``CommandContext/out(_:)`` and ``CommandContext/err(_:)`` escape every line again, but for the
/// line breaks and tabs the commands themselves write, so nothing that reaches a terminal from a
/// file can move its cursor or change its colours.
enum TerminalText {
    /// `value` with every control character escaped, line breaks and tabs included.
    static func escaped(_ value: String) -> String {
        escape(value) { isControl($0) }
    }

    /// `line` with every control character escaped but the line breaks and tabs of the layout.
    static func escapedLine(_ line: String) -> String {
        escape(line) { $0 != "\n" && $0 != "\t" && isControl($0) }
    }

    /// Whether `scalar` is escaped: a C0 or C1 control, DEL, U+2028, U+2029 or a bidirectional control.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00..<0x20, 0x7f...0x9f, 0x2028, 0x2029, 0x061c, 0x200e, 0x200f, 0x202a...0x202e, 0x2066...0x2069: true
        default: false
        }
    }

    private static func escape(_ text: String, where shouldEscape: (Unicode.Scalar) -> Bool) -> String {
        guard text.unicodeScalars.contains(where: shouldEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if shouldEscape(scalar) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}

extension DefaultStringInterpolation {
    /// `"\(safe: value)"`: a value from a file, escaped for a terminal (``TerminalText/escaped(_:)``).
    mutating func appendInterpolation(safe value: String) {
        appendLiteral(TerminalText.escaped(value))
    }

    /// `"\(safe: value)"` for a value that may be absent: escaped, or nothing.
    mutating func appendInterpolation(safe value: String?) {
        appendLiteral(value.map(TerminalText.escaped) ?? "")
    }
}
