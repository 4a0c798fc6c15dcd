import Audit
import Hashing
import Policy
import Results
import Store

/// What the daemon establishes about a job when it claims it, once, and carries to its end: who
/// owns the file, whether it speaks for the requester it names, their agency and its group, and
/// the hash of the request as written. Every audit record, the result's readers and the status
/// board's record come from it.
///
/// The actor is the requester only when the job file is established as theirs (a registered
/// requester whose uid owns the plain file); otherwise it is the owning account, `uid:N`, with
/// the name the file claimed kept in the details, so no one can put a request on another's record.
struct JobRecord {
    var job: String
    /// The requester the file names (authenticated only when ``authenticated``).
    var requester: String?
    var purpose: String?
    var caseNumber: String?
    /// The requester's agency, when the file is established as theirs.
    var agency: String?
    /// The agency's Unix group (it reads the job's result, sheet and board record).
    var group: UInt32?
    /// The job file's owner.
    var ownerUID: UInt32
    /// Whether the file is established as the requester's: a plain file with one link, owned by the
    /// uid registered for the requester it names. The one rule; nothing else decides it.
    var authenticated: Bool
    /// SHA-256 of the job file's bytes (the request as written, justification included; for a
    /// released job the private copy a supervisor decided on), recorded in the job's audit records
    /// (`details.job_sha256`) when the file could be read.
    var jobSHA256: String?
    /// The claimed file's identity while a daemon runs the job (for the status board).
    var claim: ClaimMark?

    /// Establishes the record of a claimed job from what was read of its file.
    /// - Parameters:
    ///   - bytes: the job file's bytes (or the held copy it runs as), `nil` when unreadable.
    ///   - parsed: those bytes parsed.
    ///   - identity: the file's owner and any problem with the file itself.
    ///   - user: the registry's entry for the requester the file names, if registered.
    ///   - registry: where the agency's group is looked up.
    static func establish(job: String, bytes: [UInt8]?, parsed: Result<JobRequest, JobParseFailure>,
                          identity: JobFileIdentity, user: UserRecord?, registry: Registry) throws -> JobRecord {
        let fields = parsed.fields
        let authenticated = identity.problem == nil && user != nil && user?.uid == identity.ownerUID
        let agency = authenticated ? user?.agency : nil
        return JobRecord(job: job, requester: fields.requester, purpose: fields.purpose, caseNumber: fields.caseNumber,
                         agency: agency, group: try agency.flatMap { try registry.agency($0)?.group },
                         ownerUID: identity.ownerUID, authenticated: authenticated, jobSHA256: bytes.map { SHA256.hex($0) })
    }

    /// An audit record about this job.
    func event(_ name: AuditEventName, outcome: String, reasons: [String] = [], probeSHA256: [String] = [],
               candidates: Int? = nil, details: [String: String] = [:]) -> AuditEvent {
        var details = details
        details["uid"] = "\(ownerUID)"
        if !authenticated, let requester { details["claimed_requester"] = requester }
        if let jobSHA256, details[AuditEvent.jobSHA256Key] == nil { details[AuditEvent.jobSHA256Key] = jobSHA256 }
        return AuditEvent(name, actor: authenticated ? (requester ?? "uid:\(ownerUID)") : "uid:\(ownerUID)",
                          agency: agency, job: job, purpose: purpose, caseNumber: caseNumber, outcome: outcome,
                          reasons: reasons, probeSHA256: probeSHA256, candidates: candidates, details: details)
    }
}

extension Result<JobRequest, JobParseFailure> {
    /// What the job file says of itself (not authenticated), whether or not it parsed.
    var fields: (requester: String?, purpose: String?, caseNumber: String?) {
        switch self {
        case .success(let job): (job.requester, job.purpose, job.caseNumber)
        case .failure(let failure): (failure.requester, failure.purpose, failure.caseNumber)
        }
    }
}
