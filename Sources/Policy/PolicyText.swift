import Foundation

/// How the policy reads free text (justifications, offenses, unknown field names and values)
/// before any rule looks at it, so that what a person sees is what the rules see.
///
/// ## Normalization (``normalized(_:foldingCase:)``)
/// 1. Case folding (`"PROTEST"`, `"Straße"` → `"protest"`, `"strasse"`), done first so that the
///    marks some case mappings add are removed in step 3;
/// 2. compatibility decomposition (NFKD): full-width, ligature, superscript and other
///    compatibility forms become their plain letters (`"ｐｒｏｔｅｓｔ"` → `"protest"`, `"ﬁ"` → `"fi"`);
/// 3. removal of every format character (Unicode general category Cf: soft hyphen, zero-width
///    space and joiners, bidi marks, …), every other default-ignorable code point (variation
///    selectors, combining grapheme joiner, Hangul fillers, …) and every combining mark
///    (categories Mn, Me: accents, so `"prote\u{301}st"` reads `"protest"`);
/// 4. canonical composition (NFC) of what is left.
///
/// The result is NFKC text without invisible characters or diacritics. What it does not undo:
/// look-alike letters of other scripts (a Cyrillic `о` in `"prоtest"`), digits for letters
/// (`"pr0test"`), words split by spaces or punctuation (`"pro-test"`), paraphrase. The watch
/// terms are a net for a supervisor's attention, not a guarantee.
///
/// ## Words and terms
/// A word is a maximal run of letters and digits of the normalized text (``words(_:)``).
/// A policy term (one or more words) is found in a text by ``occurrences(of:in:prefix:)``:
/// exactly, word for word, or — for watch terms — with the term's **last word matching any word
/// it begins** (`"protest"` matches protests, protested, protesting, protesters; `"religious
/// service"` matches "religious services"), when that last word has at least
/// ``minimumPrefixLength`` characters (a shorter one must match exactly).
public enum PolicyText {
    /// A term's last word shorter than this must match a whole word, even as a prefix term.
    public static let minimumPrefixLength = 4

    /// The text normalized for policy tests (see the type's documentation).
    ///
    /// - Parameters:
    ///   - text: any text from a request.
    ///   - foldingCase: `false` keeps letter case (for splitting field names at camelCase humps).
    /// - Returns: the normalized text.
    public static func normalized(_ text: String, foldingCase: Bool = true) -> String {
        let folded = foldingCase ? text.uppercased().lowercased() : text
        var scalars = String.UnicodeScalarView()
        for scalar in folded.decomposedStringWithCompatibilityMapping.unicodeScalars where !isInvisible(scalar) {
            scalars.append(scalar)
        }
        return String(scalars).precomposedStringWithCanonicalMapping
    }

    /// Whether normalization removes `scalar`: a format character, another default-ignorable
    /// code point, or a combining mark.
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        let p = scalar.properties
        switch p.generalCategory {
        case .format, .nonspacingMark, .enclosingMark: return true
        default: return p.isDefaultIgnorableCodePoint
        }
    }

    /// The number of visible characters (grapheme clusters) of `text`: without format and other
    /// default-ignorable characters, control characters and lone combining marks, without leading
    /// and trailing white space, each inner run of white space (or blank signs such as U+2800)
    /// counting as one.
    ///
    /// Counted on the text as written, not on its compatibility decomposition, so that a ligature
    /// that decomposes into many letters (U+FDFA) still counts as one. A justification of thirty
    /// zero-width spaces, soft hyphens or spaces has length 0; thirty accented letters have 30.
    public static func visibleLength(_ text: String) -> Int {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where !isIgnorable(scalar) { scalars.append(scalar) }
        var count = 0
        var pendingSpace = false
        for ch in String(scalars) {
            if isBlank(ch) {
                pendingSpace = count > 0
                continue
            }
            let invisible = ch.unicodeScalars.allSatisfy {
                [.control, .nonspacingMark, .enclosingMark].contains($0.properties.generalCategory)
            }
            if invisible { continue }
            if pendingSpace { count += 1 }
            pendingSpace = false
            count += 1
        }
        return count
    }

    /// Format characters and other default-ignorable code points: drawn as nothing.
    static func isIgnorable(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .format || scalar.properties.isDefaultIgnorableCodePoint
    }

    /// White space and the characters that are drawn as blank without being white space.
    static func isBlank(_ ch: Character) -> Bool {
        ch.isWhitespace || ch.unicodeScalars.allSatisfy { $0.value == 0x2800 || $0.properties.isWhitespace }
    }

    /// The words of `text`, normalized: maximal runs of letters and digits.
    public static func words(_ text: String) -> [String] {
        normalized(text).split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    /// Where `term` occurs in `words`, as word ranges.
    ///
    /// - Parameters:
    ///   - term: the term's words (from ``words(_:)``).
    ///   - words: the text's words (from ``words(_:)``).
    ///   - prefix: whether the term's last word may be the beginning of a longer word (when it has
    ///     at least ``minimumPrefixLength`` characters); the other words always match exactly.
    /// - Returns: the ranges of `words` the term covers, in order.
    public static func occurrences(of term: [String], in words: [String], prefix: Bool) -> [Range<Int>] {
        guard let last = term.last, term.count <= words.count else { return [] }
        let usePrefix = prefix && last.count >= minimumPrefixLength
        var found: [Range<Int>] = []
        for start in 0...(words.count - term.count) {
            let end = start + term.count
            guard words[start..<(end - 1)].elementsEqual(term.dropLast()) else { continue }
            let word = words[end - 1]
            if word == last || (usePrefix && word.hasPrefix(last)) { found.append(start..<end) }
        }
        return found
    }
}
