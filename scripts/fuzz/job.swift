// libFuzzer harness: the job-file parser and the policy-file loader on the same bytes.
// Built and run by scripts/fuzz.sh (swiftc -sanitize=fuzzer,address); not part of the package.
import Policy

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJob(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    switch JobRequest.parse(bytes) {
    case .success(let job):
        // A parsed job must satisfy what the parser promises.
        guard job.version == 1, !job.requester.isEmpty, !job.probes.isEmpty || job.probeDir != nil else {
            preconditionFailure("JobRequest.parse accepted an incomplete job: \(job)")
        }
        if let t = job.threshold { precondition(t.isFinite && t > 0 && t <= 2, "threshold \(t) accepted") }
        if let m = job.maxCandidates { precondition(m >= 1, "max_candidates \(m) accepted") }
    case .failure(let failure):
        precondition(!failure.issues.isEmpty, "a failure without issues")
        _ = failure.description
    }
    do {
        let config = try PolicyConfig.load(jsonBytes: bytes)
        // Exercise what the gate does with a loaded policy.
        _ = config.isViolentCrime("armed robbery with a weapon")
        _ = config.watchTermsMatched(in: "watch the protest march")
    } catch {
        _ = error.description
    }
    return 0
}
