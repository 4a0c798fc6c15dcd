import Foundation
import Results
import Reviews
import SystemCalls

extension JobProcessor {
    /// Writes the job's record on the status board (``StatusBoard``), when its requester is
    /// established (an unauthenticated job has no agency to show it to).
    ///
    /// Like the sheet, the board is a view, not part of the job's hand-off: a failure (e.g. the
    /// daemon's account is not a member of the agency's group) is logged with what would fix it, and
    /// the job goes on.
    func publishStatus(_ context: JobContext, state: JobStatusRecord.State, result: JobResult? = nil) {
        guard context.authenticated, let agency = context.agency, let requester = context.requester else { return }
        do {
            let group = try registry.agency(agency)?.group
            var record = JobStatusRecord(
                job: context.job, requester: requester, uid: context.ownerUID, agency: agency,
                purpose: context.purpose, caseNumber: context.caseNumber, state: state, updated: clock())
            if let result {
                record.decision = result.decision.rawValue
                record.reasons = result.reasons.map(\.rawValue)
                record.result = layout.resultFile(context.job)
                if result.decision == .completed {
                    record.candidates = try layout.resultFiles.candidateCount(of: result)
                    if FileStatus.exists(layout.sheetFile(context.job)) { record.sheet = layout.sheetFile(context.job) }
                }
                (record.dispositions, record.leads) = try Self.boardLeads(job: context.job, layout: layout, database: database,
                                                                         peerReview: gate.config.peerReview)  // JobProcessor+Sheet.swift
            }
            try layout.board.publish(record, group: group)
        } catch let error as SystemCallError where error.errno == EPERM {
            logger.error("status board not updated: this account may not give files to the agency's group; "
                         + "make the daemon's account a member of it", ["job": context.job, "agency": agency])
        } catch {
            logger.error("status board not updated", ["job": context.job, "error": "\(error)"])
        }
    }

    /// Re-publishes a finished job's record (after a review changed its dispositions).
    func republishStatus(job: String) {
        guard let result = try? layout.resultFiles.result(job), let requester = result.requester,
              let user = try? registry.user(requester), let file = try? FileStatus.of(layout.jobFile(job, in: layout.done)),
              file.owner == user.uid
        else { return }
        let context = JobContext(result: result, agency: user.agency, ownerUID: user.uid, authenticated: true)
        publishStatus(context, state: .finished, result: result)
    }
}
