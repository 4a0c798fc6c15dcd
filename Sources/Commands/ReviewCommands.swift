import Audit
import Foundation
import Glibc
import Reviews
import Spool
import Store

/// `frs review JOB --examiner ID --face N --candidate SUBJECT
/// --disposition possible-match|no-match|inconclusive [--note TEXT]`
public struct ReviewCommand: Subcommand {
    public static let words = ["review"]
    public static let abstract = "record an examiner's disposition on a candidate (from the examiner's own account)"
    public static let usage = """
        review JOB --examiner ID --face N --candidate SUBJECT
                 --disposition possible-match|no-match|inconclusive [--note TEXT]
        """
    public static let help = """
          --examiner ID      the examiner (or supervisor) recording the disposition
          --face N           the face's number on the examiner's sheet (1, 2, …)
          --candidate ID     the candidate's gallery subject id
          --disposition D    possible-match, no-match or inconclusive
          --note TEXT        the examiner's note
        An account that can write the spool's database records the review at once; any other
        account hands it to the daemon through the drop box (it takes effect when a daemon runs).
        """

    public var request: ReviewRequest

    public init(arguments: inout ArgumentList) throws(UsageError) {
        let examiner = try arguments.required("--examiner")
        guard let face = try arguments.int("--face", in: 1...Int(Int32.max)) else { throw UsageError("missing --face") }
        let candidate = try arguments.required("--candidate")
        let text = try arguments.required("--disposition")
        guard let disposition = ReviewRequest.Disposition(rawValue: text) else {
            throw UsageError("--disposition must be possible-match, no-match or inconclusive, not \"\(text)\"")
        }
        let note = try arguments.option("--note")
        let job = try single(&arguments, "job id")
        request = ReviewRequest(job: job, examiner: examiner, face: face, candidate: candidate,
                                disposition: disposition, note: note)
    }

    public func validate() throws(UsageError) {
        try validateJobID(request.job)
        guard !request.examiner.isEmpty, !request.candidate.isEmpty else { throw UsageError("empty --examiner or --candidate") }
    }

    public func run(_ context: CommandContext) throws -> Int32 {
        let layout = SpoolLayout(root: context.spool)
        guard access(layout.database, W_OK) == 0, access(layout.state, W_OK) == 0, access(layout.audit, W_OK) == 0 else {
            let name = try request.drop(via: layout.tmp, into: layout.incoming)
            context.out("review of \(request.job) face \(request.face) queued as \(name); it takes effect when a daemon runs")
            return 0
        }
        let database = try SpoolDatabase.open(layout)
        let recorder = try ReviewRecorder(results: layout.resultFiles, database: database, audit: try AuditLog(directory: layout.audit))
        switch try recorder.apply(request, ownerUID: getuid(), request: nil) {
        case .recorded, .alreadyRecorded:
            context.out("recorded: job \(request.job) face \(request.face) candidate \(request.candidate): \(request.disposition.rawValue)")
            return 0
        case .refused(let reasons, let message):
            context.err("frs: review refused (\(reasons.map(\.rawValue).joined(separator: ", "))): \(message)")
            return 1
        }
    }
}

/// `frs purge [--older-than DAYS]`
public struct PurgeCommand: Subcommand {
    public static let words = ["purge"]
    public static let abstract = "remove evidence and results past retention (never the audit log; administrators)"
    public static let usage = "purge [--older-than DAYS]"
    public static let help = """
          --older-than DAYS   remove jobs finished more than DAYS days ago (default: the policy's
                              retention_days, 365 unless state/policy.json says otherwise)
        """

    public var olderThanDays: Int?

    public init(arguments: inout ArgumentList) throws(UsageError) {
        olderThanDays = try arguments.int("--older-than", in: 0...1_000_000)
    }

    public func run(_ context: CommandContext) throws -> Int32 {
        let report = try administration(context).purge(olderThanDays: olderThanDays)
        context.out("purged \(report.jobs.count) job\(report.jobs.count == 1 ? "" : "s"): \(report.files) files, \(report.bytes) bytes")
        return 0
    }
}

/// The `frs status JOB` lines about a job's reviews: the disposition in force for each
/// reviewed face and candidate.
func reviewStatusLines(_ layout: SpoolLayout, job: String, database: Database) -> [String] {
    guard let entries = try? ReviewLog(database: database).latest(job: job) else { return [] }
    return entries.map { entry in
        "  review: face \(entry.face) candidate \(entry.candidate): \(entry.disposition.rawValue) by \(entry.examiner) at \(entry.recorded)"
            + (entry.note.map { " — \($0)" } ?? "")
    }
}
