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
        guard let fd = claim.descriptor, claim.status.isRegularFile else {
            return try refuseReview(claim, claim.openError.map { "the request cannot be opened: \($0)" }
                                        ?? "the request is not a regular file", actor: "unknown")
        }
        let status = try fd.status()
        guard status.linkCount == 1 else {
            return try refuseReview(claim, "the request has \(status.linkCount) links", actor: "uid:\(status.owner)")
        }
        let request: ReviewRequest
        do {
            request = try ReviewRequest.parse(try fd.readAll(limit: ReviewRequest.maximumFileBytes))
        } catch {
            return try refuseReview(claim, "not a review request: \(error)", actor: "uid:\(status.owner)",
                                    reasons: [ReasonCode.inputMalformed.rawValue])
        }
        let recorder = try ReviewRecorder(results: layout.resultFiles, database: database, audit: audit, clock: clock,
                                          gate: gate)
        let outcome = try recorder.apply(request, ownerUID: status.owner, request: claim.name)
        try file(claim, into: layout.done)
        switch outcome {
        case .recorded, .alreadyRecorded:
            logger.info("review recorded", ["job": request.job, "examiner": request.examiner,
                                            "disposition": request.disposition.rawValue])
        case .refused(let reasons, let message):
            logger.warning("review refused", ["request": claim.name, "reasons": reasons.map(\.rawValue).joined(separator: ","), "reason": message])
        }
    }

    func refuseReview(_ claim: ClaimedJob, _ message: String, actor: String,
                      reasons: [String] = [ReasonCode.requesterIdentityMismatch.rawValue]) throws {
        try record(AuditEvent(event: "review.refused", actor: actor, outcome: "denied", reasons: reasons,
                              details: ["message": message, "request": claim.name]))
        try file(claim, into: layout.done)
        logger.warning("review request refused", ["request": claim.name, "reason": message])
    }
}
