import Foundation

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

    /// Parses a request file.
    /// - Throws: `DecodingError` when it is not such a request.
    public static func parse(_ bytes: [UInt8]) throws -> ResolutionRequest {
        let request = try JSONDecoder().decode(ResolutionRequest.self, from: Data(bytes))
        guard request.version == 1, !request.job.isEmpty, !request.job.contains("/"), !request.supervisor.isEmpty,
              !request.candidate.isEmpty, !request.note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a version 1 resolution request"))
        }
        return request
    }
}
