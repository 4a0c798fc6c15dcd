/// Every event the audit log records: one vocabulary that the writers (the daemon, the commands,
/// the administration) and the readers (reports, verification, disclosure) share, so an event is
/// named once and a report cannot miss one by a typo. The raw values are what the log holds
/// (`AuditEvent.event`); never change one: old logs and outside checks match on them.
public enum AuditEventName: String, CaseIterable, Sendable {
    case accountsReviewed = "accounts.reviewed"
    case adminAdded = "admin.added"
    case adminRefused = "admin.refused"
    case adminRequestRefused = "admin.request-refused"
    case agencyAdded = "agency.added"
    case agencyTerminated = "agency.terminated"
    case auditRecovered = "audit.recovered"
    case galleryCalibrated = "gallery.calibrated"
    case galleryDuplicates = "gallery.duplicates"
    case galleryEnrolled = "gallery.enrolled"
    case galleryFeedRefused = "gallery.feed-refused"
    case galleryImported = "gallery.imported"
    case galleryListed = "gallery.listed"
    case galleryRemoveFailed = "gallery.remove-failed"
    case galleryRemoved = "gallery.removed"
    case jobApprovalRefused = "job.approval-refused"
    case jobApproved = "job.approved"
    case jobClaimed = "job.claimed"
    case jobCompleted = "job.completed"
    case jobDenied = "job.denied"
    case jobDiscloseRefused = "job.disclose-refused"
    case jobDisclosed = "job.disclosed"
    case jobFailed = "job.failed"
    case jobHeld = "job.held"
    case jobImagesRefused = "job.images-refused"
    case jobReceived = "job.received"
    case jobRejected = "job.rejected"
    case leadDisputed = "lead.disputed"
    case leadReleased = "lead.released"
    case leadRejected = "lead.rejected"
    case leadPending = "lead.pending"
    case leadResolved = "lead.resolved"
    case outcomeRecorded = "outcome.recorded"
    case outcomeRefused = "outcome.refused"
    case resolutionRefused = "resolution.refused"
    case reviewRecorded = "review.recorded"
    case reviewRefused = "review.refused"
    case spoolInitialized = "spool.initialized"
    case purgeDone = "purge.done"
    case userAdded = "user.added"
    case userDisabledInactive = "user.disabled-inactive"
    case userReinstated = "user.reinstated"
    case userRevoked = "user.revoked"
    case userSuspended = "user.suspended"
    case userTrained = "user.trained"
    case userVetted = "user.vetted"
}

extension AuditEventName {
    /// The event of a lead that settled into `status` (`released`, `rejected`, `disputed`).
    public static func lead(_ status: String) -> AuditEventName {
        AuditEventName(rawValue: "lead." + status) ?? .leadPending
    }

    /// The final records of a job (one per job: `job.completed`, `job.denied` or `job.failed`).
    public static let jobFinals: Set<AuditEventName> = [.jobCompleted, .jobDenied, .jobFailed]
}

extension AuditEvent {
    /// An event of a known name (``AuditEventName``); see the full initializer for the fields.
    public init(
        _ name: AuditEventName, actor: String, agency: String? = nil, job: String? = nil, purpose: String? = nil,
        caseNumber: String? = nil, outcome: String? = nil, reasons: [String] = [], probeSHA256: [String] = [],
        candidates: Int? = nil, details: [String: String] = [:]
    ) {
        self.init(event: name.rawValue, actor: actor, agency: agency, job: job, purpose: purpose, caseNumber: caseNumber,
                  outcome: outcome, reasons: reasons, probeSHA256: probeSHA256, candidates: candidates, details: details)
    }

    /// The event's name, when it is one this frs writes.
    public var name: AuditEventName? { AuditEventName(rawValue: event) }
}
