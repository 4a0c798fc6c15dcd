import Foundation
import Results
import Store

/// A calibration of the agency's own gallery: how often a search of someone who is *not* in the
/// gallery still returns a candidate within a threshold (the false positive identification rate,
/// FPIR), and how often a search of someone who *is* misses them (the false negative
/// identification rate, FNIR), measured on the gallery itself with the method of NIST IR 8271
/// (FRVT Part 2: Identification).
///
/// - A **non-mated search** searches one gallery face with *every* face of its subject left out
///   of the gallery, so its true mate is absent; it is a false positive at threshold `T` when any
///   candidate lies at distance `≤ T`. Every searchable face is searched this way once.
/// - A **mated search** searches one photo of a subject who has several, against the gallery
///   without that photo (the subject's other photos remain); it misses at `T` when none of the
///   subject's other photos is returned at rank `1…R` (``rank``; candidate lists name each subject
///   once, at the nearest face) within `T`. Subjects with one photo give no mated search.
///
/// `FPIR(T) = false positives / non-mated searches`, `FNIR(T) = misses / mated searches`, over a
/// grid of thresholds (``thresholds``, by default 0.30 to 0.70 in steps of 0.01). ``threshold`` is
/// the largest grid threshold whose FPIR is at most the target, with a one-sided 95 % upper
/// confidence bound on its FPIR (``CalibrationBound``).
///
/// FPIR grows with the gallery (more strangers to be close to): a calibration describes the
/// gallery size it measured, and results warn when the gallery has grown by more than 25 % since.
public struct Calibration: Codable, Sendable, Equatable {
    /// The calibration table's row id; 0 until stored.
    public var id: Int64
    /// When it ran (UTC, ISO 8601).
    public var created: String
    /// The gallery version measured.
    public var galleryVersion: Int64
    /// Searchable faces (gallery rows) measured.
    public var galleryFaces: Int
    /// Subjects with at least one searchable face.
    public var gallerySubjects: Int
    /// The FPIR asked for.
    public var targetFPIR: Double
    /// The candidate list length `R` for mated searches (the default `max_candidates`, 20).
    public var rank: Int
    /// Non-mated searches made (one per gallery face, or per sampled face).
    public var nonMatedSearches: Int
    /// Mated searches made (one per face of a subject with several).
    public var matedSearches: Int
    /// The threshold grid, increasing.
    public var thresholds: [Double]
    /// Per threshold: non-mated searches returning a candidate within it.
    public var falsePositives: [Int]
    /// Per threshold: mated searches whose mate was not at rank `1…R` within it.
    public var misses: [Int]
    /// Per threshold: `falsePositives / nonMatedSearches`.
    public var fpir: [Double]
    /// Per threshold: the one-sided 95 % upper confidence bound on FPIR.
    public var fpirUpper95: [Double]
    /// Per threshold: `misses / matedSearches`; empty when there were no mated searches.
    public var fnir: [Double]
    /// The largest grid threshold with FPIR `≤` the target; `nil` when even the smallest exceeds it.
    public var threshold: Double?
    /// Wall-clock seconds the searches took.
    public var seconds: Double
    /// The policy's threshold settings when it ran (so the report shows the threshold jobs run
    /// at); `nil` in calibrations made before they were kept.
    public var policy: ThresholdPolicy? = nil

    enum CodingKeys: String, CodingKey {
        case id, created
        case galleryVersion = "gallery_version"
        case galleryFaces = "gallery_faces"
        case gallerySubjects = "gallery_subjects"
        case targetFPIR = "target_fpir"
        case rank
        case nonMatedSearches = "non_mated_searches"
        case matedSearches = "mated_searches"
        case thresholds
        case falsePositives = "false_positives"
        case misses, fpir
        case fpirUpper95 = "fpir_upper95"
        case fnir, threshold, seconds, policy
    }

    /// The default threshold grid: 0.30, 0.31, …, 0.70.
    public static let defaultThresholds: [Double] = (30...70).map { Double($0) / 100 }

    /// Growth of the gallery (in faces) beyond which results warn that the calibration is stale.
    public static let staleGrowth = 0.25

    /// Whether the 95 % upper bound on FPIR at ``threshold`` is within the target: when not, the
    /// gallery is too small (too few non-mated searches) to show that the threshold meets it.
    public var boundMeetsTarget: Bool {
        guard let i = thresholdIndex else { return false }
        return fpirUpper95[i] <= targetFPIR
    }

    /// The index of ``threshold`` in ``thresholds``.
    public var thresholdIndex: Int? {
        guard let threshold else { return nil }
        return thresholds.firstIndex(of: threshold)
    }

    /// The measured FPIR curve (``Results/CalibrationCurve``), from which jobs' operating
    /// threshold and candidates' estimates are read.
    public var curve: CalibrationCurve {
        CalibrationCurve(thresholds: thresholds, falsePositives: falsePositives, nonMatedSearches: nonMatedSearches,
                         fpir: fpir, fpirUpper95: fpirUpper95)
    }

    /// FPIR at a candidate's distance `d`, interpolated on the curve
    /// (``Results/CalibrationCurve/estimatedFPIR(atDistance:)``); `nil` beyond the grid.
    public func estimatedFPIR(atDistance d: Double) -> Double? { curve.estimatedFPIR(atDistance: d) }

    /// The 95 % upper bound on the FPIR at distance `d`: the bound at the first grid threshold at or
    /// beyond `d` (``Results/CalibrationCurve/upper95(atDistance:)``); `nil` beyond the grid.
    public func estimatedFPIRUpper95(atDistance d: Double) -> Double? { curve.upper95(atDistance: d) }

    /// The threshold jobs run at under ``policy`` (the policy when the calibration ran), or `nil`
    /// when it was not given.
    public var operating: OperatingThreshold? {
        policy.map { OperatingThreshold.choose(policy: $0, requested: nil, calibration: Self.status(self, galleryFaces: galleryFaces)) }
    }

    /// What a result says it used.
    public var reference: CalibrationReference {
        CalibrationReference(id: id, galleryVersion: galleryVersion, created: created)
    }

    /// The warnings a result carries given the newest calibration and the gallery's size now.
    ///
    /// - Parameters:
    ///   - calibration: the newest calibration, or `nil` when there is none.
    ///   - galleryFaces: searchable faces in the gallery searched.
    public static func status(_ calibration: Calibration?, galleryFaces: Int) -> CalibrationStatus {
        guard let calibration else {
            return CalibrationStatus(reference: nil, warnings: [
                "The gallery has not been calibrated: the threshold is the policy's default and candidates carry no "
                    + "estimated false positive rate (an administrator runs 'frs gallery calibrate').",
            ])
        }
        var warnings: [String] = []
        let then = calibration.galleryFaces
        if Double(galleryFaces) > Double(then) * (1 + staleGrowth) {
            let growth = then > 0 ? Int((Double(galleryFaces - then) / Double(then) * 100).rounded()) : 100
            warnings.append(
                "The gallery has grown by \(growth) % since calibration \(calibration.id) "
                    + "(\(then) faces then, \(galleryFaces) now): estimated_fpir and the calibrated threshold understate "
                    + "the chance of a stranger this close; an administrator should run 'frs gallery calibrate' again.")
        }
        return CalibrationStatus(reference: calibration.reference, warnings: warnings, curve: calibration.curve,
                                 stale: !warnings.isEmpty)
    }

}

/// Why a gallery cannot be calibrated.
public struct CalibrationError: Error, Equatable, CustomStringConvertible {
    /// What is wrong and what to do.
    public var message: String
    public var description: String { message }
}

// In an extension, so that the memberwise initializer stays.
extension Calibration {
    // MARK: - Storage

    /// The row for the calibration table (the whole document is the `curves` JSON).
    public func stored() throws -> StoredCalibration {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(self), as: UTF8.self)
        return StoredCalibration(id: id, created: created, galleryVersion: galleryVersion, galleryFaces: galleryFaces,
                                 targetFPIR: targetFPIR, threshold: threshold, curves: json)
    }

    /// Reads a stored row back (its id is the row's).
    /// - Throws: `DecodingError` for a row whose JSON is not a calibration.
    public init(stored row: StoredCalibration) throws {
        self = try JSONDecoder().decode(Calibration.self, from: Data(row.curves.utf8))
        id = row.id
    }

    /// The newest calibration in the store, or `nil`.
    /// - Throws: `DatabaseError`; `DecodingError` for a damaged row.
    public static func newest(in store: CalibrationStore) throws -> Calibration? {
        try store.newest().map { try Calibration(stored: $0) }
    }
}
