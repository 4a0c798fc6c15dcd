/// Reason codes the spool itself gives (for failures, not policy decisions).
public enum SpoolReason {
    /// The job failed on every attempt and is quarantined in `failed/`.
    public static let attemptsExhausted = "processing.attempts-exhausted"
}
