import Foundation
import Policy
import SystemCalls

/// Which evidence a job may search (SPEC: "A job may search only the images it brought and
/// evidence folders of its own agency").
///
/// The first component of a probe path (and of the path it resolves to, so a symlink inside the
/// store cannot lead across) names an evidence folder, which is permitted when it is
/// - the job's own folder, `evidence/<job id>/`, made for it by `frs submit` or by the daemon's
///   take-in of its dropped images (both leave the marker ``EvidenceStore/ownerMarker`` in it, so a
///   job cannot adopt a folder it did not bring by taking its name);
/// - an earlier job's own folder, when the ledger records that job's agency as the requester's;
/// - the folder of the requester's agency, `evidence/<AGENCY CODE>/…`.
/// Anything else (another agency's folders and jobs, loose folders no one owns) is denied
/// `input.probe-not-permitted`.
extension JobPipeline {
    /// Whether `folder` (a top-level name in `evidence/`) may be searched by `job` of `agency`.
    func mayRead(folder: String, job: String, agency: String?) throws -> Bool {
        let marked = FileStatus.exists(layout.evidence(for: folder) + "/" + EvidenceStore.ownerMarker)
        if folder == job { return marked }
        guard let agency else { return false }
        if let earlier = try ledger.file(folder) { return marked && earlier.agency == agency }
        guard folder == agency else { return false }
        return try registry.agency(folder) != nil
    }

    /// Resolves one probe of a bulk job's folder and checks the job may read it.
    /// - Returns: the canonical path, or why it cannot be searched (it then gets an error record).
    func resolveBulkProbe(_ probe: String, job: String, agency: String?) -> Result<String, ProbeRejection> {
        do {
            let path = try evidence.resolve(probe)
            try checkAccess(probe, canonicalPath: path, job: job, agency: agency)
            return .success(path)
        } catch let error as ProbeRejection {
            return .failure(error)
        } catch {
            return .failure(ProbeRejection(code: .inputProbeMissing, probe: probe, message: "cannot be checked: \(error)"))
        }
    }

    /// Refuses a probe (or probe folder) outside what the job may search.
    /// - Parameters:
    ///   - probe: the path as the job names it.
    ///   - canonicalPath: what ``EvidenceStore/resolve(_:)`` made of it.
    /// - Throws: ``ProbeRejection`` `input.probe-not-permitted`.
    func checkAccess(_ probe: String, canonicalPath: String, job: String, agency: String?) throws {
        let folders = [try evidence.topFolder(of: probe), evidence.topFolder(ofCanonical: canonicalPath)]
        for folder in folders {
            guard let folder, try mayRead(folder: folder, job: job, agency: agency) else {
                throw ProbeRejection(code: .inputProbeNotPermitted, probe: probe, message: """
                    the evidence folder \(folder ?? "?") is not this job's own and not its agency's
                    """)
            }
        }
    }
}
