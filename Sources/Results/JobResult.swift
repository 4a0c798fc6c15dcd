import Audit
import Foundation
import Policy

/// How a job ended; each job ends exactly one way, with one result file and one final audit record.
public enum JobOutcome: String, Codable, Sendable, CaseIterable {
    /// The search ran; candidates (if any) are in the result.
    case completed
    /// The policy refused the request; the result lists every reason.
    case denied
    /// The job could not be processed (repeated faults); it is quarantined in `failed/`.
    case failed

    /// The final audit event: `job.completed`, `job.denied` or `job.failed`.
    public var auditEvent: String { auditEventName.rawValue }

    /// The final audit record's event.
    public var auditEventName: AuditEventName {
        switch self {
        case .completed: .jobCompleted
        case .denied: .jobDenied
        case .failed: .jobFailed
        }
    }
}

/// The result file `outbox/results/<job>.json`.
///
/// Written for every job, whatever its outcome. Candidates are investigative leads only; the
/// ``statement`` says so in every result.
public struct JobResult: Codable, Sendable, Equatable {
    /// The statement every result carries (the council's report: leads, not identifications).
    public static let leadStatement = "Investigative lead only — not a positive identification. "
        + "Candidates are possible matches ranked by similarity; a trained examiner must review them, "
        + "and no action may be taken on a candidate without independent corroboration."

    public var job: String
    public var decision: JobOutcome
    /// Reason codes; empty for a completed job.
    public var reasons: [ReasonCode]
    /// Human-readable detail for the reasons (which field, which probe).
    public var messages: [String]
    public var requester: String?
    public var purpose: String?
    public var caseNumber: String?
    public var offense: String?
    /// The gallery version searched; absent when no search ran.
    public var galleryVersion: Int64?
    /// The models used, by role; absent when no search ran.
    public var models: [String: String]?
    /// Which copy of the gallery the matcher scanned (`"f16"`, `"f32"`; the candidates are the
    /// same either way); absent when no search ran.
    public var scanPrecision: String?
    /// The gallery calibration the candidates' `estimated_fpir` come from; absent when none.
    public var calibration: CalibrationReference?
    /// The operating threshold the search ran at (``OperatingThreshold``).
    public var threshold: Double?
    /// Where ``threshold`` came from, in words: the calibration for the policy's target FPIR
    /// (capped or not), "policy default, uncalibrated", or the job's stricter request.
    public var thresholdSource: String?
    /// The policy's target FPIR when the search ran.
    public var targetFPIR: Double?
    /// The calibration's FPIR at ``threshold`` and its one-sided 95 % upper bound; absent uncalibrated.
    public var thresholdEstimatedFPIR: Double?
    public var thresholdEstimatedFPIRUpper95: Double?
    /// What the candidate lists hold: `"threshold"` (within the threshold) or `"ranked"` (the
    /// `max_candidates` nearest subjects, each marked `within_threshold`).
    public var candidateList: CandidateList?
    public var maxCandidates: Int?
    public var statement: String
    /// Per probe image; for a bulk job these are in `<job>.jsonl` and this is empty.
    public var probes: [ProbeRecord]
    /// For a bulk job: how many probe records `<job>.jsonl` holds.
    public var probeCount: Int?
    /// When the result was made (UTC, ISO 8601).
    public var created: String
    /// Where the probes came from, as the job said (`probe_source`); absent when it did not say.
    public var probeSource: ProbeSource?
    /// Changes made to the probes before the search (`probe_edits`); absent when none.
    public var probeEdits: [ProbeEdit]?
    /// A supervisor's decision, when the policy held the job (a watch term matched).
    public var approval: SupervisorApproval?

    public init(
        job: String, decision: JobOutcome, reasons: [ReasonCode] = [], messages: [String] = [],
        requester: String? = nil, purpose: String? = nil, caseNumber: String? = nil, offense: String? = nil,
        galleryVersion: Int64? = nil, models: [String: String]? = nil, threshold: Double? = nil,
        maxCandidates: Int? = nil, probes: [ProbeRecord] = [], probeCount: Int? = nil, created: Date,
        probeSource: ProbeSource? = nil, probeEdits: [ProbeEdit]? = nil
    ) {
        self.job = job
        self.decision = decision
        self.reasons = reasons
        self.messages = messages
        self.requester = requester
        self.purpose = purpose
        self.caseNumber = caseNumber
        self.offense = offense
        self.galleryVersion = galleryVersion
        self.models = models
        self.threshold = threshold
        self.maxCandidates = maxCandidates
        self.statement = Self.leadStatement
        self.probes = probes
        self.probeCount = probeCount
        self.created = created.formatted(.iso8601)
        self.probeSource = probeSource
        self.probeEdits = probeEdits.flatMap { $0.isEmpty ? nil : $0 }
    }

    enum CodingKeys: String, CodingKey {
        case job, decision, reasons, messages, requester, purpose
        case caseNumber = "case_number"
        case offense
        case galleryVersion = "gallery_version"
        case models, threshold
        case thresholdSource = "threshold_source"
        case targetFPIR = "target_fpir"
        case thresholdEstimatedFPIR = "threshold_estimated_fpir"
        case thresholdEstimatedFPIRUpper95 = "threshold_estimated_fpir_upper95"
        case candidateList = "candidate_list"
        case scanPrecision = "scan_precision"
        case maxCandidates = "max_candidates"
        case statement, probes
        case calibration
        case probeCount = "probe_count"
        case created
        case probeSource = "probe_source"
        case probeEdits = "probe_edits"
        case approval
    }

    /// Records the operating threshold a search ran at: the threshold, its source, the target,
    /// the FPIR there, the candidate list, and its messages.
    public mutating func record(_ operating: OperatingThreshold) {
        threshold = operating.threshold
        thresholdSource = operating.source
        targetFPIR = operating.targetFPIR
        thresholdEstimatedFPIR = operating.estimatedFPIR.map { ($0 * 1e8).rounded() / 1e8 }
        thresholdEstimatedFPIRUpper95 = operating.estimatedFPIRUpper95.map { ($0 * 1e8).rounded() / 1e8 }
        candidateList = operating.candidateList
        messages += operating.messages
    }

    /// All candidates returned, over every probe and face (for the audit record).
    public var candidateCount: Int {
        probes.reduce(0) { $0 + $1.faces.reduce(0) { $0 + $1.candidates.count } }
    }

    /// The result as pretty-printed JSON (stable key order), ending with a newline.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0a]
    }

    /// Reads a result file's bytes.
    public static func decode(_ bytes: [UInt8]) throws -> JobResult {
        try JSONDecoder().decode(JobResult.self, from: Data(bytes))
    }
}

/// One probe image's part of a result.
public struct ProbeRecord: Codable, Sendable, Equatable {
    /// The probe path as the job named it.
    public var image: String
    /// SHA-256 of the image bytes searched (hex).
    public var sha256: String?
    /// The faces found.
    public var faces: [FaceResult]
    /// For a bulk job's probe that could not be searched: the reason code.
    public var error: String?

    public init(image: String, sha256: String?, faces: [FaceResult], error: String? = nil) {
        self.image = image
        self.sha256 = sha256
        self.faces = faces
        self.error = error
    }

    /// One compact JSON line (for `<job>.jsonl`), without the newline.
    public func encodedLine() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }

    /// Decodes one line written by ``encodedLine()``.
    public static func decodeLine(_ bytes: [UInt8]) throws -> ProbeRecord {
        try JSONDecoder().decode(ProbeRecord.self, from: Data(bytes))
    }
}

extension JobResult {
    /// The probes' provenance for the final audit record's details: `probe_source`, and
    /// `probe_edits` as `by: edit` entries joined with `"; "` (empty when the job said nothing).
    public var provenanceDetails: [String: String] {
        var details: [String: String] = [:]
        details["probe_source"] = probeSource?.rawValue
        if let edits = probeEdits, !edits.isEmpty {
            details["probe_edits"] = edits.map { "\($0.by): \($0.edit)" }.joined(separator: "; ")
        }
        return details
    }
}

/// What a supervisor decided on a job the policy held for them: the watch terms that held it, the
/// decision, who made it and their note. In the result, on the status board and on the sheet, so
/// that whoever reads a result of a held job knows it was held and on whose word it ran (or not).
public struct SupervisorApproval: Codable, Sendable, Equatable {
    /// `approved` or `rejected`.
    public var decision: String
    /// The supervisor's user id.
    public var approver: String
    public var note: String?
    /// The watch terms of the policy the request matched.
    public var watchTerms: [String]

    public init(decision: String, approver: String, note: String?, watchTerms: [String]) {
        self.decision = decision
        self.approver = approver
        self.note = note
        self.watchTerms = watchTerms
    }

    enum CodingKeys: String, CodingKey {
        // Not "decision": the result's own key, which simple readers look for first.
        case decision = "supervisor_decision"
        case approver, note
        case watchTerms = "watch_terms"
    }

    /// In a sentence: "held (watch terms: protest); approved by sroe: note".
    public var sentence: String {
        "held for a supervisor (watch terms: \(watchTerms.isEmpty ? "—" : watchTerms.joined(separator: ", "))); "
            + "\(decision) by \(approver)" + (note.map { ": \($0)" } ?? "")
    }
}
