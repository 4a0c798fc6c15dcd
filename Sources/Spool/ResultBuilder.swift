import Foundation
import Policy
import Audit
import Results

/// Builds result documents from decisions (pure).
public enum ResultBuilder {
    /// Most messages a result keeps, and the longest message: a job file of a million unknown keys
    /// is answered in kilobytes, not hundreds of megabytes. What is left out is counted.
    public static let maximumMessages = 100
    public static let maximumMessageCharacters = 1_000

    /// `messages` bounded (``maximumMessages`` of at most ``maximumMessageCharacters``), with a last
    /// line counting what was left out.
    public static func bounded(_ messages: [String]) -> [String] {
        let cut = messages.prefix(maximumMessages).map { message in
            message.count > maximumMessageCharacters
                ? String(message.prefix(maximumMessageCharacters)) + " … (\(message.count - maximumMessageCharacters) more characters)"
                : message
        }
        return messages.count > maximumMessages ? cut + ["… and \(messages.count - maximumMessages) more messages"] : cut
    }

    /// The result of a denied job: every reason, no search; messages bounded (``bounded(_:)``).
    public static func denied(job: String, _ denial: JobDenial, now: Date) -> JobResult {
        JobResult(job: job, decision: .denied, reasons: denial.reasons, messages: bounded(denial.messages),
                  requester: denial.requester.map(AuditEvent.bounded), purpose: denial.purpose.map(AuditEvent.bounded),
                  caseNumber: denial.caseNumber.map(AuditEvent.bounded), offense: denial.offense.map(AuditEvent.bounded),
                  created: now)
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
        result.scanPrecision = searcher.scanPrecision
        return result
    }
}
