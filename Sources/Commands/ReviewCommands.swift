import Audit
import Foundation
import Glibc
import Policy
import Reviews
import Spool
import Store
import SystemCalls

/// `frs review JOB --examiner ID --face N --candidate SUBJECT
/// --disposition possible-match|no-match|inconclusive [--note TEXT]`
struct ReviewCommand: Subcommand {
    static let words = ["review"]
    static let abstract = "record an examiner's disposition on a candidate (from the examiner's own account)"
    static let usage = """
        review JOB --examiner ID --face N --candidate SUBJECT
                 --disposition possible-match|no-match|inconclusive [--note TEXT] [--wait SECONDS]
        """
    static let help = """
          --examiner ID      the examiner (or supervisor) recording the disposition
          --face N           the face's number on the examiner's sheet (1, 2, …)
          --candidate ID     the candidate's gallery subject id
          --disposition D    possible-match, no-match or inconclusive
          --note TEXT        the examiner's note
        With peer review (the policy's peer_review, on by default) a possible-match becomes a
        released lead when a second examiner — another person, not the requester — records the
        same; until then the first disposition is not shown. Different dispositions make the lead
        disputed (frs resolve); a settled lead is not changed by a further review.
        An account that can write the spool's database records the review at once; any other
        account hands it to the daemon through the drop box.
        """ + "\n" + answerHelp

    var request: ReviewRequest
    /// `--wait SECONDS`: wait for the daemon's answer.
    var wait: Double?

    init(arguments: inout ArgumentList) throws(UsageError) {
        wait = try waitOption(&arguments)
        let examiner = try arguments.required("--examiner")
        let (face, candidate, disposition) = try leadDisposition(&arguments)
        let note = try arguments.option("--note")
        let job = try single(&arguments, "job id")
        request = ReviewRequest(job: job, examiner: examiner, face: face, candidate: candidate,
                                disposition: disposition, note: note)
    }

    func validate() throws(UsageError) {
        try validateJobID(request.job)
        guard !request.examiner.isEmpty, !request.candidate.isEmpty else { throw UsageError("empty --examiner or --candidate") }
    }

    func run(_ context: CommandContext) throws -> Int32 {
        try applyLeadRequest(context, request, what: "review of \(request.job) face \(request.face)", wait: wait,
                             check: { $0.review(request) }) { layout, database, audit, policy in
            let recorder = try ReviewRecorder(results: layout.resultFiles, database: database, audit: audit, policy: policy)
            let outcome = try recorder.apply(request, ownerUID: getuid(), request: nil)
            if outcome == .recorded {
                context.out("recorded: job \(request.job) face \(request.face) candidate \(request.candidate): \(request.disposition.rawValue)")
            }
            return outcome
        }
    }
}

/// Records a request about a lead (a review, a resolution, an outcome): directly when this account
/// can write the spool's database, else through the drop box for the daemon, once what this
/// account can see does not refuse it (``RequestChecks``). After a direct record, the job's sheet
/// and status board record are written again.
/// - Parameters:
///   - what: how the request is named in messages.
///   - wait: `--wait SECONDS` for the daemon's answer.
///   - check: the checks on what this account can see, before the request is queued.
///   - apply: records the request directly and reports it.
/// - Returns: the exit status: 0 recorded, queued or accepted, 1 refused (the reasons on standard
///   error or in the answer), 3 no answer within `wait`.
func applyLeadRequest<Request: DropBoxRequest>(
    _ context: CommandContext, _ request: Request, what: String, wait: Double?,
    check: (RequestChecks) -> RequestChecks.Refusal?,
    apply: (SpoolLayout, Database, AuditLog, PolicyConfig) throws -> AppliedRequest
) throws -> Int32 {
    let layout = SpoolLayout(root: context.spool)
    guard FileStatus.isAccessible(layout.database, W_OK), FileStatus.isAccessible(layout.state, W_OK), FileStatus.isAccessible(layout.audit, W_OK) else {
        return try handOver(context, request, what: what, refusal: check(RequestChecks(layout: layout)), wait: wait)
    }
    let database = try SpoolDatabase.open(layout)
    let policy = try layout.loadPolicy()
    switch try apply(layout, database, try AuditLog(directory: layout.audit), policy) {
    case .recorded, .alreadyRecorded:
        let evidence = EvidenceStore(root: layout.evidence, maximumProbeBytes: policy.maxProbeBytes)
        do {
            try JobViews(layout: layout, database: database, evidence: evidence, policy: policy).leadChanged(job: request.job)
        } catch {
            context.err("frs: recorded, but the examiner's sheet or the status board was not updated: \(error)")
        }
        return 0
    case .refused(let reasons, let message):
        context.err("frs: \(Request.kind) refused (\(reasons.map(\.rawValue).joined(separator: ", "))): \(message)")
        return 1
    }
}

/// `frs purge [--older-than DAYS]`
struct PurgeCommand: AdministrativeCommand {
    static let words = ["purge"]
    static let abstract = "remove evidence, results and answers past retention (never the audit log; administrators)"
    static let usage = "purge [--older-than DAYS]"
    static let help = """
          --older-than DAYS   remove jobs finished, and answers to requests given, more than DAYS days
                              ago (default: the policy's retention_days, 365 unless state/policy.json
                              says otherwise)
        """

    var olderThanDays: Int?

    init(arguments: inout ArgumentList) throws(UsageError) {
        olderThanDays = try arguments.int("--older-than", in: 0...1_000_000)
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let report = try administration(context).purge(olderThanDays: olderThanDays)
        context.out("purged \(report.jobs.count) job\(report.jobs.count == 1 ? "" : "s"): \(report.files) files, \(report.bytes) bytes"
                    + " (\(report.answers) of them answers to requests)")
        return 0
    }
}

/// The `frs status JOB` lines about a job's leads: for each face and candidate that was reviewed,
/// resolved or acted on, the lead's state and every disposition (examiner, time, note), the
/// resolution and the outcomes. A pending lead's dispositions are shown only to the examiner who
/// recorded them (and to accounts that review nothing, such as the daemon's): see ``leadStates(_:job:database:)``.
func reviewStatusLines(_ layout: SpoolLayout, job: String, database: Database) -> [String] {
    guard let leads = try? leadStates(layout, job: job, database: database) else { return [] }
    var lines: [String] = []
    for lead in leads.states where !(lead.reviews.isEmpty && lead.resolution == nil && lead.outcomes.isEmpty) {
        lines.append("  lead: face \(lead.face) candidate \(safe: lead.candidate): \(lead.status.rawValue)")
        for review in lead.reviews {
            let shown = leads.visible(review, in: lead)
            lines.append("  review: face \(lead.face) candidate \(safe: lead.candidate): "
                + "\(shown ? review.disposition.rawValue : "(withheld until a second review)") by \(safe: review.examiner) at \(safe: review.recorded)"
                + (shown ? review.note.map { " — \(safe: $0)" } ?? "" : "") + (lead.inForce.contains(review) ? "" : " (superseded)"))
        }
        if let resolution = lead.resolution {
            lines.append("  resolved: face \(lead.face) candidate \(safe: lead.candidate): \(resolution.disposition.rawValue) by \(safe: resolution.supervisor) at \(safe: resolution.recorded) — \(safe: resolution.note)")
        }
        for outcome in lead.outcomes {
            lines.append("  outcome: face \(lead.face) candidate \(safe: lead.candidate): \(outcome.action.rawValue) by \(safe: outcome.recordedBy) at \(safe: outcome.recorded)"
                + (outcome.corroboration.map { " — corroboration: \(safe: $0)" } ?? ""))
        }
    }
    return lines
}

/// A job's leads as the invoking account may see them.
struct VisibleLeads {
    var states: [LeadState]
    /// The invoking account.
    var viewerUID: UInt32
    /// Whether the invoking account is registered as someone who may review (who must not see a
    /// pending lead's first disposition).
    var viewerReviews: Bool

    /// Whether `review`'s disposition and note may be shown to the invoking account.
    func visible(_ review: ReviewLog.Entry, in lead: LeadState) -> Bool {
        lead.dispositionsVisible || !viewerReviews || review.examinerUID == viewerUID
    }
}

/// The leads of `job` (``Leads/leadStatus(job:)``) with what the invoking account may see.
func leadStates(_ layout: SpoolLayout, job: String, database: Database) throws -> VisibleLeads {
    let policy = (try? layout.loadPolicy()) ?? .default
    let states = try Leads(results: layout.resultFiles, database: database, peerReview: policy.peerReview).leadStatus(job: job)
    let uid = getuid()
    let reviews = try Registry(database: database).users(uid: uid).contains { Role(rawValue: $0.role)?.canReview == true }
    return VisibleLeads(states: states, viewerUID: uid, viewerReviews: reviews)
}

/// The status board's lead lines for `frs status JOB` (a person's view): each recorded lead's
/// state, its dispositions (withheld while the lead is pending), resolution and outcomes; for a
/// record written before leads were kept, its dispositions.
func boardLeadLines(_ record: JobStatusRecord) -> [String] {
    guard let leads = record.leads else {
        return record.dispositions.map { d in
            "  face \(d.face) candidate \(safe: d.candidate): \(safe: d.disposition) by \(safe: d.examiner) at \(safe: d.recorded)"
        }
    }
    var lines: [String] = []
    for lead in leads {
        lines.append("  lead: face \(lead.face) candidate \(safe: lead.candidate): \(safe: lead.state)")
        for entry in lead.dispositions {
            lines.append("  review: face \(lead.face) candidate \(safe: lead.candidate): "
                + "\(safe: entry.disposition ?? "(withheld until a second review)") by \(safe: entry.examiner) at \(safe: entry.time)"
                + (entry.note.map { " — \(safe: $0)" } ?? "") + (entry.superseded == true ? " (superseded)" : ""))
        }
        if let resolution = lead.resolution {
            lines.append("  resolved: face \(lead.face) candidate \(safe: lead.candidate): \(safe: resolution.disposition ?? "?") by "
                + "\(safe: resolution.examiner) at \(safe: resolution.time)" + (resolution.note.map { " — \(safe: $0)" } ?? ""))
        }
        for outcome in lead.outcomes {
            lines.append("  outcome: face \(lead.face) candidate \(safe: lead.candidate): \(safe: outcome.action) by \(safe: outcome.by) at \(safe: outcome.time)"
                + (outcome.corroboration.map { " — corroboration: \(safe: $0)" } ?? ""))
        }
    }
    return lines
}

/// `--face N --candidate SUBJECT --disposition D`, as `frs review` and `frs resolve` take them.
func leadDisposition(_ arguments: inout ArgumentList) throws(UsageError)
    -> (face: Int, candidate: String, disposition: ReviewRequest.Disposition)
{
    guard let face = try arguments.int("--face", in: 1...Int(Int32.max)) else { throw UsageError("missing --face") }
    let candidate = try arguments.required("--candidate")
    let text = try arguments.required("--disposition")
    guard let disposition = ReviewRequest.Disposition(rawValue: text) else {
        throw UsageError("--disposition must be possible-match, no-match or inconclusive, not \"\(text)\"")
    }
    return (face, candidate, disposition)
}
