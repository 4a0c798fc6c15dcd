import Foundation
import Glibc
import Policy
import Results
import Reviews
import Spool
import SystemCalls

/// What an account can already see about a request before it hands it to the daemon: its agency's
/// result of the job (readable by the agency's group), the job's status board record (the lead's
/// state, whether the job is held), the agency's staff list (who is registered for which account,
/// in which role) and the policy's public part (``Spool/PublishedPolicy``).
///
/// A request these show the daemon would refuse is refused here, at once, with the daemon's reason
/// code; what they cannot show (another agency's staff, a registry entry, a lead no one could
/// read) is left to the daemon, whose answer comes back in `outbox/answers/` (``Spool/RequestAnswers``).
/// These checks only spare people a wait: the daemon checks everything again on what it trusts.
struct RequestChecks {
    let layout: SpoolLayout
    /// The invoking account.
    var uid: UInt32 = getuid()

    /// A request refused before it was queued.
    struct Refusal: Error, Equatable {
        var reason: ReasonCode
        var message: String

        init(_ reason: ReasonCode, _ message: String) {
            self.reason = reason
            self.message = message
        }
    }

    /// The job's record on the first agency board this account can read, with that agency's staff
    /// list (empty when the agency publishes none).
    func board(job: String) -> (record: JobStatusRecord, staff: [StaffEntry])? {
        let board = layout.board
        for agency in (try? board.agencies()) ?? [] where FileStatus.isAccessible(board.directory(agency: agency), R_OK | X_OK) {
            if let record = try? board.read(job: job, agency: agency) {
                return (record, (try? board.readStaff(agency: agency)) ?? [])
            }
        }
        return nil
    }

    /// Whether an agency's board is closed to this account while it is in the daemon's own group (the
    /// agency has no Unix group): then whose jobs are on it cannot be told from here.
    func hasGrouplessBoardClosedToThisAccount() -> Bool {
        let board = layout.board
        let daemonGroup = try? FileStatus.of(layout.statusBoard).group
        return ((try? board.agencies()) ?? []).contains {
            !FileStatus.isAccessible(board.directory(agency: $0), R_OK | X_OK) && (try? FileStatus.of(board.directory(agency: $0)).group) == daemonGroup
        }
    }

    /// The job's completed result, as the agency's group reads it; `nil` when this account cannot
    /// tell (a result it may not read that is no agency's group's: an agency without a group).
    func completedResult(job: String) -> Result<JobResult, Refusal>? {
        guard FileStatus.exists(layout.resultFile(job)) else {
            return .failure(Refusal(.reviewUnknownJob, "job \(job) has no result (yet): leads are only on a completed job"))
        }
        let result: JobResult?
        do {
            result = try layout.resultFiles.result(job)
        } catch let error as SystemCallError where error.errno == EACCES {
            // Given to an agency's group (the group of a board) this account is not in: another agency's.
            let board = layout.board
            guard let group = try? FileStatus.of(layout.resultFile(job)).group,
                  group != (try? FileStatus.of(layout.statusBoard).group),  // the daemon's own: no agency group
                  ((try? board.agencies()) ?? []).contains(where: { (try? FileStatus.of(board.directory(agency: $0)).group) == group })
            else { return nil }
            return .failure(Refusal(.reviewOtherAgency, "job \(job)'s result is not readable by this account: it is another agency's"))
        } catch {
            return .failure(Refusal(.reviewUnknownJob, "job \(job)'s result cannot be read: \(error)"))
        }
        guard let result, result.decision == .completed else {
            return .failure(Refusal(.reviewUnknownJob, "job \(job) was \(result?.decision.rawValue ?? "not finished"): it has no candidates"))
        }
        return .success(result)
    }

    /// The face and candidate must be in the result (numbered as on the sheet).
    func lead(in result: JobResult, face: Int, candidate: String) -> Refusal? {
        guard let probes = try? layout.resultFiles.probes(of: result) else { return nil }  // the daemon will say
        let faces = ResultFaces(probes)
        guard let numbered = faces.face(face) else {
            return Refusal(.reviewUnknownFace, "job \(result.job) has no face \(face) (it has \(faces.faces.count))")
        }
        guard numbered.face.candidates.contains(where: { $0.subject == candidate }) else {
            return Refusal(.reviewUnknownCandidate, "\(candidate) is not a candidate of face \(face) of job \(result.job)")
        }
        return nil
    }

    /// The person named on the request, by the agency's staff list: registered for this account and
    /// active. `nil` (nothing to say) when the agency publishes no staff list.
    func person(_ id: String, staff: [StaffEntry], agency: String) -> Result<StaffEntry, Refusal>? {
        guard !staff.isEmpty else { return nil }
        guard let entry = staff.first(where: { $0.user == id }) else {
            return .failure(Refusal(.reviewOtherAgency, "\(id) is not registered with agency \(agency), whose job this is"))
        }
        guard entry.uid == uid else {
            return .failure(Refusal(.requesterIdentityMismatch,
                                    "\(id) is registered for another account (uid \(entry.uid)), not this one (uid \(uid)): "
                                    + "each person makes requests from their own account"))
        }
        switch RequesterStatus(rawValue: entry.status) {
        case .active: return .success(entry)
        case .suspended: return .failure(Refusal(.requesterSuspended, "\(id) is suspended"))
        case .revoked, nil: return .failure(Refusal(.requesterRevoked, "\(id) is revoked"))
        }
    }

    /// A lead's state on the board (`pending` when nothing was recorded on it).
    static func leadState(_ record: JobStatusRecord?, face: Int, candidate: String) -> LeadState.Status {
        let summary = record?.leads?.first { $0.face == face && $0.candidate == candidate }
        return summary.flatMap { LeadState.Status(rawValue: $0.state) } ?? .pending
    }

    /// The checks a review, a resolution and an outcome share: the completed result, the face and
    /// candidate in it, the person (when named) registered for this account in the job's agency.
    /// - Returns: the board record and the acting staff entry, when visible.
    func leadRequest(job: String, face: Int, candidate: String, actor: String?)
        -> Result<(record: JobStatusRecord?, actor: StaffEntry?), Refusal>
    {
        switch completedResult(job: job) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let result):
            if let refusal = lead(in: result, face: face, candidate: candidate) { return .failure(refusal) }
        case nil: break
        }
        let board = board(job: job)
        guard let actor, let board else { return .success((board?.record, nil)) }
        switch person(actor, staff: board.staff, agency: board.record.agency) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let entry): return .success((board.record, entry))
        case nil: return .success((board.record, nil))
        }
    }

    /// `frs review`: the checks above; a role that reviews; with peer review, not the job's
    /// requester and a lead still pending.
    func review(_ request: ReviewRequest) -> Refusal? {
        let found: (record: JobStatusRecord?, actor: StaffEntry?)
        switch leadRequest(job: request.job, face: request.face, candidate: request.candidate, actor: request.examiner) {
        case .failure(let refusal): return refusal
        case .success(let value): found = value
        }
        if let actor = found.actor, Role(rawValue: actor.role)?.canReview != true {
            return Refusal(.requesterRole, "\(request.examiner) is \(actor.role == "analyst" || actor.role == "admin" ? "an" : "a") "
                           + "\(actor.role): only examiners and supervisors record dispositions")
        }
        guard PublishedPolicy.current(layout)?.peerReview == true, let record = found.record else { return nil }
        if record.uid == uid {
            return Refusal(.reviewSelfReview, "job \(request.job) is this account's own search: another examiner reviews its candidates")
        }
        let state = Self.leadState(record, face: request.face, candidate: request.candidate)
        guard state.isOpen else {
            return Refusal(.reviewLeadSettled, "the lead is \(state.rawValue); "
                           + (state == .disputed ? "a supervisor resolves it (frs resolve)" : "a further review cannot change it"))
        }
        return nil
    }

    /// `frs resolve`: the checks above; a supervisor; a disputed lead.
    func resolution(_ request: ResolutionRequest) -> Refusal? {
        let found: (record: JobStatusRecord?, actor: StaffEntry?)
        switch leadRequest(job: request.job, face: request.face, candidate: request.candidate, actor: request.supervisor) {
        case .failure(let refusal): return refusal
        case .success(let value): found = value
        }
        if let actor = found.actor, actor.role != Role.supervisor.rawValue {
            return Refusal(.supervisorNotAuthorized, "only a supervisor of the agency resolves a disputed lead; \(request.supervisor) is a \(actor.role)")
        }
        guard let record = found.record else { return nil }
        let state = Self.leadState(record, face: request.face, candidate: request.candidate)
        guard state == .disputed else { return Refusal(.reviewNotDisputed, "the lead is \(state.rawValue), not disputed") }
        if record.uid == uid {
            return Refusal(.reviewConflictOfInterest, "job \(request.job) is this account's own search")
        }
        return nil
    }

    /// `frs outcome`: the checks above; the job's requester or a supervisor; a released lead; an
    /// arrest or charge with a corroboration of the policy's length in visible characters.
    func outcome(_ request: OutcomeRequest) -> Refusal? {
        var actorID: String? = request.recordedBy.isEmpty ? nil : request.recordedBy
        if actorID == nil, let board = board(job: request.job) {
            // Who this account is, as the daemon will pick: the requester if it is theirs, else a supervisor.
            let mine = board.staff.filter { $0.uid == uid }
            actorID = (mine.first { $0.user == board.record.requester } ?? mine.first { $0.role == Role.supervisor.rawValue }
                       ?? mine.first)?.user
        }
        let found: (record: JobStatusRecord?, actor: StaffEntry?)
        switch leadRequest(job: request.job, face: request.face, candidate: request.candidate, actor: actorID) {
        case .failure(let refusal): return refusal
        case .success(let value): found = value
        }
        if let actor = found.actor, let record = found.record, actor.user != record.requester,
           actor.role != Role.supervisor.rawValue {
            return Refusal(.outcomeNotAuthorized, "only the job's requester or a supervisor of the agency records an outcome")
        }
        if let record = found.record {
            let state = Self.leadState(record, face: request.face, candidate: request.candidate)
            guard state == .released else {
                return Refusal(.outcomeLeadNotReleased, OutcomeRecorder.notReleasedMessage(state))
            }
        }
        if request.action.needsCorroboration, let minimum = PublishedPolicy.current(layout)?.minimumJustificationLength,
           PolicyText.visibleLength(request.corroboration ?? "") < minimum {
            return Refusal(.outcomeCorroborationRequired,
                           "\(request.action.rawValue) needs --corroboration: the evidence independent of face recognition "
                           + "(at least \(minimum) visible characters); a candidate is a lead, not an identification")
        }
        return nil
    }

    /// `frs approve` and `frs reject`: the job held on a board this account reads; the supervisor
    /// registered for this account, a supervisor, not the job's requester.
    func decision(_ request: ApprovalRequest) -> Refusal? {
        guard let (record, staff) = board(job: request.job) else {
            // A board closed to this account that is no agency group's (an agency without a group)
            // may hold it: the daemon decides.
            if hasGrouplessBoardClosedToThisAccount() { return nil }
            return Refusal(.supervisorJobNotHeld, "no job \(request.job) on a status board this account can read: "
                           + "a supervisor decides the held jobs of their own agency")
        }
        guard record.state == .held else {
            return Refusal(.supervisorJobNotHeld, "job \(request.job) is not held for a supervisor's decision (it is \(record.state.rawValue))")
        }
        switch person(request.supervisor, staff: staff, agency: record.agency) {
        case .failure(let refusal): return Refusal(refusal.reason == .reviewOtherAgency ? .supervisorNotAuthorized : refusal.reason,
                                                  refusal.message)
        case .success(let entry) where entry.role != Role.supervisor.rawValue:
            return Refusal(.supervisorNotAuthorized, "\(request.supervisor) is not a supervisor (\(entry.role))")
        case .success, nil: break
        }
        if record.uid == uid {
            return Refusal(.supervisorSelfApproval, "job \(request.job) was submitted from this account: another supervisor decides it")
        }
        return nil
    }
}
