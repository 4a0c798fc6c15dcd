import Glibc
import Reviews

/// `frs outcome JOB --face N --candidate S --action none|interviewed|arrested|charged
/// [--corroboration TEXT] [--by ID]`
struct OutcomeCommand: Subcommand {
    static let words = ["outcome"]
    static let abstract = "record what was done with a lead (the requester or a supervisor, from their own account)"
    static let usage = """
        outcome JOB --face N --candidate SUBJECT --action none|interviewed|arrested|charged
                 [--corroboration TEXT] [--by ID] [--wait SECONDS]
        """
    static let help = """
          --face N              the face's number on the examiner's sheet
          --candidate ID        the candidate's gallery subject id
          --action A            none, interviewed, arrested or charged
          --corroboration TEXT  the evidence independent of face recognition the action rests on;
                                required for arrested and charged
          --by ID               who records it: the job's requester or a supervisor of the agency
                                (default: the one registered for this account)
        Only a released lead takes an outcome (outcome.lead-not-released): not a pending, disputed
        or rejected one. An account that can write the spool's database records it at once; any
        other account hands it to the daemon through the drop box.
        """ + "\n" + answerHelp

    var request: OutcomeRequest
    /// `--wait SECONDS`: wait for the daemon's answer.
    var wait: Double?

    init(arguments: inout ArgumentList) throws(UsageError) {
        wait = try waitOption(&arguments)
        let by = try arguments.option("--by") ?? ""
        guard let face = try arguments.int("--face", in: 1...Int(Int32.max)) else { throw UsageError("missing --face") }
        let candidate = try arguments.required("--candidate")
        let text = try arguments.required("--action")
        guard let action = OutcomeRequest.Action(rawValue: text) else {
            throw UsageError("--action must be none, interviewed, arrested or charged, not \"\(text)\"")
        }
        let corroboration = try arguments.option("--corroboration")
        let job = try single(&arguments, "job id")
        request = OutcomeRequest(job: job, recordedBy: by, face: face, candidate: candidate, action: action,
                                 corroboration: corroboration)
    }

    func validate() throws(UsageError) {
        try validateJobID(request.job)
        guard !request.candidate.isEmpty else { throw UsageError("empty --candidate") }
        // Said here too, so a request handed to the daemon is not refused where its sender cannot see it.
        if request.action.needsCorroboration, (request.corroboration ?? "").allSatisfy(\.isWhitespace) {
            throw UsageError("--action \(request.action.rawValue) needs --corroboration: the evidence, independent of "
                             + "face recognition, the action rests on")
        }
    }

    func run(_ context: CommandContext) throws -> Int32 {
        try applyLeadRequest(context, request, what: "outcome of \(request.job) face \(request.face)", wait: wait,
                             check: { $0.outcome(request) }) { layout, database, audit, policy in
            let outcome = try OutcomeRecorder(results: layout.resultFiles, database: database, audit: audit, policy: policy)
                .apply(request, ownerUID: getuid(), request: nil)
            if outcome == .recorded {
                context.out("recorded: job \(request.job) face \(request.face) candidate \(request.candidate): \(request.action.rawValue)")
            }
            return outcome
        }
    }
}
