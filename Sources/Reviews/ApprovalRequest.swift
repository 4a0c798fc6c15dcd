import Foundation
import Policy

/// A supervisor's decision on a held job, dropped into `incoming/` as `<job>-<random>.approval`
/// by `frs approve` or `frs reject` under the supervisor's own account.
///
/// Like a job file it is authenticated by its owner uid: the daemon applies it only when the file
/// belongs to the OS account registered for `supervisor`, who must be an active supervisor of
/// the requester's agency and not the requester.
public struct ApprovalRequest: DropBoxRequest, Equatable {
    public static let kind = "approval"

    /// Approve (run the held job) or reject (deny it).
    public enum Verdict: String, Codable, Sendable {
        case approve
        case reject
    }

    public var version: Int
    /// The held job's id.
    public var job: String
    /// The supervisor's requester id.
    public var supervisor: String
    public var decision: Verdict
    public var note: String?

    public init(job: String, supervisor: String, decision: Verdict, note: String?) {
        self.version = 1
        self.job = job
        self.supervisor = supervisor
        self.decision = decision
        self.note = note
    }

    /// The largest request file read.
    public static let maximumFileBytes = 64 << 10

    /// Checks the text fields: one-line fields without control characters, narratives without
    /// terminal controls, both within ``RequestFields``' lengths. Parsing checks it, and so do the
    /// recorders, for requests recorded directly.
    /// - Throws: ``RequestFieldError``.
    public func checkFields() throws(RequestFieldError) {
        try RequestFields.check(lines: [("job", job), ("supervisor", supervisor)],
                                narratives: [("note", note)])
        // A rejection says why (frs reject --note): invisible characters say nothing.
        if decision == .reject, PolicyText.visibleLength(note ?? "") == 0 {
            throw RequestFieldError(message: "a rejection needs a note saying why, in visible characters")
        }
    }

    /// Parses a request file.
    /// - Throws: `DecodingError` when it is not such a request.
    public static func parse(_ bytes: [UInt8]) throws -> ApprovalRequest {
        let request = try StrictJSON.decode(ApprovalRequest.self, from: bytes)
        guard request.version == 1, !request.job.isEmpty, !request.job.contains("/"), !request.supervisor.isEmpty else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a version 1 approval request"))
        }
        try request.checkFields()
        return request
    }
}
