import Foundation
import Policy
import Results

/// Builds result documents from decisions (pure).
public enum ResultBuilder {
    /// The result of a denied job: every reason, no search.
    public static func denied(job: String, _ denial: JobDenial, now: Date) -> JobResult {
        JobResult(job: job, decision: .denied, reasons: denial.reasons, messages: denial.messages,
                  requester: denial.requester, purpose: denial.purpose, caseNumber: denial.caseNumber,
                  offense: denial.offense, created: now)
    }

    /// The result of a job whose every attempt failed (`processing.attempts-exhausted`), quarantined
    /// in `failed/`; `message` is the last attempt's error.
    public static func failed(job: String, requester: String?, purpose: String?, caseNumber: String?, message: String,
                              now: Date) -> JobResult {
        JobResult(job: job, decision: .failed, reasons: [.processingAttemptsExhausted],
                  messages: ["\(ReasonCode.processingAttemptsExhausted.rawValue): \(message)"],
                  requester: requester, purpose: purpose, caseNumber: caseNumber, created: now)
    }

    /// The result of a search that ran.
    public static func completed(
        job: String, request: JobRequest, probes: [ProbeRecord], probeCount: Int?, searcher: any ProbeSearcher,
        threshold: Double, maxCandidates: Int, now: Date
    ) -> JobResult {
        let calibration = searcher.calibration
        var result = JobResult(job: job, decision: .completed, messages: calibration.warnings, requester: request.requester,
                  purpose: request.purpose,
                  caseNumber: request.caseNumber, offense: request.offense, galleryVersion: searcher.galleryVersion,
                  models: searcher.modelIDs, threshold: threshold, maxCandidates: maxCandidates, probes: probes,
                  probeCount: probeCount, created: now, probeSource: request.probeSource, probeEdits: request.probeEdits)
        result.calibration = calibration.reference
        if let operating = searcher.operatingThreshold { result.record(operating) }
        return result
    }
}
