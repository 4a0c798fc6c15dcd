import Audit
import Foundation
import Policy
import Reviews
import SystemCalls

extension JobProcessor {
    /// Applies an examiner's review request from the drop box (`<job>-<random>.review`),
    /// authenticated by the file's owner uid, then files it in `done/`. Refusals are audited by
    /// ``ReviewRecorder``; a file that is not a readable request is refused here.
    func processReview(_ claim: ClaimedJob) throws {
        try processLeadRequest(claim, refusedEvent: "review.refused", maximumBytes: ReviewRequest.maximumFileBytes,
                               parse: ReviewRequest.parse) { request, owner in
            try ReviewRecorder(results: layout.resultFiles, database: database, audit: audit,
                               peerReview: gate.config.peerReview, clock: clock, gate: gate)
                .apply(request, ownerUID: owner, request: claim.name)
        }
    }

    /// Applies a supervisor's resolution of a disputed lead (`<job>-<random>.resolution`).
    func processResolution(_ claim: ClaimedJob) throws {
        try processLeadRequest(claim, refusedEvent: "resolution.refused", maximumBytes: ResolutionRequest.maximumFileBytes,
                               parse: ResolutionRequest.parse) { request, owner in
            try ResolutionRecorder(results: layout.resultFiles, database: database, audit: audit,
                                   peerReview: gate.config.peerReview, clock: clock)
                .apply(request, ownerUID: owner, request: claim.name)
        }
    }

    /// Applies an outcome recorded on a lead (`<job>-<random>.outcome`).
    func processOutcome(_ claim: ClaimedJob) throws {
        try processLeadRequest(claim, refusedEvent: "outcome.refused", maximumBytes: OutcomeRequest.maximumFileBytes,
                               parse: OutcomeRequest.parse) { request, owner in
            try OutcomeRecorder(results: layout.resultFiles, database: database, audit: audit, policy: gate.config,
                                clock: clock)
                .apply(request, ownerUID: owner, request: claim.name)
        }
    }

    /// Reads a request about a lead from its locked descriptor, applies it as its owner uid, files
    /// it in `done/`, and renders the job's sheet and status board record again when something was recorded.
    func processLeadRequest<Request: DropBoxRequest>(
        _ claim: ClaimedJob, refusedEvent: String, maximumBytes: Int, parse: ([UInt8]) throws -> Request,
        apply: (Request, UInt32) throws -> AppliedRequest
    ) throws {
        guard let (request, owner) = try readRequest(claim, maximumBytes: maximumBytes, parse: parse, refuse: { reasons, message, actor in
            try refuseLeadRequest(claim, refusedEvent, message, actor: actor, reasons: reasons)
        }) else { return }
        let outcome = try apply(request, owner)
        try file(claim, into: layout.done)
        switch outcome {
        case .recorded, .alreadyRecorded:
            logger.info("\(Request.kind) recorded", ["job": request.job, "request": claim.name])
            leadChanged(job: request.job)  // the sheet and the status board (JobProcessor+Sheet.swift)
        case .refused(let reasons, let message):
            logger.warning("\(Request.kind) refused", ["request": claim.name, "reasons": reasons.map(\.rawValue).joined(separator: ","), "reason": message])
        }
    }

    /// The prelude every drop-box request shares (approvals, reviews, resolutions, outcomes): the
    /// claimed file must be a plain file with one link, read through its locked descriptor and parsed
    /// with a size limit; anything else is refused through `refuse(reasons, message, actor)`.
    /// - Returns: the request and the uid it speaks for (the file's owner), or `nil` when refused.
    func readRequest<Request: DropBoxRequest>(
        _ claim: ClaimedJob, maximumBytes: Int, parse: ([UInt8]) throws -> Request,
        refuse: ([String], String, String) throws -> Void
    ) throws -> (Request, UInt32)? {
        let mismatch = [ReasonCode.requesterIdentityMismatch.rawValue]
        guard let fd = claim.descriptor, claim.status.isRegularFile else {
            try refuse(mismatch, claim.openError.map { "the request cannot be opened: \($0)" } ?? "the request is not a regular file",
                       "unknown")
            return nil
        }
        let status = try fd.status()
        guard status.linkCount == 1 else {
            try refuse(mismatch, "the request has \(status.linkCount) links", "uid:\(status.owner)")
            return nil
        }
        do {
            return (try parse(try fd.readAll(limit: maximumBytes)), status.owner)
        } catch {
            try refuse([ReasonCode.inputMalformed.rawValue], "not a \(Request.kind) request: \(error)", "uid:\(status.owner)")
            return nil
        }
    }

    func refuseLeadRequest(_ claim: ClaimedJob, _ event: String, _ message: String, actor: String,
                           reasons: [String] = [ReasonCode.requesterIdentityMismatch.rawValue]) throws {
        try record(AuditEvent(event: event, actor: actor, outcome: "denied", reasons: reasons,
                              details: ["message": message, "request": claim.name]))
        try file(claim, into: layout.done)
        logger.warning("request refused", ["request": claim.name, "reason": message])
    }
}
