/// A job request: who asks, for what purpose, and which probes — the job file `frs submit` writes
/// (`incoming/<job>.json`), the daemon parses and a disclosure packet shows.
///
/// Its fields are listed once, in ``fields``: the parser (`JobRequest+Parsing.swift`) accepts those
/// keys and no others, the encoder (`JobRequest+Encoding.swift`) writes them, and the messages that
/// name the known fields read them from there. A new field is a stored property here, its
/// initializer parameter, and its row in ``fields``.
///
/// Parsing (``parse(_:)``) checks form only — types, sizes, known fields, prohibited uses. Whether
/// the request may run is the ``PolicyGate``'s decision, so `purpose` is kept as the raw string:
/// an unauthorized purpose is a denial with a reason, not a parse error.
public struct JobRequest: Sendable, Equatable {
    /// The job file format version; only 1 exists.
    public var version: Int
    /// The requester's id (`"requester"`).
    public var requester: String
    /// The purpose code as written (`"purpose"`); empty when absent.
    public var purpose: String
    /// The case or report number (`"case_number"`), trimmed; `nil` when absent or blank.
    public var caseNumber: String?
    /// The offense (`"offense"`), trimmed; `nil` when absent or blank.
    public var offense: String?
    /// The justification narrative (`"justification"`), trimmed; empty when absent.
    public var justification: String
    /// Probe image paths, relative to the evidence store or absolute inside it (`"probes"`).
    public var probes: [String]
    /// A folder of probes inside the evidence store, for bulk jobs (`"probe_dir"`).
    public var probeDir: String?
    /// The longest candidate list wanted per probe face (`"max_candidates"`); `nil` means the policy default.
    public var maxCandidates: Int?
    /// The distance threshold wanted (`"threshold"`); `nil` means the policy default.
    public var threshold: Double?
    /// Where the probes came from (`"probe_source"`); `nil` when the job does not say.
    public var probeSource: ProbeSource?
    /// Changes made to the probes before the search (`"probe_edits"`); empty when none.
    public var probeEdits: [ProbeEdit]

    public init(
        version: Int = 1, requester: String, purpose: String, caseNumber: String? = nil, offense: String? = nil,
        justification: String, probes: [String] = [], probeDir: String? = nil, maxCandidates: Int? = nil,
        threshold: Double? = nil, probeSource: ProbeSource? = nil, probeEdits: [ProbeEdit] = []
    ) {
        self.version = version
        self.requester = requester
        self.purpose = purpose
        self.caseNumber = caseNumber
        self.offense = offense
        self.justification = justification
        self.probes = probes
        self.probeDir = probeDir
        self.maxCandidates = maxCandidates
        self.threshold = threshold
        self.probeSource = probeSource
        self.probeEdits = probeEdits
    }

    /// The purpose, if it is one of the five authorized codes.
    public var authorizedPurpose: Purpose? { Purpose(rawValue: purpose) }

    /// The job file's fields, each with its key, what it holds (``Field/Kind``) and, for the two a
    /// job must give, what a file without it is told. The one list of them: see the type's summary.
    public static let fields: [Field] = [
        Field("version", .formatVersion(\.version), missing: "use \"version\": 1"),
        Field("requester", .text(\.requester, maximumLength: 64), missing: "name the registered requester id"),
        Field("purpose", .text(\.purpose, maximumLength: 64)),
        Field("case_number", .optionalText(\.caseNumber, maximumLength: 64)),
        Field("offense", .optionalText(\.offense, maximumLength: 200)),
        Field("justification", .text(\.justification, maximumLength: 4000, multiline: true)),
        Field("probes", .paths(\.probes, maximumLength: 1024)),
        Field("probe_dir", .folder(\.probeDir, maximumLength: 1024)),
        Field("max_candidates", .candidateCount(\.maxCandidates)),
        Field("threshold", .distance(\.threshold)),
        Field("probe_source", .probeSource(\.probeSource)),
        Field("probe_edits", .probeEdits(\.probeEdits)),
    ]
}
