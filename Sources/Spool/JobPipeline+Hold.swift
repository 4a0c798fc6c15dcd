import Audit
import Foundation
import Hashing
import Policy
import SystemCalls

/// Holding a job for a supervisor, bound to what the supervisor sees.
///
/// While held, the job file in `held/` and the images dropped beside it are still the requester's
/// inodes, which they can rewrite through a descriptor kept open. So at hold time the daemon takes
/// its own copies of everything the decision depends on: the dropped images go into
/// `evidence/<job>/` (daemon-owned, 0600) and the job file's bytes into `state/held/<job>.json`
/// (0600); the copy's SHA-256 goes into the ledger and, with the images' hashes, into the
/// `job.held` audit record. An approval is judged on that copy, and the released job runs exactly
/// that copy. Anything that cannot be read, or no longer matches its hash, is refused (fail closed).
extension JobPipeline {
    /// Moves a job to `held/` for a supervisor, after taking private copies of its file and images.
    func hold(_ claim: ClaimedJob, _ job: JobRecord, request: JobRequest, terms: [String], bytes: [UInt8], now: Date) throws {
        let id = claim.id
        let sha256 = SHA256.hex(bytes)
        try Directory.create(layout.heldCopies, mode: 0o700)
        try DurableFile.write(bytes, to: layout.heldCopy(for: id), via: layout.heldCopies, mode: 0o600)
        try ledger.setHeldCopy(id, sha256: sha256)
        try ledger.markHeld(id, now: now)
        try record(job.event(.jobHeld, outcome: "held", reasons: [ReasonCode.policyHeldForReview.rawValue],
                                 probeSHA256: try ownImageHashes(id),
                                 details: ["watch_terms": terms.joined(separator: ","), "job_sha256": sha256]))
        try DurableFile.renameNoReplace(claim.path, to: layout.held + "/" + claim.name)
        // What the supervisor decides on, on the board their agency reads (frs status JOB).
        views.publish(job, state: .held, hold: HoldFacts(
            offense: request.offense, justification: request.justification, watchTerms: terms,
            probes: request.probes.count, probeDir: request.probeDir))
        logger.info("job held for a supervisor", ["job": id, "terms": terms.joined(separator: ",")])
    }

    /// Takes in the job's dropped images unless that was done (at hold time, or by an earlier
    /// attempt); images dropped later are never taken (they are discarded with the drop folder).
    /// - Throws: ``JobRefusal`` for a flooded drop folder.
    func takeInOnce(job: String, owner: UInt32, request: JobRequest) throws {
        guard try ledger.file(job)?.takenIn != true else { return }
        // Only images the job names are taken: `<job>/<name>`, or all of them for `probe_dir` `<job>`.
        let named = Self.namedImages(request, job: job)
        try takeInDroppedImages(job: job, owner: owner, named: named)
        try ledger.markTakenIn(job)
    }

    /// The names of the images in `incoming/<job>.d/` the job names (`<job>/<name>` in `probes`), or
    /// `nil` for all of them (its `probe_dir` is `<job>`).
    static func namedImages(_ request: JobRequest, job: String) -> Set<String>? {
        if let folder = request.probeDir {
            let parts = folder.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
            if parts == [job] { return nil }
        }
        var named = Set<String>()
        for probe in request.probes {
            let parts = probe.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
            if parts.count == 2, parts[0] == job { named.insert(parts[1]) }
        }
        return named
    }

    /// SHA-256 of each image in the job's own evidence folder, by name.
    func ownImageHashes(_ job: String) throws -> [String] {
        let folder = layout.evidence(for: job)
        guard FileStatus.exists(folder) else { return [] }
        return try Directory.entries(folder).filter { !$0.hasPrefix(".") }.map { name in
            SHA256.hex(try DurableFile.read(folder + "/" + name, limit: evidence.maximumProbeBytes))
        }
    }

    /// The private copy of a held job's file, checked against the hash recorded when it was held.
    func heldCopy(_ job: String) throws -> Result<[UInt8], JobRefusal> {
        try Self.heldCopy(job, layout: layout, ledger: ledger)
    }

    /// The private copy of a held job's file, checked against the hash recorded when it was held
    /// (the pipeline runs it; the request desk judges an approval on it).
    /// - Returns: the bytes, or why they cannot be trusted.
    static func heldCopy(_ job: String, layout: SpoolLayout, ledger: JobLedger) throws -> Result<[UInt8], JobRefusal> {
        func refused(_ why: String) -> Result<[UInt8], JobRefusal> {
            .failure(JobRefusal(code: .inputMalformed, message: "\(ReasonCode.inputMalformed.rawValue): the held job's private copy \(why)"))
        }
        guard let expected = try ledger.file(job)?.heldSHA256 else { return refused("was never taken") }
        guard let bytes = try? DurableFile.read(layout.heldCopy(for: job), limit: JobRequest.maximumFileBytes) else {
            return refused("cannot be read")
        }
        guard SHA256.hex(bytes) == expected else { return refused("does not match the hash recorded when it was held") }
        return .success(bytes)
    }
}
