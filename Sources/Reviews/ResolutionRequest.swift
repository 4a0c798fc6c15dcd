import Foundation
import Policy

/// A supervisor's resolution of a disputed lead (two examiners recorded different dispositions),
/// as `frs resolve` asks for it.
///
/// Run from the supervisor's own account it is dropped into `incoming/` as
/// `<job>-<random>.resolution` and authenticated like a job by its owner uid; an account that can
/// write the spool's database records it directly (``ResolutionRecorder``).
public struct ResolutionRequest: DropBoxRequest, Equatable {
    public static let kind = "resolution"

    public var version: Int
    /// The completed job's id.
    public var job: String
    /// The supervisor's requester id.
    public var supervisor: String
    /// The face's number on the sheet.
    public var face: Int
    /// The candidate's gallery subject id.
    public var candidate: String
    /// The disposition the supervisor settles on.
    public var disposition: ReviewRequest.Disposition
    /// Why (required).
    public var note: String

    public init(job: String, supervisor: String, face: Int, candidate: String,
                disposition: ReviewRequest.Disposition, note: String) {
        self.version = 1
        self.job = job
        self.supervisor = supervisor
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
        try RequestFields.check(lines: [("job", job), ("supervisor", supervisor), ("candidate", candidate)],
                                narratives: [("note", note)])
        // A resolution says why: a note of invisible characters (U+2060, U+00AD, U+FEFF, …) says nothing.
        guard PolicyText.visibleLength(note) > 0 else {
            throw RequestFieldError(message: "the note must say why, in visible characters")
        }
    }

    /// Parses a request file.
    /// - Throws: `DecodingError` when it is not such a request.
    public static func parse(_ bytes: [UInt8]) throws -> ResolutionRequest {
        let request = try StrictJSON.decode(ResolutionRequest.self, from: bytes)
        guard request.version == 1, !request.job.isEmpty, !request.job.contains("/"), !request.supervisor.isEmpty,
              !request.candidate.isEmpty
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a version 1 resolution request"))
        }
        try request.checkFields()
        return request
    }
}
