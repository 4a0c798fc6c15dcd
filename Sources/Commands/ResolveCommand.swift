import Glibc
import Policy
import Reviews

/// `frs resolve JOB --face N --candidate S --supervisor ID
/// --disposition possible-match|no-match|inconclusive --note TEXT`
struct ResolveCommand: Subcommand {
    static let words = ["resolve"]
    static let abstract = "resolve a disputed lead (a supervisor of the requester's agency, from their own account)"
    static let usage = """
        resolve JOB --face N --candidate SUBJECT --supervisor ID
                 --disposition possible-match|no-match|inconclusive --note TEXT [--wait SECONDS]
        """
    static let help = """
          --face N           the face's number on the examiner's sheet
          --candidate ID     the candidate's gallery subject id
          --supervisor ID    the supervisor resolving (not the requester, not one of the lead's examiners)
          --disposition D    possible-match (the lead is released), no-match or inconclusive (rejected)
          --note TEXT        why
        Only a disputed lead (two examiners recorded different dispositions) is resolved. An account
        that can write the spool's database records it at once; any other account hands it to the
        daemon through the drop box.
        """ + "\n" + answerHelp

    var request: ResolutionRequest
    /// `--wait SECONDS`: wait for the daemon's answer.
    var wait: Double?

    init(arguments: inout ArgumentList) throws(UsageError) {
        wait = try waitOption(&arguments)
        let supervisor = try arguments.required("--supervisor")
        let (face, candidate, disposition) = try leadDisposition(&arguments)
        let note = try arguments.required("--note")
        let job = try single(&arguments, "job id")
        request = ResolutionRequest(job: job, supervisor: supervisor, face: face, candidate: candidate,
                                    disposition: disposition, note: note)
    }

    func validate() throws(UsageError) {
        try validateJobID(request.job)
        guard !request.supervisor.isEmpty, !request.candidate.isEmpty else { throw UsageError("empty --supervisor or --candidate") }
        guard PolicyText.visibleLength(request.note) > 0 else { throw UsageError("--note must say why, in visible characters") }
    }

    func run(_ context: CommandContext) throws -> Int32 {
        try applyLeadRequest(context, request, what: "resolution of \(request.job) face \(request.face)", wait: wait,
                             check: { $0.resolution(request) }) { layout, database, audit, policy in
            let outcome = try ResolutionRecorder(results: layout.resultFiles, database: database, audit: audit,
                                                 policy: policy)
                .apply(request, ownerUID: getuid(), request: nil)
            if outcome == .recorded {
                context.out("resolved: job \(request.job) face \(request.face) candidate \(request.candidate): \(request.disposition.rawValue)")
            }
            return outcome
        }
    }
}
