import Foundation
import Policy

/// The distance threshold a job runs at, and where it came from (the result's `threshold` and
/// `threshold_source`).
///
/// - After `frs gallery calibrate`, the largest threshold of the newest calibration's grid whose
///   measured FPIR is within the policy's `target_fpir` (`basis` `calibrated`), capped by the
///   policy's `maximum_threshold` (`calibrated-capped`).
/// - Without a calibration, or when the calibration meets the target at no threshold of its
///   grid, the policy's `default_threshold` (`policy-default`), said as such.
/// - A job's own `threshold` may only make the search **stricter**: a smaller value is used as
///   asked (`job`); a larger one is lowered to the operating threshold and the result says so
///   (the gate already refuses one above `maximum_threshold`, `input.invalid-threshold`). The
///   calibration is the agency's chosen error rate; one requester cannot loosen it for their job.
public struct OperatingThreshold: Sendable, Equatable {
    /// Where the threshold came from.
    public enum Basis: String, Sendable, Codable {
        /// The newest calibration's threshold for the policy's target FPIR.
        case calibrated
        /// The calibration's threshold was above the policy's maximum: the maximum.
        case calibratedCapped = "calibrated-capped"
        /// The policy's `default_threshold` (no calibration, or none meets the target).
        case policyDefault = "policy-default"
        /// The job asked for a stricter threshold.
        case job
    }

    /// The distance threshold.
    public var threshold: Double
    /// Where it came from.
    public var basis: Basis
    /// Where it came from, in words (the result's `threshold_source`).
    public var source: String
    /// The policy's target FPIR.
    public var targetFPIR: Double
    /// What the candidate list holds (the policy's `candidate_list`).
    public var candidateList: CandidateList
    /// The calibration's FPIR at the threshold, and its 95 % upper bound; `nil` uncalibrated.
    public var estimatedFPIR: Double?
    public var estimatedFPIRUpper95: Double?
    /// Sentences for the result's messages (a looser threshold asked for, a target not met, a
    /// calibration the gallery has outgrown).
    public var messages: [String]

    public init(threshold: Double, basis: Basis, source: String, targetFPIR: Double, candidateList: CandidateList,
                estimatedFPIR: Double? = nil, estimatedFPIRUpper95: Double? = nil, messages: [String] = []) {
        self.threshold = threshold
        self.basis = basis
        self.source = source
        self.targetFPIR = targetFPIR
        self.candidateList = candidateList
        self.estimatedFPIR = estimatedFPIR
        self.estimatedFPIRUpper95 = estimatedFPIRUpper95
        self.messages = messages
    }

    /// The words for an uncalibrated gallery's threshold.
    public static let uncalibrated = "policy default, uncalibrated"

    /// Chooses the threshold of a job.
    ///
    /// - Parameters:
    ///   - policy: the policy (`target_fpir`, `maximum_threshold`, `default_threshold`, `candidate_list`).
    ///   - requested: the job's own `threshold`, if it gave one (already checked against the maximum).
    ///   - calibration: the searcher's newest calibration and its curve.
    public static func choose(policy: PolicyConfig, requested: Double?, calibration: CalibrationStatus) -> OperatingThreshold {
        choose(policy: ThresholdPolicy(policy), requested: requested, calibration: calibration)
    }

    /// Chooses the threshold of a job given the policy's threshold settings.
    public static func choose(policy: ThresholdPolicy, requested: Double?, calibration: CalibrationStatus) -> OperatingThreshold {
        let target = policy.targetFPIR
        let targetText = percent(target)
        var messages: [String] = []
        var threshold = policy.defaultThreshold
        var basis = Basis.policyDefault
        var source = uncalibrated
        if let curve = calibration.curve, let reference = calibration.reference {
            let named = "calibration \(reference.id) (gallery version \(reference.galleryVersion))"
            if let i = curve.thresholdIndex(forTarget: target) {
                let calibrated = curve.thresholds[i]
                if calibrated > policy.maximumThreshold {
                    threshold = policy.maximumThreshold
                    basis = .calibratedCapped
                    source = "\(named) for target FPIR \(targetText): \(number(calibrated)), capped at the policy's "
                        + "maximum_threshold \(number(policy.maximumThreshold))"
                } else {
                    threshold = calibrated
                    basis = .calibrated
                    source = "\(named) for target FPIR \(targetText)"
                }
            } else {
                source = "policy default: \(named) meets target FPIR \(targetText) at no threshold"
                messages.append(
                    "The gallery's \(named) meets the policy's target FPIR of \(targetText) at no threshold it measured "
                        + "(FPIR \(percent(curve.fpir.first ?? 0)) already at \(number(curve.thresholds.first ?? 0))): "
                        + "the search used the policy's default_threshold \(number(threshold)).")
            }
            if calibration.stale {
                messages.append("The operating threshold comes from a calibration the gallery has outgrown: with more "
                    + "faces a stranger is more often this close; an administrator should run 'frs gallery calibrate' again.")
            }
        }
        if let requested, requested < threshold {
            source = "job request, stricter than the operating threshold \(number(threshold)) (\(source))"
            threshold = requested
            basis = .job
        } else if let requested, requested > threshold {
            messages.append("The job asked for threshold \(number(requested)); the operating threshold is "
                + "\(number(threshold)) (\(source)): a job may be stricter than the operating threshold, not looser. "
                + "The search used \(number(threshold)).")
        }
        return OperatingThreshold(
            threshold: threshold, basis: basis, source: source, targetFPIR: target, candidateList: policy.candidateList,
            estimatedFPIR: calibration.curve?.estimatedFPIR(atDistance: threshold),
            estimatedFPIRUpper95: calibration.curve?.upper95(atDistance: threshold), messages: messages)
    }

    /// The searcher that runs a job at this threshold (``OperatingSearcher``).
    public func searcher(_ base: any ProbeSearcher) -> OperatingSearcher {
        OperatingSearcher(base: base, operating: self)
    }

    /// A rate as a percentage with up to three significant figures ("1 %", "0.1 %", "26.7 %").
    public static func percent(_ rate: Double) -> String {
        let p = rate * 100
        var text = p >= 10 ? String(format: "%.1f", p) : p >= 1 ? String(format: "%.2f", p) : String(format: "%.3g", p)
        if text.contains("."), !text.contains("e") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text + " %"
    }

    /// A threshold as the policy writes it ("0.51", "0.6", "0.575").
    static func number(_ value: Double) -> String {
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}

/// The policy's settings that choose the operating threshold (kept with a calibration, so its
/// report can show the threshold jobs run at).
public struct ThresholdPolicy: Codable, Sendable, Equatable {
    public var targetFPIR: Double
    public var defaultThreshold: Double
    public var maximumThreshold: Double
    public var candidateList: CandidateList

    public init(targetFPIR: Double, defaultThreshold: Double, maximumThreshold: Double, candidateList: CandidateList) {
        self.targetFPIR = targetFPIR
        self.defaultThreshold = defaultThreshold
        self.maximumThreshold = maximumThreshold
        self.candidateList = candidateList
    }

    /// The settings of a policy.
    public init(_ config: PolicyConfig) {
        self.init(targetFPIR: config.targetFPIR, defaultThreshold: config.defaultThreshold,
                  maximumThreshold: config.maximumThreshold, candidateList: config.candidateList)
    }

    enum CodingKeys: String, CodingKey {
        case targetFPIR = "target_fpir"
        case defaultThreshold = "default_threshold"
        case maximumThreshold = "maximum_threshold"
        case candidateList = "candidate_list"
    }
}

/// A searcher at a job's operating threshold: it searches with the policy's candidate list
/// (``Policy/CandidateList``) and marks each candidate `within_threshold`; results made with it
/// record the threshold and its source (``ProbeSearcher/operatingThreshold``).
///
/// On a threshold list the search is limited to the threshold it is given (the operating one); on
/// a ranked list it returns the `max_candidates` nearest subjects whatever their distance, and
/// those beyond the threshold are marked `within_threshold: false`.
public struct OperatingSearcher: ProbeSearcher {
    public let base: any ProbeSearcher
    public let operating: OperatingThreshold

    public init(base: any ProbeSearcher, operating: OperatingThreshold) {
        self.base = base
        self.operating = operating
    }

    public var galleryVersion: Int64 { base.galleryVersion }
    public var modelIDs: [String: String] { base.modelIDs }
    public var calibration: CalibrationStatus { base.calibration }
    public var scanPrecision: String? { base.scanPrecision }
    public var operatingThreshold: OperatingThreshold? { operating }

    public func releaseKeptMemory() { base.releaseKeptMemory() }

    /// The distance the search is limited to for a list at `threshold`.
    func limit(_ threshold: Double) -> Double {
        operating.candidateList == .ranked ? .infinity : threshold
    }

    public func search(imageBytes: [UInt8], maxCandidates: Int, threshold: Double) throws -> [FaceResult] {
        Self.mark(try base.search(imageBytes: imageBytes, maxCandidates: maxCandidates, threshold: limit(threshold)),
                  threshold: threshold)
    }

    public func searchBatch(_ images: [[UInt8]], maxCandidates: Int, threshold: Double, workers: Int)
        -> [Result<[FaceResult], any Error>]
    {
        base.searchBatch(images, maxCandidates: maxCandidates, threshold: limit(threshold), workers: workers)
            .map { $0.map { Self.mark($0, threshold: threshold) } }
    }

    /// Each candidate marked whether its distance is within `threshold`.
    static func mark(_ faces: [FaceResult], threshold: Double) -> [FaceResult] {
        faces.map { face in
            var face = face
            for i in face.candidates.indices { face.candidates[i].withinThreshold = face.candidates[i].distance <= threshold }
            return face
        }
    }
}
