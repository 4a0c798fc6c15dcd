import Policy
import Foundation

/// What was done with a lead, as `frs outcome` records it: nothing, an interview, an arrest or a
/// charge. An arrest or a charge needs a corroboration narrative: the evidence, independent of
/// face recognition, that the action rests on (a candidate is a lead, never an identification).
///
/// Run from the requester's or a supervisor's own account it is dropped into `incoming/` as
/// `<job>-<random>.outcome` and authenticated by its owner uid (``OutcomeRecorder``).
public struct OutcomeRequest: DropBoxRequest, Equatable {
    public static let kind = "outcome"

    /// The action taken on the candidate.
    public enum Action: String, Codable, Sendable, CaseIterable {
        /// No action.
        case none
        /// The candidate was interviewed.
        case interviewed
        /// The candidate was arrested (needs corroboration).
        case arrested
        /// The candidate was charged (needs corroboration).
        case charged

        /// Whether the action needs a corroboration narrative.
        public var needsCorroboration: Bool { self == .arrested || self == .charged }
    }

    public var version: Int
    /// The completed job's id.
    public var job: String
    /// Who records it: the job's requester or a supervisor of the agency; empty: the one
    /// registered for the request's OS account (``OutcomeRecorder`` picks the requester first).
    public var recordedBy: String
    /// The face's number on the sheet.
    public var face: Int
    /// The candidate's gallery subject id.
    public var candidate: String
    public var action: Action
    /// The evidence independent of face recognition.
    public var corroboration: String?

    public init(job: String, recordedBy: String, face: Int, candidate: String, action: Action, corroboration: String?) {
        self.version = 1
        self.job = job
        self.recordedBy = recordedBy
        self.face = face
        self.candidate = candidate
        self.action = action
        self.corroboration = corroboration
    }

    enum CodingKeys: String, CodingKey {
        case version, job
        case recordedBy = "recorded_by"
        case face, candidate, action, corroboration
    }

    /// The largest request file read.
    public static let maximumFileBytes = 64 << 10

    /// Checks the text fields: one-line fields without control characters, narratives without
    /// terminal controls, both within ``RequestFields``' lengths. Parsing checks it, and so do the
    /// recorders, for requests recorded directly.
    /// - Throws: ``RequestFieldError``.
    public func checkFields() throws(RequestFieldError) {
        try RequestFields.check(lines: [("job", job), ("recorded_by", recordedBy), ("candidate", candidate)],
                                narratives: [("corroboration", corroboration)])
    }

    /// Parses a request file.
    /// - Throws: `DecodingError` when it is not such a request.
    public static func parse(_ bytes: [UInt8]) throws -> OutcomeRequest {
        let request = try StrictJSON.decode(OutcomeRequest.self, from: bytes)
        guard request.version == 1, !request.job.isEmpty, !request.job.contains("/"), !request.candidate.isEmpty
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a version 1 outcome request"))
        }
        try request.checkFields()
        return request
    }
}
