/// Which gallery calibration a result's `estimated_fpir` figures come from
/// (`"calibration": {"id", "gallery_version", "created"}` in the result file).
public struct CalibrationReference: Codable, Sendable, Equatable {
    /// The calibration's id (`frs gallery calibrate` prints it; its report is
    /// `outbox/audit/calibration-<id>.html`).
    public var id: Int64
    /// The gallery version it measured.
    public var galleryVersion: Int64
    /// When it ran (UTC, ISO 8601).
    public var created: String

    public init(id: Int64, galleryVersion: Int64, created: String) {
        self.id = id
        self.galleryVersion = galleryVersion
        self.created = created
    }

    enum CodingKeys: String, CodingKey {
        case id
        case galleryVersion = "gallery_version"
        case created
    }
}

/// What a searcher says about its calibration when a result is made: the calibration in use, its
/// FPIR curve (from which the operating threshold is chosen, ``OperatingThreshold``), and warnings
/// for the result's messages (none exists; the gallery has grown since).
public struct CalibrationStatus: Sendable, Equatable {
    /// The calibration whose estimates the candidates carry; `nil` when there is none.
    public var reference: CalibrationReference?
    /// Sentences for the result's `messages`.
    public var warnings: [String]
    /// The calibration's measured FPIR curve; `nil` when there is none.
    public var curve: CalibrationCurve?
    /// Whether the gallery has grown past the calibration (see ``warnings``).
    public var stale: Bool

    public init(reference: CalibrationReference?, warnings: [String], curve: CalibrationCurve? = nil, stale: Bool = false) {
        self.reference = reference
        self.warnings = warnings
        self.curve = curve
        self.stale = stale
    }

    /// No calibration and nothing to say (searchers without a gallery store, e.g. test stand-ins).
    public static let none = CalibrationStatus(reference: nil, warnings: [])
}

extension ProbeSearcher {
    /// By default a searcher has no calibration and says nothing about it.
    public var calibration: CalibrationStatus { .none }
    /// By default a searcher does not say which threshold a job runs at (``OperatingSearcher`` does).
    public var operatingThreshold: OperatingThreshold? { nil }
}
