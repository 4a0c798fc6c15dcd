import Audit
import Policy

/// What a job's audit records say about it.
struct JobContext {
    var job: String
    var requester: String?
    var purpose: String?
    var caseNumber: String?
    var agency: String?

    init(job: String, parsed: Result<JobRequest, JobParseFailure>, agency: String?, ownerUID: UInt32) {
        self.job = job
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
        self.agency = agency
    }

    init(result: JobResult, agency: String?) {
        job = result.job
        requester = result.requester
        purpose = result.purpose
        caseNumber = result.caseNumber
        self.agency = agency
    }

    func event(_ name: String, outcome: String, reasons: [String] = [], probeSHA256: [String] = [],
               candidates: Int? = nil, details: [String: String] = [:]) -> AuditEvent {
        AuditEvent(event: name, actor: requester ?? "unknown", agency: agency, job: job, purpose: purpose,
                   caseNumber: caseNumber, outcome: outcome, reasons: reasons, probeSHA256: probeSHA256,
                   candidates: candidates, details: details)
    }
}
