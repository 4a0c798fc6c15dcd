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
        guard let fd = claim.descriptor, claim.status.isRegularFile else {
            return try refuseLeadRequest(claim, refusedEvent, claim.openError.map { "the request cannot be opened: \($0)" }
                                             ?? "the request is not a regular file", actor: "unknown")
        }
        let status = try fd.status()
        guard status.linkCount == 1 else {
            return try refuseLeadRequest(claim, refusedEvent, "the request has \(status.linkCount) links", actor: "uid:\(status.owner)")
        }
        let request: Request
        do {
            request = try parse(try fd.readAll(limit: maximumBytes))
        } catch {
            return try refuseLeadRequest(claim, refusedEvent, "not a \(Request.kind) request: \(error)", actor: "uid:\(status.owner)",
                                         reasons: [ReasonCode.inputMalformed.rawValue])
        }
        let outcome = try apply(request, status.owner)
        try file(claim, into: layout.done)
        switch outcome {
        case .recorded, .alreadyRecorded:
            logger.info("\(Request.kind) recorded", ["job": request.job, "request": claim.name])
            leadChanged(job: request.job)  // the sheet and the status board (JobProcessor+Sheet.swift)
        case .refused(let reasons, let message):
            logger.warning("\(Request.kind) refused", ["request": claim.name, "reasons": reasons.map(\.rawValue).joined(separator: ","), "reason": message])
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
