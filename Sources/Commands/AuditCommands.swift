import Audit
import Foundation

/// `frs audit verify`: checks the audit log's hash chain.
struct AuditVerifyCommand: Subcommand {
    static let words = ["audit", "verify"]
    static let abstract = "check the audit log's hash chain; exit 1 with the first bad file:line"
    static let usage = "audit verify [--anchor SEQ:HASH] [--dir DIR]"
    static let help = """
          --anchor SEQ:HASH  a head printed by an earlier verify: that record must still be in the
                             chain, unchanged (catches records cut off the end or a rewritten tail)
          --dir DIR          the audit directory (default: <spool>/outbox/audit)
        The log's own head anchor, DIR.head (outbox/audit.head, rewritten by every append), is
        checked too when present: a deleted or cut newest day file fails, naming the missing seqs.
        Takes no lock: an incomplete last line (a record being written) is ignored and mentioned.
        """

    /// An explicit audit directory, instead of the spool's.
    var directory: String?
    /// A record noted earlier that must still be there.
    var anchor: AuditAnchor?

    init(arguments: inout ArgumentList) throws(UsageError) {
        directory = try arguments.option("--dir")
        if let text = try arguments.option("--anchor") {
            guard let anchor = AuditAnchor(parsing: text) else {
                throw UsageError("--anchor must be SEQ:HASH as printed by 'frs audit verify', not \"\(text)\"")
            }
            self.anchor = anchor
        }
    }

    /// The directory verified: `--dir`, else `<spool>/outbox/audit`.
    func auditDirectory(_ context: CommandContext) -> String {
        directory ?? (context.spool.hasSuffix("/") ? context.spool : context.spool + "/") + "outbox/audit"
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let dir = auditDirectory(context)
        if let problem = directoryAccessProblem(dir, what: "outbox/audit/") {
            context.err("frs: \(problem)")
            return 1
        }
        let result = AuditVerifier.verify(directory: dir, anchors: anchor.map { [$0] } ?? [])
        if let failure = result.failure {
            context.out("\(dir)/\(failure.file):\(failure.line): \(failure.message)")
            return 1
        }
        context.out(result.description)
        return 0
    }
}

/// `frs audit report [--from DATE] [--to DATE] [--annual YEAR] [--format text|csv|json|html]`: use of the
/// system, tallied.
struct AuditReportCommand: Subcommand {
    static let words = ["audit", "report"]
    static let abstract = "searches by user, agency, purpose, offense and outcome; denials by reason; dispositions"
    static let usage = "audit report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--annual YYYY] [--format text|csv|json|html] [--dir DIR]"
    static let help = """
          --from DATE     first UTC day included (default: the log's first)
          --to DATE       last UTC day included (default: the log's last)
          --annual YEAR   the calendar year YEAR (instead of --from/--to), titled as the annual report
                          the statutes ask for (searches and probable matches per offense, probe
                          sources, outcomes per purpose, peer-review disagreements)
          --format F      text (default), csv, json, or html (a self-contained page with charts)
          --dir DIR       the audit directory (default: <spool>/outbox/audit)
        The log is verified first; if its chain is broken the report is still printed, with the
        first bad file:line, and the exit status is 1.
        """

    /// The output formats.
    enum Format: String, Sendable, CaseIterable {
        case text, csv, json, html
    }

    var from: String?
    var to: String?
    var format: Format
    var directory: String?
    /// `--annual YEAR`.
    var year: Int?

    init(arguments: inout ArgumentList) throws(UsageError) {
        from = try arguments.option("--from")
        to = try arguments.option("--to")
        if let text = try arguments.option("--annual") {
            guard text.count == 4, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), let year = Int(text), year >= 1970 else {
                throw UsageError("--annual must be a year YYYY, not \"\(text)\"")
            }
            self.year = year
        }
        let f = try arguments.option("--format") ?? "text"
        guard let format = Format(rawValue: f) else { throw UsageError("--format must be text, csv, json or html, not \"\(f)\"") }
        self.format = format
        directory = try arguments.option("--dir")
    }

    func validate() throws(UsageError) {
        if year != nil, from != nil || to != nil { throw UsageError("--annual YEAR stands for --from and --to; give one or the other") }
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, !Self.isDate(value) { throw UsageError("\(name) must be a date YYYY-MM-DD, not \"\(value)\"") }
        }
        if let from, let to, from > to { throw UsageError("--from \(from) is after --to \(to)") }
    }

    /// Whether `text` is a calendar date `YYYY-MM-DD`.
    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m)
        else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return (1...days).contains(d)
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let dir = directory ?? (context.spool.hasSuffix("/") ? context.spool : context.spool + "/") + "outbox/audit"
        if let problem = directoryAccessProblem(dir, what: "outbox/audit/") {
            context.err("frs: \(problem)")
            return 1
        }
        let verification = AuditVerifier.verify(directory: dir)
        let report = try AuditReport.make(directory: dir, report: year.map { AuditReport(year: $0) } ?? AuditReport(from: from, to: to))
        switch format {
        case .text:
            context.out(report.text)
            context.out("")
            context.out(verification.isIntact ? "audit chain verified: \(verification)" : "AUDIT CHAIN BROKEN: \(verification)")
        case .csv:
            context.out(report.csv)
        case .json:
            context.out(try report.json(verification: verification))
        case .html:
            context.out(report.html(verification: verification))
        }
        if let failure = verification.failure {
            context.err("frs: the audit log failed verification at \(dir)/\(failure.file):\(failure.line): \(failure.message)")
            return 1
        }
        return 0
    }
}
