import Audit
import Foundation
import Hashing
import Policy
import Results
import SystemCalls

extension JobPipeline {
    /// Finishes a job: result, final audit record, ledger, move, each step skipped if done before.
    ///
    /// The result (and a bulk job's lines, and the sheet) is given to the group of the requester's
    /// agency, mode 0640, when the requester is established: their agency's staff read it, nobody else
    /// but the daemon's account. The status board gets the job's final record.
    /// - Parameters:
    ///   - job: the record established when the job was claimed.
    ///   - resultWritten: whether the result file is already in the outbox (a resumed job).
    ///   - reason: why the job failed, for the reason file beside it in `failed/`.
    func finish(_ claim: ClaimedJob, _ job: JobRecord, result: JobResult, resultWritten: Bool, reason: String?) throws {
        let id = claim.id
        if !resultWritten {
            try DurableFile.write(try result.encoded(), to: layout.resultFile(id), via: layout.tmp, mode: 0o640,
                                  group: job.group)
        }
        if let readers = job.group, FileStatus.exists(layout.resultLines(id)) {
            try Accounts.changeOwner(layout.resultLines(id), uid: nil, gid: readers)
        }
        try checkpoint?(.resultWritten, id)
        views.writeSheetOnce(result, group: job.group)  // never fails the job
        // A bulk job's lines are read once here, for the final record and the board.
        let candidates = try layout.resultFiles.candidateCount(of: result)
        // A final record can exist only if a result was written before (a resumed job).
        if try !(resultWritten && hasFinalAuditRecord(id)) {
            // The offense goes into the final record for the annual report's counts by crime type.
            var details = result.probeCount.map { ["probes": "\($0)"] } ?? [:]
            if claim.name != id + ".json" { details["file"] = claim.name }
            if let offense = result.offense { details["offense"] = offense }
            details.merge(result.provenanceDetails) { a, _ in a }  // probe_source, probe_edits
            if result.probeCount != nil, result.decision == .completed {
                // A bulk job: every probe's SHA-256 in a manifest the record names and hashes.
                let (name, sha256) = try writeProbeManifest(result)
                details[ProbeManifest.nameKey] = name
                details[ProbeManifest.hashKey] = sha256
            }
            try record(job.event(
                result.decision.auditEventName, outcome: result.decision.rawValue, reasons: result.reasons.map(\.rawValue),
                probeSHA256: result.probes.compactMap(\.sha256), candidates: candidates, details: details))
        }
        try checkpoint?(.finalAuditWritten, id)
        try ledger.markFinished(id, decision: result.decision.rawValue, now: clock())
        try checkpoint?(.ledgerFinished, id)
        views.publish(job, state: .finished, result: result, candidates: candidates)
        try moveOn(claim, outcome: result.decision, reason: reason ?? result.messages.first)
        logger.info("job finished", ["job": id, "decision": result.decision.rawValue,
                                     "reasons": result.reasons.map(\.rawValue).joined(separator: ",")])
    }

    /// Writes a bulk job's probe manifest into the audit directory (``Audit/ProbeManifest``), in the
    /// directory's group (the auditors'), 0640, replacing one an interrupted attempt left.
    /// - Returns: its file name and SHA-256.
    func writeProbeManifest(_ result: JobResult) throws -> (String, String) {
        let probes = try layout.resultFiles.probes(of: result)
        let bytes = ProbeManifest.bytes(probes.map { ($0.image, $0.sha256) })
        let name = ProbeManifest.fileName(job: result.job)
        // Built in the audit directory itself, so the setgid directory gives it the auditors' group
        // (the daemon's account need not be a member).
        try DurableFile.write(bytes, to: layout.audit + "/" + name, via: layout.audit, mode: 0o640)
        return (name, SHA256.hex(bytes))
    }

    /// Moves a finished job out of `active/`: `done/`, or `failed/` with a reason file beside it.
    func moveOn(_ claim: ClaimedJob, outcome: JobOutcome, reason: String?) throws {
        let directory = outcome == .failed ? layout.failed : layout.done
        if outcome == .failed {
            let text = (reason ?? "failed") + "\n"
            let name = services.filedName(claim, in: directory)
            try DurableFile.write(Array(text.utf8), to: directory + "/" + name + ".reason", via: layout.tmp)
        }
        try file(claim, into: directory)
        discardDropFolder(job: claim.id)
        try? DurableFile.remove(layout.heldCopy(for: claim.id))
    }

    /// The result file of a job, if one was written.
    func existingResult(_ id: String) throws -> JobResult? {
        let path = layout.resultFile(id)
        guard FileStatus.exists(path) else { return nil }
        return try JobResult.decode(try DurableFile.read(path))
    }

    /// Whether the audit log holds a final record for `job` (only asked when resuming a job whose
    /// result file exists: a crash may have come between the record and the ledger).
    func hasFinalAuditRecord(_ job: String) throws -> Bool {
        let finals = Set(JobOutcome.allCases.map(\.auditEvent))
        // Only days since the job was first seen can hold its records.
        let since = (try ledger.entry(job)).map { String($0.received.prefix(10)) }
        return try AuditReader(directory: layout.audit).records(from: since).contains {
            $0.event.job == job && finals.contains($0.event.event)
        }
    }
}
