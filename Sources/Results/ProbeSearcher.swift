import Synchronization
import Policy

/// The face search behind the spool: detect the faces in one probe image and find each face's
/// nearest gallery candidates.
///
/// The spool knows nothing of how faces are found or matched; the real implementation (on top
/// of FaceEngine and Matching) is supplied by whoever starts the daemon. Implementations must
/// be safe to call from several workers at once.
public protocol ProbeSearcher: Sendable {
    /// The gallery's version (it changes with every enroll or removal), recorded in each result.
    var galleryVersion: Int64 { get }
    /// The models used, by role: `["detector": "mmod_human_face_detector", "descriptor": ...]`.
    var modelIDs: [String: String] { get }
    /// Which copy of the gallery the matcher scans (`"f32"`, `"f16"`), recorded in each result as
    /// `scan_precision`; nil (the default) when the searcher does not say.
    var scanPrecision: String? { get }
    /// The gallery calibration the candidates' `estimated_fpir` come from, and warnings for the
    /// result (a default says nothing: see ``CalibrationStatus``).
    var calibration: CalibrationStatus { get }
    /// The operating threshold a job's search runs at and where it came from, for the result
    /// (``OperatingSearcher``); `nil` for a plain searcher.
    var operatingThreshold: OperatingThreshold? { get }

    /// Searches one probe image.
    ///
    /// - Parameters:
    ///   - imageBytes: the image file's bytes (JPEG or another format the engine reads).
    ///   - maxCandidates: the longest candidate list per face.
    ///   - threshold: only candidates at a distance of at most this are returned; `.infinity` for
    ///     the nearest subjects whatever their distance (a ranked list, ``OperatingSearcher``).
    /// - Returns: every face found, each with its quality and candidates (best first).
    /// - Throws: ``ProbeImageError`` when the bytes are not a usable image (the job is denied
    ///   with the matching reason); any other error fails the attempt, which is retried.
    func search(imageBytes: [UInt8], maxCandidates: Int, threshold: Double) throws -> [FaceResult]

    /// Searches many probe images at once (a bulk job's batch); one result per image, in order.
    /// A default that runs ``search(imageBytes:maxCandidates:threshold:)`` in parallel is provided.
    func searchBatch(_ images: [[UInt8]], maxCandidates: Int, threshold: Double, workers: Int)
        -> [Result<[FaceResult], any Error>]

    /// Frees what the searcher keeps between probes to save work (not its models or gallery):
    /// called by a daemon worker that found nothing to do. Nothing, by default.
    func releaseKeptMemory()
}

extension ProbeSearcher {
    public var scanPrecision: String? { nil }
    public func releaseKeptMemory() {}
}

/// Why a probe's bytes cannot be searched: these are the requester's input errors, not faults of
/// the daemon, so they deny the job rather than retry it.
public enum ProbeImageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes are not an image the engine can decode (`input.probe-not-image`).
    case notImage(String)
    /// The image is larger than the engine accepts (`input.probe-too-large`).
    case tooLarge(String)
    /// The JPEG has more scans than the decoder accepts (`input.probe-too-many-scans`).
    case tooManyScans(String)
    /// Decoding would take more work than the decoder accepts (`input.probe-decode-work`).
    case tooMuchDecodeWork(String)
    /// The probe took more processor time than the policy allows (`input.probe-cpu-budget`).
    case overBudget(String)

    /// The reason code for the denial.
    public var reason: ReasonCode {
        switch self {
        case .notImage: .inputProbeNotImage
        case .tooLarge: .inputProbeTooLarge
        case .tooManyScans: .inputProbeTooManyScans
        case .tooMuchDecodeWork: .inputProbeDecodeWork
        case .overBudget: .inputProbeCPUBudget
        }
    }

    /// What is wrong, in words (the result's reason message, after the probe's name).
    public var description: String {
        switch self {
        case .notImage(let m), .tooLarge(let m), .tooManyScans(let m), .tooMuchDecodeWork(let m), .overBudget(let m): m
        }
    }
}

/// One face found in a probe image, with its candidates.
public struct FaceResult: Codable, Sendable, Equatable {
    /// The face's rectangle `[left, top, right, bottom]` in the original image's pixels (dlib's
    /// inclusive-corner convention).
    public var box: [Int]
    /// The five landmarks, each `[x, y]`.
    public var landmarks: [[Int]]
    /// Whether the face was good enough to search, and why not.
    public var quality: Quality
    /// Gallery candidates, best (smallest distance) first: those within the threshold, or on a
    /// ranked list the nearest subjects (``Candidate/withinThreshold``); empty for a face that was
    /// not searched.
    public var candidates: [Candidate]

    public init(box: [Int], landmarks: [[Int]], quality: Quality, candidates: [Candidate]) {
        self.box = box
        self.landmarks = landmarks
        self.quality = quality
        self.candidates = candidates
    }

    /// A face's fitness for search.
    public struct Quality: Codable, Sendable, Equatable {
        /// True when the face was searched.
        public var ok: Bool
        /// Reason codes when it was not (e.g. too small, too blurred, too turned).
        public var reasons: [String]

        public init(ok: Bool, reasons: [String] = []) {
            self.ok = ok
            self.reasons = reasons
        }
    }

    /// A gallery face close to the probe face: an investigative lead, never an identification.
    public struct Candidate: Codable, Sendable, Equatable {
        /// 1 for the closest.
        public var rank: Int
        /// The gallery subject id.
        public var subject: String
        /// The gallery image the face came from.
        public var image: String
        /// Euclidean descriptor distance.
        public var distance: Double
        /// From the newest gallery calibration: the fraction of searches of someone not in the
        /// gallery that return a stranger at this distance or closer (FPIR at this distance);
        /// absent without a calibration or beyond its curve.
        public var estimatedFPIR: Double?
        /// The one-sided 95 % upper confidence bound on ``estimatedFPIR`` (Clopper–Pearson on the
        /// calibration's count at the first grid threshold at or beyond the distance; the rule of
        /// three when that count is 0): a rate of 0 measured on 30 searches may still be 1 in 10.
        public var estimatedFPIRUpper95: Double?
        /// Whether the distance is within the job's operating threshold: always true on a
        /// threshold list; on a ranked list (policy `candidate_list: "ranked"`) false for the
        /// nearest subjects beyond it. Absent in results made before ranked lists.
        public var withinThreshold: Bool?

        public init(rank: Int, subject: String, image: String, distance: Double, estimatedFPIR: Double? = nil,
                    estimatedFPIRUpper95: Double? = nil, withinThreshold: Bool? = nil) {
            self.rank = rank
            self.subject = subject
            self.image = image
            self.distance = distance
            self.estimatedFPIR = estimatedFPIR
            self.estimatedFPIRUpper95 = estimatedFPIRUpper95
            self.withinThreshold = withinThreshold
        }

        enum CodingKeys: String, CodingKey {
            case rank, subject, image, distance
            case estimatedFPIR = "estimated_fpir"
            case estimatedFPIRUpper95 = "estimated_fpir_upper95"
            case withinThreshold = "within_threshold"
        }
    }
}

/// The processor time a job's probes have taken so far, across every thread that searched them
/// (the policy's `max_job_cpu_seconds` is checked against it between probes and batches).
///
/// The job sets it for the duration of its searches (``run(_:)``); a searcher adds each probe's
/// processor time as measured on the thread that analysed it (`ProcessorBudget.used`), capturing
/// ``current`` before it hands probes to other threads.
public final class JobCPUAccount: Sendable {
    private let seconds = Mutex<Double>(0)

    public init() {}

    /// The account in force on this thread (set by ``run(_:)``), if any.
    @TaskLocal public static var current: JobCPUAccount?

    /// Adds a probe's processor time.
    public func add(_ used: Double) { seconds.withLock { $0 += max(0, used) } }

    /// The processor seconds spent so far.
    public var spent: Double { seconds.withLock { $0 } }

    /// Runs `body` with this account in force on the calling thread.
    public func run<T>(_ body: () throws -> T) rethrows -> T {
        try Self.$current.withValue(self) { try body() }
    }
}
