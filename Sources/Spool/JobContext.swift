import Audit
import Policy
import Results

/// What a job's audit records say about it.
///
/// The actor is the requester only when the job file is established as theirs (a registered
/// requester whose uid owns the plain file); otherwise it is the owning account, `uid:N`, with
/// the name the file claimed kept in the details, so no one can put a request on another's record.
struct JobContext {
    var job: String
    var requester: String?
    var purpose: String?
    var caseNumber: String?
    var agency: String?
    /// The job file's owner.
    var ownerUID: UInt32
    /// Whether the file is established as the requester's.
    var authenticated: Bool
    /// SHA-256 of the job file's bytes (the request as written, justification included), recorded in
    /// the job's audit records (`details.job_sha256`) when the file could be read.
    var jobSHA256: String?

    init(job: String, parsed: Result<JobRequest, JobParseFailure>, agency: String?, ownerUID: UInt32,
         authenticated: Bool) {
        self.job = job
        self.ownerUID = ownerUID
        self.authenticated = authenticated
        switch parsed {
        case .success(let request):
            requester = request.requester
            purpose = request.purpose
            caseNumber = request.caseNumber
        case .failure(let failure):
            requester = failure.requester
            purpose = failure.purpose
            caseNumber = failure.caseNumber
        }
        self.agency = authenticated ? agency : nil
    }

    init(result: JobResult, agency: String?, ownerUID: UInt32, authenticated: Bool) {
        job = result.job
        requester = result.requester
        purpose = result.purpose
        caseNumber = result.caseNumber
        self.agency = authenticated ? agency : nil
        self.ownerUID = ownerUID
        self.authenticated = authenticated
    }

    func event(_ name: String, outcome: String, reasons: [String] = [], probeSHA256: [String] = [],
               candidates: Int? = nil, details: [String: String] = [:]) -> AuditEvent {
        var details = details
        details["uid"] = "\(ownerUID)"
        if !authenticated, let requester { details["claimed_requester"] = requester }
        if let jobSHA256, details[AuditEvent.jobSHA256Key] == nil { details[AuditEvent.jobSHA256Key] = jobSHA256 }
        return AuditEvent(event: name, actor: authenticated ? (requester ?? "uid:\(ownerUID)") : "uid:\(ownerUID)",
                          agency: agency, job: job, purpose: purpose, caseNumber: caseNumber, outcome: outcome,
                          reasons: reasons, probeSHA256: probeSHA256, candidates: candidates, details: details)
    }
}
