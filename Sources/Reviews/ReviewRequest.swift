import Policy
import Foundation

/// An examiner's disposition on one candidate of a completed job, as `frs review` asks for it.
///
/// Run from the examiner's own account it is dropped into `incoming/` as
/// `<job>-<random>.review` and authenticated like a job by its owner uid: the daemon records it
/// only when the file belongs to the OS account registered for `examiner`, whose role allows
/// review (``Policy/Role/canReview``) and who is active. An account that can write the spool's
/// database records it directly (``ReviewRecorder``).
public struct ReviewRequest: DropBoxRequest, Equatable {
    public static let kind = "review"

    /// The examiner's conclusion about a candidate: a lead's assessment, never an identification.
    public enum Disposition: String, Codable, Sendable, CaseIterable {
        /// The candidate may be the person in the probe; an investigative lead to corroborate.
        case possibleMatch = "possible-match"
        /// The candidate is not the person in the probe.
        case noMatch = "no-match"
        /// The images do not allow a conclusion.
        case inconclusive
    }

    public var version: Int
    /// The completed job's id.
    public var job: String
    /// The examiner's requester id.
    public var examiner: String
    /// The face's number on the sheet (see ``ResultFaces``).
    public var face: Int
    /// The candidate's gallery subject id.
    public var candidate: String
    public var disposition: Disposition
    public var note: String?

    public init(job: String, examiner: String, face: Int, candidate: String, disposition: Disposition, note: String?) {
        self.version = 1
        self.job = job
        self.examiner = examiner
        self.face = face
        self.candidate = candidate
        self.disposition = disposition
        self.note = note
    }

    /// The largest request file read.
    public static let maximumFileBytes = 64 << 10

    /// Checks the text fields: one-line fields without control characters, narratives without
    /// terminal controls, both within ``RequestFields``' lengths. Parsing checks it, and so do the
    /// recorders, for requests recorded directly.
    /// - Throws: ``RequestFieldError``.
    public func checkFields() throws(RequestFieldError) {
        try RequestFields.check(lines: [("job", job), ("examiner", examiner), ("candidate", candidate)],
                                narratives: [("note", note)])
    }

    /// Parses a request file.
    /// - Throws: `DecodingError` when it is not such a request.
    public static func parse(_ bytes: [UInt8]) throws -> ReviewRequest {
        let request = try StrictJSON.decode(ReviewRequest.self, from: bytes)
        guard request.version == 1, !request.job.isEmpty, !request.job.contains("/"), !request.examiner.isEmpty,
              !request.candidate.isEmpty
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a version 1 review request"))
        }
        try request.checkFields()
        return request
    }
}
