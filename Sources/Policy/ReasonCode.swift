/// Why a request was denied, held or refused: a closed set with stable raw values.
///
/// The raw values appear in result files, audit records and reports, and scripts match on
/// them; never change one. Codes are grouped by area: `requester.*` (MOU III.B, authorized
/// individuals), `agency.*` (IX.B, termination), `purpose.*` (IV and V.1), `use.*` (V.2–V.5),
/// `input.*` (the job file itself), `policy.*` and `supervisor.*` (the approval step), `review.*`
/// (an examiner's disposition, a supervisor's resolution), `outcome.*` (what was done with a lead) and `processing.*` (the daemon could not finish the job).
public enum ReasonCode: String, Sendable, CaseIterable, Codable, Comparable {
    /// No authorized individual is registered under the job's requester id.
    case requesterUnknown = "requester.unknown"
    /// The requester's access is suspended.
    case requesterSuspended = "requester.suspended"
    /// The requester's access is revoked.
    case requesterRevoked = "requester.revoked"
    /// The requester has no vetting date, or one in the future (MOU III.B).
    case requesterNotVetted = "requester.not-vetted"
    /// The requester has no training date, or one in the future (MOU III.B).
    case requesterNotTrained = "requester.not-trained"
    /// The requester's training is older than the policy's validity period.
    case requesterTrainingExpired = "requester.training-expired"
    /// The requester's role does not allow searching (e.g. auditors, administrators).
    case requesterRole = "requester.role"
    /// The job file is owned by an OS account other than the requester's registered uid.
    case requesterIdentityMismatch = "requester.identity-mismatch"
    /// The requester's agency is not registered.
    case agencyUnknown = "agency.unknown"
    /// The agency's access ended: 30 days or more have passed since its termination notice (IX.B).
    case agencyTerminated = "agency.terminated"
    /// The purpose is not one of the five authorized uses (MOU IV); anything else is prohibited (V.1).
    case purposeUnauthorized = "purpose.unauthorized"
    /// The purpose requires a case (or report) number and none was given.
    case purposeMissingCaseNumber = "purpose.missing-case-number"
    /// The purpose requires an offense and none was given.
    case purposeMissingOffense = "purpose.missing-offense"
    /// The justification narrative is shorter than the policy's minimum.
    case purposeJustificationTooShort = "purpose.justification-too-short"
    /// `witness-or-victim` was requested for an offense that is not on the policy's violent-crime list (IV.5).
    case purposeNotViolentCrime = "purpose.not-violent-crime"
    /// The request asks to select or filter by a protected class (MOU V.2).
    case useProtectedClassFilter = "use.protected-class-filter"
    /// The request asks for live or continuous surveillance: a stream, a camera feed, a watch list (V.4, V.5).
    case useLiveSurveillance = "use.live-surveillance"
    /// The job file is not a well-formed job: not JSON, wrong types, missing or oversized fields.
    case inputMalformed = "input.malformed"
    /// The job file has a field this version does not know.
    case inputUnknownField = "input.unknown-field"
    /// No probe was given, or a named probe image does not exist.
    case inputProbeMissing = "input.probe-missing"
    /// A probe path leaves the evidence store.
    case inputProbeOutsideEvidence = "input.probe-outside-evidence"
    /// A probe lies in an evidence folder the job may not search: not its own images, not its
    /// agency's folder (`evidence/<AGENCY>/`), not an earlier job of its agency.
    case inputProbeNotPermitted = "input.probe-not-permitted"
    /// A probe file is not a readable image.
    case inputProbeNotImage = "input.probe-not-image"
    /// A probe file is larger than the policy's maximum.
    case inputProbeTooLarge = "input.probe-too-large"
    /// A probe JPEG has more scans (progressive passes) than the decoder allows (256): each scan
    /// costs a pass over the whole image, so a small file of thousands of empty scans would hold a
    /// worker for minutes. Refused at the first scan over the limit; save it again as a baseline JPEG.
    case inputProbeTooManyScans = "input.probe-too-many-scans"
    /// Decoding a probe would take more work (declared pixels × scans) than the decoder allows.
    case inputProbeDecodeWork = "input.probe-decode-work"
    /// A probe took more processor time than the policy's `max_probe_cpu_seconds`.
    case inputProbeCPUBudget = "input.probe-cpu-budget"
    /// The job's probes together took more processor time than the policy's `max_job_cpu_seconds`:
    /// the probes not yet searched are not searched.
    case inputJobCPUBudget = "input.job-cpu-budget"
    /// The probe is a sketch, a composite or a lookalike photo (`probe_source`): not a photo of the
    /// person sought, so a search on it is refused.
    case inputProbeSourceRefused = "input.probe-source-refused"
    /// The job names more probes than the policy allows in one job.
    case inputTooManyProbes = "input.too-many-probes"
    /// The job file's name cannot be a job id (longer than 128 bytes, or characters other than
    /// `A–Z a–z 0–9 . _ -`): refused at once, answered under `badname-<inode>`.
    case inputBadJobName = "input.bad-job-name"
    /// An earlier job used this job id: the later file is refused under `<id>.dup-<inode>`.
    case inputDuplicateJobID = "input.duplicate-job-id"
    /// The job's owner had more job files waiting than the policy's `max_queued_per_account`.
    case inputQueueLimit = "input.queue-limit"
    /// `max_candidates` is not an integer within the policy's range (default 2…50).
    case inputInvalidMaxCandidates = "input.invalid-max-candidates"
    /// `threshold` is not a number above 0 and at most the policy's maximum.
    case inputInvalidThreshold = "input.invalid-threshold"
    /// The justification mentions a watch term (e.g. protest, rally): held for a supervisor's approval.
    case policyHeldForReview = "policy.held-for-review"
    /// A supervisor rejected the held request.
    case supervisorRejected = "supervisor.rejected"
    /// The person approving or rejecting is not an active supervisor of the requester's agency.
    case supervisorNotAuthorized = "supervisor.not-authorized"
    /// A supervisor tried to approve their own request.
    case supervisorSelfApproval = "supervisor.self-approval"
    /// An approval or rejection names a job that is not held for a supervisor's decision.
    case supervisorJobNotHeld = "supervisor.job-not-held"

    /// The job is unknown or did not complete (no candidates to review).
    case reviewUnknownJob = "review.unknown-job"
    /// The result has no face with that number.
    case reviewUnknownFace = "review.unknown-face"
    /// The subject is not among that face's candidates.
    case reviewUnknownCandidate = "review.unknown-candidate"
    /// The job's requester is of another agency than the examiner.
    case reviewOtherAgency = "review.other-agency"
    /// The examiner is the job's requester (the same OS account): no one reviews their own search.
    case reviewSelfReview = "review.self-review"
    /// The second review of a lead comes from the person (OS account) who made the first, under
    /// whatever user id: peer review needs another person.
    case reviewSameExaminer = "review.same-examiner"
    /// The lead is settled (released, rejected, or disputed and waiting for a supervisor): a
    /// further examiner cannot change it.
    case reviewLeadSettled = "review.lead-settled"
    /// A resolution was asked for a lead that is not disputed.
    case reviewNotDisputed = "review.not-disputed"
    /// The supervisor resolving a dispute is the job's requester or one of the lead's examiners.
    case reviewConflictOfInterest = "review.conflict-of-interest"
    /// The person recording an outcome is neither the job's requester nor a supervisor of its agency.
    case outcomeNotAuthorized = "outcome.not-authorized"
    /// An arrest or charge was recorded without a corroboration narrative (evidence independent
    /// of face recognition).
    case outcomeCorroborationRequired = "outcome.corroboration-required"
    /// An outcome was asked for on a lead that is not released (pending, disputed or rejected): a
    /// candidate becomes something to act on only once two examiners (or a supervisor) released it.
    case outcomeLeadNotReleased = "outcome.lead-not-released"
    /// The job failed on every attempt and is quarantined in `failed/`.
    case processingAttemptsExhausted = "processing.attempts-exhausted"

    /// Orders codes by raw value, for stable listings.
    public static func < (lhs: ReasonCode, rhs: ReasonCode) -> Bool { lhs.rawValue < rhs.rawValue }
}
