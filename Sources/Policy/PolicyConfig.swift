import Foundation

/// The department's tunable policy: the numbers and lists the rules use.
///
/// Stored as `policy.json` in the spool's state directory with snake_case keys; a key missing
/// from the file takes its default, an unknown key is refused (a misspelled setting must not be
/// silently ignored).
public struct PolicyConfig: Sendable, Codable, Equatable {
    /// Days a training completion stays valid (MOU III.B). Default 365.
    public var trainingValidityDays: Int
    /// Minimum length of the justification narrative, in visible characters
    /// (``PolicyText/visibleLength(_:)``: invisible characters do not count, a run of white
    /// space counts as one). Default 30.
    public var minimumJustificationLength: Int
    /// Offenses that count as violent crimes for `witness-or-victim` (IV.5). The offense's words
    /// (normalized, ``PolicyText``) must contain a listed crime's words as a whole-word sequence,
    /// exactly: "attempted murder" and "aggravated assault" match "murder" and "assault";
    /// "assaulted" or "murders" do not (a denial, so write the offense's name).
    public var violentCrimes: [String]
    /// Phrases in which a violent-crime word does not name a violent crime ("theft of a car
    /// battery", "possession of an assault rifle"). A crime's occurrence that lies inside an
    /// occurrence of one of these (matched like watch terms, the last word as a prefix) does not
    /// count; another occurrence in the same offense still does ("car battery theft and battery
    /// of the owner" is violent). Default: car battery, battery charger, battery pack, assault
    /// rifle, assault weapon.
    public var violentCrimeExceptions: [String]
    /// Terms in a justification or offense that hold a request for a supervisor's approval
    /// (lawful assembly and worship, MOU V.2). Matched on the normalized text (``PolicyText``),
    /// word by word, the term's last word as a word **prefix** when it has 4 or more characters:
    /// "protest" holds protests, protested, protesting, protesters — and, as accepted false
    /// positives (a hold only costs a supervisor's look), protestant and protestation; "vigil"
    /// holds vigilante, "church" Churchill. A compound that does not begin with a term needs its
    /// own entry ("counterprotest").
    public var watchTerms: [String]
    /// The distance threshold used while the gallery has no calibration, or when its calibration
    /// finds no threshold whose FPIR is within ``targetFPIR`` (results then say "policy default").
    /// Default 0.6 (dlib's same-person threshold).
    public var defaultThreshold: Double
    /// The largest operating threshold: it caps the threshold calibrated for ``targetFPIR``, and
    /// no job may ask for more (`input.invalid-threshold`). Default 0.6.
    public var maximumThreshold: Double
    /// The false positive identification rate the agency accepts: after `frs gallery calibrate`,
    /// jobs run at the largest calibrated threshold whose measured FPIR is within it (capped by
    /// ``maximumThreshold``). Default 0.01 (1 in 100 searches of someone not in the gallery
    /// returns a stranger as a candidate).
    public var targetFPIR: Double
    /// What a candidate list is (``CandidateList``): the candidates within the operating threshold
    /// (`"threshold"`, the default), or the `max_candidates` nearest subjects whatever their
    /// distance, each marked whether it lies within the threshold (`"ranked"`, as the FBI's NGI-IPS).
    public var candidateList: CandidateList
    /// Candidate list length when a job gives none. Default 20.
    public var defaultMaxCandidates: Int
    /// Smallest `max_candidates` allowed. Default 2.
    public var minimumMaxCandidates: Int
    /// Largest `max_candidates` allowed. Default 50 (as NGI-IPS).
    public var maximumMaxCandidates: Int
    /// Days evidence and results are kept before `frs purge` removes them (never audit). Default 365.
    public var retentionDays: Int
    /// Days audit logs are kept at least (CJIS: one year). Default 365; purges never touch them.
    public var auditRetentionDays: Int
    /// Most probes listed in one job's `probes`. Default 1000.
    public var maxProbesPerJob: Int
    /// Most images taken from one `probe_dir`. Default 100,000.
    public var maxProbesPerDirectory: Int
    /// Largest probe image file, in bytes. Default 25 MiB.
    public var maxProbeBytes: Int
    /// Whether a `possible-match` becomes a released lead only when a second examiner (another
    /// person) records the same disposition. Default true; when false, the latest review decides.
    public var peerReview: Bool
    /// Most job files one account (uid) may have waiting at once: queued ahead of a job in
    /// `incoming/` plus held for a supervisor. A job beyond it is refused at once
    /// (`input.queue-limit`), so one account's flood cannot starve the others. Default 200.
    public var maxQueuedPerAccount: Int
    /// Days without activity after which the daemon's daily housekeeping disables (suspends) an
    /// account, audited (CJIS Security Policy 5.9.5, AC-2(3)). Default 90.
    public var inactiveDisableDays: Int = 90
    /// Most processor seconds one probe may take on the worker searching it (its decode is
    /// stopped at the next row once they are spent); a probe over it is refused
    /// (`input.probe-cpu-budget`). Default 60: an ordinary photo takes well under 5.
    public var maxProbeCPUSeconds: Double
    /// Processor seconds one job's probes may take together (`max_job_cpu_seconds`, default 21,600:
    /// six hours, an overnight run of thousands of probes); past it the probes not yet searched are
    /// not searched (`input.job-cpu-budget`).
    public var maxJobCPUSeconds: Double = 21_600
    /// The Type-2 fields of a booking record (ANSI/NIST-ITL) that identify a person, in order of
    /// preference: `frs gallery import` names the subject by the first present, else by the
    /// transaction control number. Default `2.015` (SID), then `2.014` (FBI number / UCN).
    public var identityFields: [String] = ["2.015", "2.014"]

    /// The built-in policy.
    public static let `default` = PolicyConfig(
        trainingValidityDays: 365,
        minimumJustificationLength: 30,
        violentCrimes: [
            "homicide", "murder", "manslaughter", "assault", "aggravated assault", "battery", "robbery",
            "armed robbery", "carjacking", "kidnapping", "abduction", "rape", "sexual assault", "sodomy",
            "child abuse", "domestic violence", "human trafficking", "shooting", "stabbing", "arson",
            "terrorism", "home invasion", "strangulation",
        ],
        violentCrimeExceptions: ["car battery", "battery charger", "battery pack", "assault rifle", "assault weapon"],
        watchTerms: [
            "protest", "counterprotest", "demonstration", "demonstrator", "rally", "rallies",
            "religious service", "church", "mosque", "synagogue", "temple", "worship", "vigil", "picket",
            "political meeting", "town hall", "parade",
        ],
        defaultThreshold: 0.6,
        maximumThreshold: 0.6,
        targetFPIR: 0.01,
        candidateList: .threshold,
        defaultMaxCandidates: 20,
        minimumMaxCandidates: 2,
        maximumMaxCandidates: 50,
        retentionDays: 365,
        auditRetentionDays: 365,
        maxProbesPerJob: 1000,
        maxProbesPerDirectory: 100_000,
        maxProbeBytes: 25 << 20,
        peerReview: true,
        maxQueuedPerAccount: 200,
        maxProbeCPUSeconds: 60
    )

    public init(
        trainingValidityDays: Int, minimumJustificationLength: Int, violentCrimes: [String],
        violentCrimeExceptions: [String] = [], watchTerms: [String],
        defaultThreshold: Double, maximumThreshold: Double, targetFPIR: Double = 0.01,
        candidateList: CandidateList = .threshold, defaultMaxCandidates: Int, minimumMaxCandidates: Int,
        maximumMaxCandidates: Int, retentionDays: Int, auditRetentionDays: Int, maxProbesPerJob: Int,
        maxProbesPerDirectory: Int, maxProbeBytes: Int, peerReview: Bool = true, maxQueuedPerAccount: Int = 200,
        maxProbeCPUSeconds: Double = 60
    ) {
        self.trainingValidityDays = trainingValidityDays
        self.minimumJustificationLength = minimumJustificationLength
        self.violentCrimes = violentCrimes
        self.violentCrimeExceptions = violentCrimeExceptions
        self.watchTerms = watchTerms
        self.defaultThreshold = defaultThreshold
        self.maximumThreshold = maximumThreshold
        self.targetFPIR = targetFPIR
        self.candidateList = candidateList
        self.defaultMaxCandidates = defaultMaxCandidates
        self.minimumMaxCandidates = minimumMaxCandidates
        self.maximumMaxCandidates = maximumMaxCandidates
        self.retentionDays = retentionDays
        self.auditRetentionDays = auditRetentionDays
        self.maxProbesPerJob = maxProbesPerJob
        self.maxProbesPerDirectory = maxProbesPerDirectory
        self.maxProbeBytes = maxProbeBytes
        self.peerReview = peerReview
        self.maxQueuedPerAccount = maxQueuedPerAccount
        self.maxProbeCPUSeconds = maxProbeCPUSeconds
    }

    /// The same policy with `peer_review` set.
    public func with(peerReview: Bool) -> PolicyConfig {
        var copy = self
        copy.peerReview = peerReview
        return copy
    }

    /// The same policy with `inactive_disable_days` set.
    public func with(inactiveDisableDays days: Int) -> PolicyConfig {
        var copy = self
        copy.inactiveDisableDays = days
        return copy
    }

    /// The allowed `max_candidates` values.
    public var maxCandidatesRange: ClosedRange<Int> { minimumMaxCandidates...maximumMaxCandidates }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case trainingValidityDays = "training_validity_days"
        case minimumJustificationLength = "minimum_justification_length"
        case violentCrimes = "violent_crimes"
        case violentCrimeExceptions = "violent_crime_exceptions"
        case watchTerms = "watch_terms"
        case defaultThreshold = "default_threshold"
        case maximumThreshold = "maximum_threshold"
        case targetFPIR = "target_fpir"
        case candidateList = "candidate_list"
        case defaultMaxCandidates = "default_max_candidates"
        case minimumMaxCandidates = "minimum_max_candidates"
        case maximumMaxCandidates = "maximum_max_candidates"
        case retentionDays = "retention_days"
        case auditRetentionDays = "audit_retention_days"
        case maxProbesPerJob = "max_probes_per_job"
        case maxProbesPerDirectory = "max_probes_per_directory"
        case maxProbeBytes = "max_probe_bytes"
        case peerReview = "peer_review"
        case maxQueuedPerAccount = "max_queued_per_account"
        case inactiveDisableDays = "inactive_disable_days"
        case maxProbeCPUSeconds = "max_probe_cpu_seconds"
        case maxJobCPUSeconds = "max_job_cpu_seconds"
        case identityFields = "identity_fields"
    }

    /// Decodes a policy; missing keys take the defaults. Use ``load(jsonBytes:)`` for files, which
    /// also refuses unknown keys and checks the values.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = PolicyConfig.default
        trainingValidityDays = try c.decodeIfPresent(Int.self, forKey: .trainingValidityDays) ?? d.trainingValidityDays
        minimumJustificationLength = try c.decodeIfPresent(Int.self, forKey: .minimumJustificationLength) ?? d.minimumJustificationLength
        violentCrimes = try c.decodeIfPresent([String].self, forKey: .violentCrimes) ?? d.violentCrimes
        violentCrimeExceptions = try c.decodeIfPresent([String].self, forKey: .violentCrimeExceptions) ?? d.violentCrimeExceptions
        watchTerms = try c.decodeIfPresent([String].self, forKey: .watchTerms) ?? d.watchTerms
        defaultThreshold = try c.decodeIfPresent(Double.self, forKey: .defaultThreshold) ?? d.defaultThreshold
        maximumThreshold = try c.decodeIfPresent(Double.self, forKey: .maximumThreshold) ?? d.maximumThreshold
        targetFPIR = try c.decodeIfPresent(Double.self, forKey: .targetFPIR) ?? d.targetFPIR
        candidateList = try c.decodeIfPresent(CandidateList.self, forKey: .candidateList) ?? d.candidateList
        defaultMaxCandidates = try c.decodeIfPresent(Int.self, forKey: .defaultMaxCandidates) ?? d.defaultMaxCandidates
        minimumMaxCandidates = try c.decodeIfPresent(Int.self, forKey: .minimumMaxCandidates) ?? d.minimumMaxCandidates
        maximumMaxCandidates = try c.decodeIfPresent(Int.self, forKey: .maximumMaxCandidates) ?? d.maximumMaxCandidates
        retentionDays = try c.decodeIfPresent(Int.self, forKey: .retentionDays) ?? d.retentionDays
        auditRetentionDays = try c.decodeIfPresent(Int.self, forKey: .auditRetentionDays) ?? d.auditRetentionDays
        maxProbesPerJob = try c.decodeIfPresent(Int.self, forKey: .maxProbesPerJob) ?? d.maxProbesPerJob
        maxProbesPerDirectory = try c.decodeIfPresent(Int.self, forKey: .maxProbesPerDirectory) ?? d.maxProbesPerDirectory
        maxProbeBytes = try c.decodeIfPresent(Int.self, forKey: .maxProbeBytes) ?? d.maxProbeBytes
        peerReview = try c.decodeIfPresent(Bool.self, forKey: .peerReview) ?? d.peerReview
        maxQueuedPerAccount = try c.decodeIfPresent(Int.self, forKey: .maxQueuedPerAccount) ?? d.maxQueuedPerAccount
        inactiveDisableDays = try c.decodeIfPresent(Int.self, forKey: .inactiveDisableDays) ?? d.inactiveDisableDays
        maxProbeCPUSeconds = try c.decodeIfPresent(Double.self, forKey: .maxProbeCPUSeconds) ?? d.maxProbeCPUSeconds
        maxJobCPUSeconds = try c.decodeIfPresent(Double.self, forKey: .maxJobCPUSeconds) ?? d.maxJobCPUSeconds
        identityFields = try c.decodeIfPresent([String].self, forKey: .identityFields) ?? d.identityFields
    }

    /// Loads and checks a policy file.
    ///
    /// - Parameter jsonBytes: the contents of `policy.json`.
    /// - Returns: the policy, defaults filled in for missing keys.
    /// - Throws: ``PolicyConfigError`` naming the key: not a JSON object, an unknown key, a wrong
    ///   type, or a value out of range (e.g. a threshold outside (0, 2], an empty violent-crime list).
    public static func load(jsonBytes: [UInt8]) throws(PolicyConfigError) -> PolicyConfig {
        let root: JSONValue
        do {
            root = try JSONParser().parse(jsonBytes)
        } catch {
            throw PolicyConfigError(key: "", message: "not valid JSON: \(error.description)")
        }
        guard case .object(let members) = root else {
            throw PolicyConfigError(key: "", message: "a policy file must be a JSON object, not \(root.typeName)")
        }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        var seen = Set<String>()
        for member in members {
            guard known.contains(member.key) else {
                throw PolicyConfigError(key: member.key, message: "unknown key; known keys are \(known.sorted().joined(separator: ", "))")
            }
            guard seen.insert(member.key).inserted else {
                throw PolicyConfigError(key: member.key, message: "key given more than once")
            }
        }
        let config: PolicyConfig
        do {
            config = try StrictJSON.decode(PolicyConfig.self, from: root)  // the value parsed above: read once
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw PolicyConfigError(key: context.codingPath.first?.stringValue ?? "", message: "wrong type: \(context.debugDescription)")
        } catch let DecodingError.dataCorrupted(context) {
            throw PolicyConfigError(key: context.codingPath.first?.stringValue ?? "", message: context.debugDescription)
        } catch {
            throw PolicyConfigError(key: "", message: "\(error)")
        }
        try config.validate()
        return config
    }

    /// Checks that every value is in its sensible range.
    ///
    /// - Throws: ``PolicyConfigError`` naming the first bad key.
    public func validate() throws(PolicyConfigError) {
        func check(_ ok: Bool, _ key: CodingKeys, _ message: String) throws(PolicyConfigError) {
            if !ok { throw PolicyConfigError(key: key.rawValue, message: message) }
        }
        try check((1...3650).contains(trainingValidityDays), .trainingValidityDays, "must be 1 to 3650 days")
        try check((1...4000).contains(minimumJustificationLength), .minimumJustificationLength, "must be 1 to 4000 characters")
        try check(!violentCrimes.isEmpty && violentCrimes.allSatisfy { !Self.words($0).isEmpty }, .violentCrimes, "must list at least one offense, none blank")
        try check(violentCrimeExceptions.allSatisfy { !Self.words($0).isEmpty }, .violentCrimeExceptions, "must not be blank")
        let crimes = Set(violentCrimes.map(Self.words))
        try check(!violentCrimeExceptions.contains { crimes.contains(Self.words($0)) }, .violentCrimeExceptions,
                  "must not repeat a violent crime (it would never count); remove it from violent_crimes instead")
        try check(watchTerms.allSatisfy { !Self.words($0).isEmpty }, .watchTerms, "terms must not be blank")
        try check(defaultThreshold > 0 && defaultThreshold <= 2, .defaultThreshold, "must be in (0, 2]")
        try check(maximumThreshold >= defaultThreshold && maximumThreshold <= 2, .maximumThreshold, "must be at least default_threshold and at most 2")
        try check(targetFPIR > 0 && targetFPIR < 1, .targetFPIR, "must be a rate between 0 and 1 (exclusive), e.g. 0.01")
        try check(minimumMaxCandidates >= 1, .minimumMaxCandidates, "must be at least 1")
        try check(maximumMaxCandidates >= minimumMaxCandidates && maximumMaxCandidates <= 1000, .maximumMaxCandidates, "must be from minimum_max_candidates to 1000")
        try check(maxCandidatesRange.contains(defaultMaxCandidates), .defaultMaxCandidates, "must be within minimum_max_candidates...maximum_max_candidates")
        try check(retentionDays >= 1, .retentionDays, "must be at least 1")
        try check(auditRetentionDays >= 365, .auditRetentionDays, "must be at least 365 (CJIS keeps audit records a year)")
        try check(maxProbesPerJob >= 1, .maxProbesPerJob, "must be at least 1")
        try check(maxProbesPerDirectory >= 1, .maxProbesPerDirectory, "must be at least 1")
        try check(maxProbeBytes >= 1024, .maxProbeBytes, "must be at least 1024")
        try check(maxQueuedPerAccount >= 1, .maxQueuedPerAccount, "must be at least 1")
        try check((1...3650).contains(inactiveDisableDays), .inactiveDisableDays, "must be 1 to 3650 days")
        try check(maxProbeCPUSeconds >= 1 && maxProbeCPUSeconds <= 3600, .maxProbeCPUSeconds, "must be 1 to 3600 seconds")
        try check(maxJobCPUSeconds >= maxProbeCPUSeconds && maxJobCPUSeconds <= 7 * 86_400, .maxJobCPUSeconds,
                  "must be from max_probe_cpu_seconds to 604800 seconds (a week)")
        try check(identityFields.allSatisfy { f in
            f.hasPrefix("2.") && (3...11).contains(f.count) && f.dropFirst(2).allSatisfy { $0.isASCII && $0.isNumber }
        }, .identityFields, "must list Type-2 field tags such as \"2.015\"")
    }

    /// The normalized words of a text (``PolicyText/words(_:)``): the unit of term matching.
    static func words(_ text: String) -> [String] {
        PolicyText.words(text)
    }

    /// The terms of `list` that occur in `text` (both normalized, ``PolicyText``), in list order.
    ///
    /// - Parameters:
    ///   - list: policy terms of one or more words.
    ///   - text: the request's text.
    ///   - prefix: whether a term's last word also matches words it begins (watch terms) or only
    ///     whole words (violent crimes).
    public static func matches(of list: [String], in text: String, prefix: Bool = false) -> [String] {
        let haystack = words(text)
        guard !haystack.isEmpty else { return [] }
        return list.filter { !PolicyText.occurrences(of: words($0), in: haystack, prefix: prefix).isEmpty }
            .reduce(into: []) { found, term in if !found.contains(term) { found.append(term) } }
    }

    /// Whether `offense` names a violent crime of ``violentCrimes``: some crime occurs as a
    /// whole-word sequence that no occurrence of a ``violentCrimeExceptions`` phrase contains.
    public func isViolentCrime(_ offense: String) -> Bool {
        let haystack = PolicyConfig.words(offense)
        let excused = violentCrimeExceptions.flatMap {
            PolicyText.occurrences(of: PolicyConfig.words($0), in: haystack, prefix: true)
        }
        return violentCrimes.contains { crime in
            PolicyText.occurrences(of: PolicyConfig.words(crime), in: haystack, prefix: false).contains { hit in
                !excused.contains { $0.lowerBound <= hit.lowerBound && hit.upperBound <= $0.upperBound }
            }
        }
    }

    /// The watch terms that occur in `text`, each term's last word as a word prefix.
    public func watchTermsMatched(in text: String) -> [String] {
        PolicyConfig.matches(of: watchTerms, in: text, prefix: true)
    }
}

/// What a job's candidate list holds (the policy's `candidate_list`); the choice is the agency's.
public enum CandidateList: String, Sendable, Codable, CaseIterable {
    /// The candidates within the operating threshold, nearest first, at most `max_candidates`: a
    /// face may get none. Each one is as likely a stranger as the calibration says at its distance.
    case threshold
    /// The `max_candidates` nearest subjects whatever their distance, nearest first (an
    /// investigation list, as the FBI's NGI-IPS returns), each marked `within_threshold`. The
    /// examiner compares the whole list; those beyond the threshold are even more likely strangers.
    case ranked

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let list = CandidateList(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "must be \"threshold\" or \"ranked\", not \"\(text)\""))
        }
        self = list
    }
}

/// A policy file could not be used.
public struct PolicyConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key concerned, or `""` for the whole file.
    public var key: String
    /// What is wrong and how to fix it.
    public var message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { key.isEmpty ? "policy: \(message)" : "policy: \(key): \(message)" }
}
