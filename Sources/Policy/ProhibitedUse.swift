/// Recognizes requests for prohibited uses (MOU V) in job fields the parser does not know.
///
/// Keys and values are first normalized (``PolicyText/normalized(_:foldingCase:)``, keeping case:
/// full-width letters, soft hyphens, zero-width characters and accents do not hide a word). A key
/// is then split into case-folded words at anything that is not a letter or digit and at
/// camelCase humps (`filterByRace` → filter, by, race); a word, or two adjacent words joined
/// (`national_origin` → nationalorigin), is compared with the lists below. Values of unknown
/// fields are searched the same way (both keys and string values), so
/// `{"filter": {"field": "ethnicity"}}` and `{"select": ["age > 40"]}` are caught as well as a
/// top-level `"race"`.
public enum ProhibitedUse {
    /// Words that name a protected class (V.2).
    public static let protectedClassWords: Set<String> = [
        "race", "races", "racial", "ethnicity", "ethnicities", "ethnic", "religion", "religions", "religious",
        "gender", "genders", "genderidentity", "sex", "sexes", "age", "ages", "agerange", "dob",
        "birthdate", "dateofbirth", "disability", "disabilities", "disabled", "citizenship", "citizen",
        "nationality", "nationalorigin", "placeoforigin", "immigration", "immigrationstatus",
        "sexualorientation", "orientation", "political", "politics", "politicalviews", "politicalparty",
        "socialviews", "skincolor", "skintone", "complexion", "tribe", "caste", "ancestry", "pregnancy",
        "transgender", "lgbt", "lgbtq", "unionmembership",
    ]

    /// Words that ask for live or continuous surveillance (V.4, V.5).
    public static let liveSurveillanceWords: Set<String> = [
        "stream", "streams", "streaming", "livestream", "camerafeed", "cameras", "feed", "feeds", "videofeed",
        "rtsp", "rtmp", "webcam", "cctv", "live", "realtime", "continuous", "continuously", "monitor",
        "monitoring", "surveil", "surveillance", "watch", "watchlist", "watchlists", "standingwatch",
        "recurring", "persistent",
    ]

    /// URL schemes of live video sources; any string value using one is a live-surveillance request.
    public static let streamSchemes = ["rtsp:", "rtsps:", "rtmp:", "rtmps:", "srt:", "udp:", "rtp:", "mms:", "hls:"]

    /// What an unknown field asks for, if anything prohibited.
    ///
    /// - Parameters:
    ///   - key: the field's name.
    ///   - value: its value (searched to a bounded depth; the parser already bounds nesting).
    /// - Returns: the `use.*` codes found, protected class first; empty if none.
    public static func classify(key: String, value: JSONValue) -> [ReasonCode] {
        var words = Set<String>()
        collectWords(from: key, into: &words)
        collect(value, into: &words)
        var codes: [ReasonCode] = []
        if !words.isDisjoint(with: protectedClassWords) { codes.append(.useProtectedClassFilter) }
        if !words.isDisjoint(with: liveSurveillanceWords) || containsStreamURL(value) {
            codes.append(.useLiveSurveillance)
        }
        return codes
    }

    /// Whether a string is a live video URL (`rtsp://…` and the like).
    public static func isStreamURL(_ text: String) -> Bool {
        let lower = PolicyText.normalized(String(text.prefix(4096))).drop { $0 == " " }
        return streamSchemes.contains { lower.hasPrefix($0) }
    }

    static func containsStreamURL(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let s): isStreamURL(s)
        case .array(let items): items.contains(where: containsStreamURL)
        case .object(let members): members.contains { containsStreamURL($0.value) }
        default: false
        }
    }

    static func collect(_ value: JSONValue, into words: inout Set<String>) {
        switch value {
        case .string(let s): collectWords(from: s, into: &words)
        case .array(let items): for item in items { collect(item, into: &words) }
        case .object(let members):
            for member in members {
                collectWords(from: member.key, into: &words)
                collect(member.value, into: &words)
            }
        case .null, .bool, .number: break
        }
    }

    /// Splits text into lowercase words and adds each word and each adjacent pair joined.
    static func collectWords(from text: String, into words: inout Set<String>) {
        var list: [String] = []
        var current = ""
        var previousWasLower = false
        for ch in PolicyText.normalized(String(text.prefix(4096)), foldingCase: false) {
            if ch.isLetter || ch.isNumber {
                if ch.isUppercase && previousWasLower && !current.isEmpty {
                    list.append(current)
                    current = ""
                }
                current.append(contentsOf: ch.uppercased().lowercased()) // full case folding: ß → ss, ı → i
                previousWasLower = ch.isLowercase || ch.isNumber
            } else {
                if !current.isEmpty { list.append(current) }
                current = ""
                previousWasLower = false
            }
        }
        if !current.isEmpty { list.append(current) }
        for (i, word) in list.enumerated() {
            words.insert(word)
            if i + 1 < list.count { words.insert(word + list[i + 1]) }
            if i + 2 < list.count { words.insert(word + list[i + 1] + list[i + 2]) }
        }
    }
}
