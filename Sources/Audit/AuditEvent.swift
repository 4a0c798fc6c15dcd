/// What happened, as the caller tells the audit log: who, what, and the outcome (CJIS "who, what,
/// when, where, outcome"; the log adds when and where).
public struct AuditEvent: Sendable, Equatable {
    /// The event name, `area.verb`: `job.received`, `job.denied`, `user.added`, ….
    public var event: String
    /// Who caused it: a requester id, an administrator, or `daemon`.
    public var actor: String
    /// The actor's (or job's) agency code.
    public var agency: String?
    /// The job id, for job events.
    public var job: String?
    /// The purpose code as requested.
    public var purpose: String?
    /// The case number.
    public var caseNumber: String?
    /// The outcome: `allowed`, `denied`, `held`, `completed`, `failed`, `ok`, ….
    public var outcome: String?
    /// Reason codes (stable strings), e.g. `["requester.suspended"]`.
    public var reasons: [String]
    /// SHA-256 (hex) of each probe image.
    public var probeSHA256: [String]
    /// How many candidates were returned in total.
    public var candidates: Int?
    /// Anything else worth keeping, e.g. `["subject": "S-1", "reason": "expungement"]`.
    public var details: [String: String]

    /// The `details` key of ``jobSHA256``.
    public static let jobSHA256Key = "job_sha256"

    /// SHA-256 (hex) of the job file's bytes as the daemon read them, justification included: ties
    /// the record to the exact request, which a result or a held copy can be checked against.
    /// Kept in `details` (`job_sha256`), so the record format and old logs stay as they are.
    public var jobSHA256: String? {
        get { details[Self.jobSHA256Key] }
        set { details[Self.jobSHA256Key] = newValue }
    }

    /// The longest text a field of a record keeps (`actor`, `job`, `case_number`, each detail, each
    /// reason), in characters: the log is never purged, and a hostile request's oversized field (a
    /// 65 KB candidate id in a refused review) must not become the log's size. Longer text is cut
    /// and says how much was left out.
    public static let maximumFieldCharacters = 2_048
    /// Most reason codes a record keeps.
    public static let maximumReasons = 64

    /// Cuts `text` to ``maximumFieldCharacters``, saying how much was left out.
    public static func bounded(_ text: String) -> String {
        guard text.count > maximumFieldCharacters else { return text }
        return String(text.prefix(maximumFieldCharacters)) + " … (\(text.count - maximumFieldCharacters) more characters)"
    }

    /// This event as the log writes it: every text field bounded (``bounded(_:)``), at most
    /// ``maximumReasons`` reasons. (Records read back are taken exactly as written.)
    public var bounded: AuditEvent {
        var copy = self
        copy.actor = Self.bounded(actor)
        copy.agency = agency.map(Self.bounded)
        copy.job = job.map(Self.bounded)
        copy.purpose = purpose.map(Self.bounded)
        copy.caseNumber = caseNumber.map(Self.bounded)
        copy.outcome = outcome.map(Self.bounded)
        copy.reasons = reasons.count > Self.maximumReasons
            ? reasons.prefix(Self.maximumReasons).map(Self.bounded) + ["… \(reasons.count - Self.maximumReasons) more"]
            : reasons.map(Self.bounded)
        copy.details = details.mapValues(Self.bounded)
        return copy
    }

    /// - Parameter jobSHA256: see ``jobSHA256``; stored in `details`.
    public init(
        event: String, actor: String, agency: String? = nil, job: String? = nil, purpose: String? = nil,
        caseNumber: String? = nil, outcome: String? = nil, reasons: [String] = [], probeSHA256: [String] = [],
        candidates: Int? = nil, details: [String: String] = [:], jobSHA256: String? = nil
    ) {
        self.event = event
        self.actor = actor
        self.agency = agency
        self.job = job
        self.purpose = purpose
        self.caseNumber = caseNumber
        self.outcome = outcome
        self.reasons = reasons
        self.probeSHA256 = probeSHA256
        self.candidates = candidates
        self.details = details
        if let jobSHA256 { self.details[Self.jobSHA256Key] = jobSHA256 }
    }
}
