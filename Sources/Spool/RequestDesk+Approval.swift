import Audit
import Foundation
import Hashing
import Policy
import Reviews
import SystemCalls

extension RequestDesk {
    /// Applies a supervisor's approval or rejection of a held job (`<job>-<random>.approval`):
    /// judged on the private copy taken at hold time (JobPipeline+Hold.swift), never on the
    /// requester's file; anything that cannot be read or identified refuses it (fail closed). An
    /// approved or rejected job goes back to `incoming/`, where the pipeline runs or denies it.
    func processApproval(_ claim: ClaimedJob) throws {
        let now = clock()
        let event = claim.kind.refusedEvent
        guard let (request, owner) = try readRequest(claim, refusedEvent: event, parse: ApprovalRequest.parse) else { return }
        func refuse(_ reasons: [ReasonCode], _ message: String, actor: String) throws {
            try self.refuse(claim, event: event, reasons: reasons.map(\.rawValue), message: message, actor: actor,
                            owner: owner, job: request.job)
        }
        // The request must come from the supervisor's own account before anything else is looked at.
        guard let supervisor = try registry.requester(request.supervisor), supervisor.uid == owner else {
            return try refuse([.supervisorNotAuthorized], "the request file is not owned by the supervisor's account",
                              actor: "uid:\(owner)")
        }
        let heldPath = layout.jobFile(request.job, in: layout.held)
        let entry = try ledger.entry(request.job)
        guard FileStatus.exists(heldPath) else {
            if let entry, entry.approver == request.supervisor, entry.state != .held {
                // Applied before a crash; only the request file was left.
                try file(claim, into: layout.done)
                answer(claim, job: request.job, owner: owner, state: .accepted, message: approvedMessage(request))
                return
            }
            return try refuse([.supervisorJobNotHeld], "job \(request.job) is not held for a supervisor's decision",
                              actor: request.supervisor)
        }
        let copy: [UInt8]
        switch try JobPipeline.heldCopy(request.job, layout: layout, ledger: ledger) {
        case .success(let bytes): copy = bytes
        case .failure(let why): return try refuse([why.code], why.message, actor: request.supervisor)
        }
        guard let heldRequest = try? JobRequest.parse(copy).get(), let jobUser = try registry.user(heldRequest.requester),
              let jobOwner = try ledger.file(request.job)?.owner
        else {
            return try refuse([.inputMalformed], "the held job's requester or owner cannot be established",
                              actor: request.supervisor)
        }
        let reasons = gate.approvalReasons(supervisor: supervisor, agency: try registry.policyAgency(supervisor.agency),
                                           jobRequester: heldRequest.requester, jobAgency: jobUser.agency,
                                           fileOwnerUID: owner, jobUIDs: [jobOwner, jobUser.uid], now: now)
        guard reasons.isEmpty else {
            return try refuse(reasons, "\(request.supervisor) may not decide job \(request.job): "
                              + reasons.map(\.rawValue).joined(separator: ", "), actor: request.supervisor)
        }
        let approved = request.decision == .approve
        // A retry after the rename below failed (a file queued under the job's name, say) records nothing twice.
        let recorded = entry?.state == .queued && entry?.approver == request.supervisor
            && entry?.approval == (approved ? "approved" : "rejected")
        if !recorded {
            try ledger.recordApproval(request.job, approved: approved, by: request.supervisor, note: request.note, now: now)
            var details = ["job_sha256": SHA256.hex(copy)]
            if let note = request.note { details["note"] = note }
            try record(AuditEvent(
                approved ? .jobApproved : .jobRejected, actor: request.supervisor, agency: supervisor.agency,
                job: request.job, purpose: heldRequest.purpose, caseNumber: heldRequest.caseNumber,
                outcome: approved ? "approved" : "rejected", details: details))
        }
        try DurableFile.renameNoReplace(heldPath, to: layout.jobFile(request.job, in: layout.incoming))
        try file(claim, into: layout.done)
        answer(claim, job: request.job, owner: owner, state: .accepted, message: approvedMessage(request))
        logger.info("held job \(approved ? "approved" : "rejected")", ["job": request.job, "supervisor": request.supervisor])
    }

    private func approvedMessage(_ request: ApprovalRequest) -> String {
        request.decision == .approve
            ? "job \(request.job) approved; it runs now"
            : "job \(request.job) rejected; it is denied (supervisor.rejected) with your note"
    }
}
