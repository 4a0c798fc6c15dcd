/// Where a probe image came from (`"probe_source"` in a job file).
///
/// A search is for a photograph of the person sought. A sketch, a composite or a photo of a
/// lookalike is not one: face recognition on it finds people who resemble a drawing or someone
/// else, so those sources are refused (`input.probe-source-refused`).
public enum ProbeSource: String, Sendable, CaseIterable, Codable {
    /// A frame or still from a surveillance camera.
    case surveillanceStill = "surveillance-still"
    /// A photograph (a witness's phone, a camera).
    case photo
    /// An image taken from social media.
    case socialMedia = "social-media"
    /// A booking photo.
    case booking
    /// Something else, described in the justification.
    case other
    /// An artist's sketch: refused.
    case sketch
    /// A composite (an identikit or software-made face): refused.
    case composite
    /// A photo of someone who looks like the person sought: refused.
    case lookalike

    /// Whether a job with this source is refused.
    public var isRefused: Bool {
        switch self {
        case .sketch, .composite, .lookalike: true
        case .surveillanceStill, .photo, .socialMedia, .booking, .other: false
        }
    }

    /// The sources a job may search with.
    public static var accepted: [ProbeSource] { allCases.filter { !$0.isRefused } }
}

/// One change made to a probe image before it was searched (`"probe_edits"` in a job file):
/// who made it and what it was (cropped, brightened, mouth closed, eyes opened …). An edited
/// probe is marked on the examiner's sheet and named in the result and the final audit record.
public struct ProbeEdit: Codable, Sendable, Equatable {
    /// Who edited the image.
    public var by: String
    /// What was done.
    public var edit: String

    public init(by: String, edit: String) {
        self.by = by
        self.edit = edit
    }

    /// Most edits listed in one job.
    public static let maximumCount = 100
    /// Longest `by` and `edit`, in characters.
    public static let maximumLengths = (by: 64, edit: 500)
}
