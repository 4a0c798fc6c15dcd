import Foundation
import Policy
import SystemCalls

/// Why a claimed job file is refused before anything in it counts.
struct JobRefusal: Error, Sendable, Equatable {
    var code: ReasonCode
    var message: String
}

extension ClaimedJob {
    /// The same claimed file, answering under another job id.
    func answering(as id: String) -> ClaimedJob {
        var copy = ClaimedJob(name: name, id: id, kind: kind, path: path, status: status, descriptor: descriptor,
                              recovered: recovered)
        copy.openError = openError
        copy.queuedAhead = queuedAhead
        return copy
    }
}

extension JobPipeline {
    /// The job id a claimed job file answers under, and the refusal that decides it at once.
    ///
    /// A file whose name cannot be a job id (``JobID/isValid(_:)``) answers under
    /// `badname-<inode>`, refused `input.bad-job-name`. A file whose id is bound to an earlier
    /// file (``JobLedger/bind(_:inode:owner:name:now:)``) answers under `<id>.dup-<inode>`, refused
    /// `input.duplicate-job-id`; the earlier job's result, ledger row and audit records stay its own.
    /// The same file met again (a retry, a recovery, a release from `held/`) gets the same answer.
    func identify(_ claim: ClaimedJob) throws -> (ClaimedJob, JobRefusal?) {
        let file = (try? claim.descriptor?.status()) ?? claim.status
        var refusal: JobRefusal?
        var base = claim.id
        if !JobID.isValid(claim.id) {
            base = JobID.forBadName(inode: file.inode)
            refusal = JobRefusal(code: .inputBadJobName, message: """
                \(ReasonCode.inputBadJobName.rawValue): the file name cannot be a job id (at most \
                \(JobID.maximumLength) characters of A-Z a-z 0-9 . _ -, not starting with '.'); \
                answered as \(base)
                """)
        }
        if refusal == nil, try registry.agency(claim.id) != nil {
            // Its take-in would write into the agency's evidence folder.
            base = JobID.forBadName(inode: file.inode)
            refusal = JobRefusal(code: .inputBadJobName, message: """
                \(ReasonCode.inputBadJobName.rawValue): a job id may not be an agency's code (its evidence \
                folder); answered as \(base)
                """)
        }
        // The id itself, then the ids its owner can predict (`<id>.dup-<inode>`…), then ids nobody can
        // take first: binding never gives up, so every file is answered, whatever ids others hold.
        var candidates = [base] + (0..<4).map { JobID.duplicate(of: base, inode: file.inode, attempt: $0) }
        // A random id this file was given before (an earlier attempt) is its id again.
        candidates += try ledger.ids(boundTo: file.inode, owner: file.owner, name: claim.name)
            .filter { $0.hasPrefix(String(base.prefix(JobID.maximumLength - 40))) && !candidates.contains($0) }
        while true {
            let candidate = candidates.isEmpty ? JobID.unguessableDuplicate(of: base, inode: file.inode) : candidates.removeFirst()
            if try ledger.bind(candidate, inode: file.inode, owner: file.owner, name: claim.name, now: clock()) {
                if candidate != claim.id {
                    logger.warning("job file answered under another id", ["file": claim.name, "job": candidate])
                }
                if candidate != base, refusal == nil {
                    refusal = JobRefusal(code: .inputDuplicateJobID, message: """
                        \(ReasonCode.inputDuplicateJobID.rawValue): job id \(claim.id) belongs to an earlier job; \
                        this file is answered as \(candidate)
                        """)
                }
                return (claim.answering(as: candidate), refusal)
            }
        }
    }

    /// The per-account queue limit (policy `max_queued_per_account`): a fresh claim whose owner
    /// had that many job files queued ahead of it (in the claimant's listing) and held is refused.
    /// A job met again (recovered, released by a supervisor) was admitted before and is not counted.
    func queueLimit(_ claim: ClaimedJob) throws -> JobRefusal? {
        guard !claim.recovered, claim.queuedAhead > 0, try ledger.entry(claim.id)?.approval == nil else { return nil }
        let limit = gate.config.maxQueuedPerAccount
        guard claim.queuedAhead >= limit else { return nil }  // cheap test first
        let waiting = claim.queuedAhead + (try ledger.heldCount(owner: claim.status.owner))
        guard waiting >= limit else { return nil }
        return JobRefusal(code: .inputQueueLimit, message: """
            \(ReasonCode.inputQueueLimit.rawValue): uid \(claim.status.owner) had \(waiting) jobs waiting ahead of this \
            one; the limit is \(limit)
            """)
    }
}
