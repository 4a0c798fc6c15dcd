/// A parsed job file (`incoming/<job>.json`): who asks, for what purpose, and which probes.
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
        justification: String, probes: [String], probeDir: String? = nil, maxCandidates: Int? = nil,
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

    /// The job fields this version understands.
    public static let knownFields: Set<String> = [
        "version", "requester", "purpose", "case_number", "offense", "justification", "probes", "probe_dir",
        "max_candidates", "threshold", "probe_source", "probe_edits",
    ]
}
