import Foundation

/// What an annual report on facial recognition use asks, tallied from the audit log: searches by
/// user, agency, purpose, offense and outcome; denials by reason; candidates returned; examiner
/// dispositions; held requests and administrative changes.
///
/// A *search* is a job's final record (`job.completed`, `job.denied` or `job.failed`; exactly one
/// per job). The offense is read from the final record's `details["offense"]` and a review's
/// disposition from `review.recorded`'s `details["disposition"]`, since neither has a field of
/// its own in the record format.
///
/// ## What the statutes' annual reports ask (Washington RCW 43.386, Utah 77-23e, Montana 44-15-111)
/// Searches per crime type (``byOffense``) with the probable matches found for each: leads that peer
/// review released (``releasedLeadsByOffense``, `lead.released`: two examiners agreed, or a supervisor
/// resolved a dispute, that the candidate is a possible match) and, as well, every lead an examiner
/// marked `possible-match` (``possibleMatchesByOffense``; distinct leads — job, face, candidate — so two
/// examiners agreeing count once); the sources of the probe images
/// (``byProbeSource``, from the final record's `details["probe_source"]`, `"unspecified"` when the job
/// named none); outcomes such as arrests and charges per purpose (``outcomesByPurpose``, from
/// `outcome.recorded`'s `details["action"]`); peer-review disagreements (``disputes``, `lead.disputed`).
/// Reviews, outcomes and disputes are attributed to their job's offense and purpose through the job's
/// final record, which may lie before the period (the whole log is read for that).
/// ``searchesByMonth`` feeds the HTML page's chart.
public struct AuditReport: Sendable, Equatable, Encodable {
    /// Searches by outcome for one user, agency, purpose or offense.
    public struct Tally: Sendable, Equatable, Encodable {
        public var completed = 0
        public var denied = 0
        public var failed = 0
        /// Candidates returned by this row's completed searches.
        public var candidates = 0
        public var total: Int { completed + denied + failed }

        public init() {}

        enum CodingKeys: String, CodingKey { case total, completed, denied, failed, candidates }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(total, forKey: .total)
            try c.encode(completed, forKey: .completed)
            try c.encode(denied, forKey: .denied)
            try c.encode(failed, forKey: .failed)
            try c.encode(candidates, forKey: .candidates)
        }

        mutating func add(outcome event: String, candidates: Int?) {
            switch AuditEventName(rawValue: event) {
            case .jobCompleted?:
                completed += 1
                self.candidates += candidates ?? 0
            case .jobDenied?: denied += 1
            default: failed += 1
            }
        }
    }

    /// First day included (`YYYY-MM-DD`), if bounded.
    public var from: String?
    /// Last day included, if bounded.
    public var to: String?
    /// Records read in the period.
    public var records = 0
    /// Searches (final job records) by outcome.
    public var searches = Tally()
    /// Searches per requester.
    public var byUser: [String: Tally] = [:]
    /// Searches per agency.
    public var byAgency: [String: Tally] = [:]
    /// Searches per requested purpose (as written, authorized or not).
    public var byPurpose: [String: Tally] = [:]
    /// Searches per offense (`details["offense"]`; `"(none)"` when absent).
    public var byOffense: [String: Tally] = [:]
    /// Denials per reason code (a denial with several reasons counts once for each).
    public var denialsByReason: [String: Int] = [:]
    /// Requests held for a supervisor, approved and rejected.
    public var held = 0
    public var approved = 0
    public var rejected = 0
    /// Examiner dispositions (`possible-match`, `no-match`, `inconclusive`) recorded.
    public var dispositions: [String: Int] = [:]
    /// Every other event by name (administrative changes, gallery, purges, …).
    public var otherEvents: [String: Int] = [:]
    /// The year, for an annual report (`--annual YEAR`).
    public var year: Int?
    /// Probable matches: leads released by peer review (`lead.released`, distinct leads) per offense.
    public var releasedLeadsByOffense: [String: Int] = [:]
    /// Distinct leads marked `possible-match` by at least one examiner, per offense of their job.
    public var possibleMatchesByOffense: [String: Int] = [:]
    /// Searches per probe image source (`details["probe_source"]`, else `"unspecified"`).
    public var byProbeSource: [String: Tally] = [:]
    /// Outcomes recorded (`outcome.recorded`, by `details["action"]`) per purpose of their job.
    public var outcomesByPurpose: [String: [String: Int]] = [:]
    /// Peer-review disagreements (`lead.disputed`), in all and per purpose of their job.
    public var disputes = 0
    public var disputesByPurpose: [String: Int] = [:]
    /// Searches per month (`YYYY-MM`) and purpose.
    public var searchesByMonth: [String: [String: Int]] = [:]

    /// Each job's offense and purpose, from its final record (to attribute later reviews,
    /// outcomes and disputes), and the leads already counted as probable matches.
    private var jobs: [String: JobFacts] = [:]
    private struct JobFacts: Sendable, Equatable {
        var offense: String
        var purpose: String
    }
    private var countedLeads = Set<String>()
    private var releasedLeads = Set<String>()

    public init(from: String? = nil, to: String? = nil) {
        self.from = from
        self.to = to
    }

    /// An annual report: January 1 to December 31 of `year`.
    public init(year: Int) {
        self.init(from: String(format: "%04d-01-01", year), to: String(format: "%04d-12-31", year))
        self.year = year
    }

    enum CodingKeys: String, CodingKey {
        case from, to, records, searches, byUser, byAgency, byPurpose, byOffense, denialsByReason, held, approved
        case rejected, dispositions, otherEvents, year, releasedLeadsByOffense, possibleMatchesByOffense, byProbeSource
        case outcomesByPurpose
        case disputes, disputesByPurpose, searchesByMonth
    }

    /// Notes a job's offense and purpose from its final record, wherever the record lies (reviews,
    /// outcomes and disputes in the period may belong to jobs of an earlier period).
    public mutating func note(_ record: AuditRecord) {
        let e = record.event
        guard let job = e.job, let name = e.name, AuditEventName.jobFinals.contains(name) else { return }
        jobs[job] = JobFacts(offense: e.details["offense"] ?? "(none)", purpose: e.purpose ?? "(none)")
    }

    /// A lead's key: job, face, candidate.
    private static func lead(_ e: AuditEvent) -> String {
        [e.job ?? "", e.details["face"] ?? "", e.details["candidate"] ?? ""].joined(separator: "\u{1f}")
    }

    private func offense(of e: AuditEvent) -> String {
        e.job.flatMap { jobs[$0]?.offense } ?? "(unknown job)"
    }

    private func purpose(of e: AuditEvent) -> String {
        e.purpose ?? e.job.flatMap { jobs[$0]?.purpose } ?? "(none)"
    }

    /// Whether `record` falls in the report's period (by its UTC day).
    public func includes(_ record: AuditRecord) -> Bool {
        if let from, record.day < from { return false }
        if let to, record.day > to { return false }
        return true
    }

    /// Counts one record (if it falls in the period).
    public mutating func add(_ record: AuditRecord) {
        guard includes(record) else { return }
        records += 1
        let e = record.event
        switch e.name {
        case .jobCompleted?, .jobDenied?, .jobFailed?:
            searches.add(outcome: e.event, candidates: e.candidates)
            byUser[e.actor, default: Tally()].add(outcome: e.event, candidates: e.candidates)
            byAgency[e.agency ?? "(none)", default: Tally()].add(outcome: e.event, candidates: e.candidates)
            byPurpose[e.purpose ?? "(none)", default: Tally()].add(outcome: e.event, candidates: e.candidates)
            byOffense[e.details["offense"] ?? "(none)", default: Tally()].add(outcome: e.event, candidates: e.candidates)
            byProbeSource[e.details["probe_source"] ?? "unspecified", default: Tally()].add(outcome: e.event, candidates: e.candidates)
            searchesByMonth[String(record.day.prefix(7)), default: [:]][e.purpose ?? "(none)", default: 0] += 1
            if e.name == .jobDenied {
                for reason in Set(e.reasons) { denialsByReason[reason, default: 0] += 1 }
            }
        case .jobHeld?: held += 1
        case .jobApproved?: approved += 1
        case .jobRejected?: rejected += 1
        case .reviewRecorded?:
            dispositions[e.details["disposition"] ?? "(none)", default: 0] += 1
            if e.details["disposition"] == "possible-match", countedLeads.insert(Self.lead(e)).inserted {
                possibleMatchesByOffense[offense(of: e), default: 0] += 1
            }
        case .leadReleased?:
            if releasedLeads.insert(Self.lead(e)).inserted { releasedLeadsByOffense[offense(of: e), default: 0] += 1 }
        case .outcomeRecorded?:
            outcomesByPurpose[purpose(of: e), default: [:]][e.details["action"] ?? "(none)", default: 0] += 1
        case .leadDisputed?:
            disputes += 1
            disputesByPurpose[purpose(of: e), default: 0] += 1
        default:
            otherEvents[e.event, default: 0] += 1
        }
    }

    /// Tallies every record of an audit directory in `from...to`.
    ///
    /// - Throws: ``AuditError`` for an unreadable file or record.
    public static func make(directory: String, from: String? = nil, to: String? = nil) throws -> AuditReport {
        try make(directory: directory, report: AuditReport(from: from, to: to))
    }

    /// Tallies every record of an audit directory into `report` (its period; see ``init(year:)``).
    ///
    /// - Throws: ``AuditError`` for an unreadable file or record.
    public static func make(directory: String, report: AuditReport) throws -> AuditReport {
        var report = report
        let reader = AuditReader(directory: directory)
        if let from = report.from {
            // Reviews, outcomes and disputes in the period may belong to jobs finished before it:
            // note those jobs' facts from the earlier files, best effort (a damaged old file costs
            // only the attribution of such records, never the report).
            try? reader.forEachRecord(from: nil, to: from) { report.note($0) }
        }
        // Day files hold records of their day or (after a clock step back) earlier: read from
        // `from` on by file, filter by record.
        try reader.forEachRecord(from: report.from, to: nil) {
            report.note($0)
            report.add($0)
        }
        return report
    }

    // MARK: Rendering

    /// The report as JSON (keys sorted, snake_case), with the verification result if given.
    public func json(verification: AuditVerification? = nil) throws -> String {
        struct Document: Encodable {
            var report: AuditReport
            var verified: Bool?
            var verification: String?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let doc = Document(report: self, verified: verification.map(\.isIntact), verification: verification?.description)
        return String(decoding: try encoder.encode(doc), as: UTF8.self)
    }

    /// The report as text for people: sections of aligned rows.
    public var text: String {
        var out: [String] = []
        let period = "\(from ?? "beginning") to \(to ?? "end")"
        out.append(year.map { "FACIAL RECOGNITION ANNUAL REPORT \($0) (\(period))" } ?? "FACIAL RECOGNITION USE REPORT (\(period))")
        out.append("records read: \(records)")
        out.append("searches: \(searches.total) (completed \(searches.completed), denied \(searches.denied), failed \(searches.failed)); candidates returned: \(searches.candidates)")
        out.append("held for approval: \(held) (approved \(approved), rejected \(rejected))")
        for (title, table) in tables {
            out.append("")
            out.append(title.uppercased())
            out.append(Self.row(["", "total", "completed", "denied", "failed", "candidates"]))
            for key in table.keys.sorted() {
                let t = table[key]!
                out.append(Self.row([key, "\(t.total)", "\(t.completed)", "\(t.denied)", "\(t.failed)", "\(t.candidates)"]))
            }
        }
        for (title, counts) in countTables + statuteCountTables {
            out.append("")
            out.append(title.uppercased())
            for key in counts.keys.sorted() { out.append(Self.row([key, "\(counts[key]!)"])) }
        }
        out.append("")
        out.append("PEER-REVIEW DISAGREEMENTS (lead.disputed): \(disputes)")
        return out.joined(separator: "\n")
    }

    /// The report as CSV: `section,key,total,completed,denied,failed,candidates`; count sections
    /// fill `total` only.
    public var csv: String {
        var out = ["section,key,total,completed,denied,failed,candidates"]
        out.append(Self.csvRow(["searches", "all", "\(searches.total)", "\(searches.completed)", "\(searches.denied)", "\(searches.failed)", "\(searches.candidates)"]))
        for (title, table) in tables {
            for key in table.keys.sorted() {
                let t = table[key]!
                out.append(Self.csvRow([title, key, "\(t.total)", "\(t.completed)", "\(t.denied)", "\(t.failed)", "\(t.candidates)"]))
            }
        }
        for (title, counts) in countTables + statuteCountTables
            + [("held", ["held": held, "approved": approved, "rejected": rejected]), ("disputes", ["all": disputes])]
        {
            for key in counts.keys.sorted() {
                out.append(Self.csvRow([title, key, "\(counts[key]!)", "", "", "", ""]))
            }
        }
        return out.joined(separator: "\n")
    }

    private var tables: [(String, [String: Tally])] {
        [("by user", byUser), ("by agency", byAgency), ("by purpose", byPurpose), ("by offense", byOffense),
         ("by probe source", byProbeSource)]
    }

    /// The statutes' count sections, flattened for text and CSV (`purpose: action` keys).
    private var statuteCountTables: [(String, [String: Int])] {
        var outcomes: [String: Int] = [:]
        for (purpose, actions) in outcomesByPurpose {
            for (action, n) in actions { outcomes["\(purpose): \(action)"] = n }
        }
        var months: [String: Int] = [:]
        for (month, purposes) in searchesByMonth {
            for (purpose, n) in purposes { months["\(month): \(purpose)"] = n }
        }
        return [("released leads by offense", releasedLeadsByOffense),
                ("possible-match leads by offense", possibleMatchesByOffense), ("outcomes by purpose", outcomes),
                ("disputes by purpose", disputesByPurpose), ("searches by month", months)]
    }

    private var countTables: [(String, [String: Int])] {
        [("denials by reason", denialsByReason), ("examiner dispositions", dispositions), ("other events", otherEvents)]
    }

    private static func row(_ cells: [String]) -> String {
        guard let first = cells.first else { return "" }
        let head = first.count < 34 ? first + String(repeating: " ", count: 34 - first.count) : first + " "
        return "  " + head + cells.dropFirst().map { String(repeating: " ", count: max(0, 10 - $0.count)) + $0 }.joined(separator: " ")
    }

    /// One CSV line; cells with commas, quotes or line breaks are quoted (RFC 4180), and cells
    /// that a spreadsheet would run as a formula (a first **scalar** of `= + - @`, tab or carriage
    /// return, whatever combining marks follow it: `"=\u{301}cmd"` is one grapheme that is not `=`
    /// but a spreadsheet still reads `=`) are prefixed with `'`, integers excepted.
    static func csvRow(_ cells: [String]) -> String {
        cells.map { cell in
            var c = cell
            if let first = c.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Int(c) == nil { c = "'" + c }
            // Scalars, not characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
            if c.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                c = "\"" + c.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return c
        }.joined(separator: ",")
    }
}
