import Audit
import Foundation
import Hashing
import Policy
import Results
import Store

/// Everything a court or defence counsel needs to see about one search (`frs disclose`): the
/// request and who made it, the models and threshold, every probe with its quality and
/// provenance, every candidate, every disposition, resolution and outcome, and the job's audit
/// records exactly as logged — each with its `seq`, `prev` and `hash`, so they can be checked
/// against the chain — with the chain's head when the packet was made.
///
/// Gathered by ``init(job:results:database:auditDirectory:jobFile:peerReview:now:)``, given its
/// pictures (``images``, by `frs disclose`), encoded as JSON (``encoded()``) and rendered as HTML by
/// the Sheets module (`DisclosureSheet`): everything a reader needs is in the two files, with no
/// reference to the server's paths or tools.
public struct DisclosurePacket: Encodable, Sendable {
    /// The packet's format version.
    public var version = 1
    public var job: String
    /// When the packet was made (UTC, ISO 8601).
    public var generated: String
    /// The investigative-lead statement.
    public var statement: String
    /// The request as the job file said it (when the job file could be read).
    public var request: Request?
    /// The requester as registered.
    public var requester: Person?
    /// The result: decision, reasons, models, threshold, probes (with faces, quality and
    /// candidates), provenance.
    public var result: JobResult
    /// Each probe record (a bulk job's lines included).
    public var probes: [ProbeRecord]
    /// Every lead with every review, the resolution and the outcomes.
    public var leads: [Lead]
    /// The job's audit records and the chain's head.
    public var audit: Audit
    /// The pictures, embedded (base64 JPEG): each probe with its faces' boxes, each face, each
    /// candidate's gallery face; set by whoever can read the evidence and the gallery
    /// (`frs disclose`), `nil` until then.
    public var images: Images?

    /// The pictures of a packet, so it stands on its own away from the server.
    public struct Images: Encodable, Sendable {
        public var probes: [ProbeImage]
        public var faces: [FaceImage]
        public var gallery: [GalleryImage]

        public init(probes: [ProbeImage], faces: [FaceImage], gallery: [GalleryImage]) {
            self.probes = probes
            self.faces = faces
            self.gallery = gallery
        }

        /// The whole probe image (scaled down to fit 960 pixels), as searched.
        public struct ProbeImage: Encodable, Sendable {
            /// The probe as the job named it.
            public var probe: String
            /// SHA-256 of the file searched (the result's), and of the file read for the picture.
            public var sha256: String?
            /// The original size, in the pixels the face boxes are given in.
            public var width: Int
            public var height: Int
            public var jpegBase64: String

            public init(probe: String, sha256: String?, width: Int, height: Int, jpeg: [UInt8]) {
                self.probe = probe
                self.sha256 = sha256
                self.width = width
                self.height = height
                jpegBase64 = Data(jpeg).base64EncodedString()
            }

            enum CodingKeys: String, CodingKey {
                case probe, sha256, width, height
                case jpegBase64 = "jpeg_base64"
            }
        }

        /// One probe face (numbered over the job), cropped with a margin.
        public struct FaceImage: Encodable, Sendable {
            public var face: Int
            public var jpegBase64: String

            public init(face: Int, jpeg: [UInt8]) {
                self.face = face
                jpegBase64 = Data(jpeg).base64EncodedString()
            }

            enum CodingKeys: String, CodingKey {
                case face
                case jpegBase64 = "jpeg_base64"
            }
        }

        /// A candidate's gallery face as enrolled, with what is known of the photo.
        public struct GalleryImage: Encodable, Sendable {
            /// The gallery image as the result names it (the key the candidates use).
            public var image: String
            public var subject: String
            /// SHA-256 of the enrolled file (checked against the file read for the crop).
            public var sha256: String?
            public var source: String?
            public var captured: String?
            /// `nil` when the file could not be read or no longer matches its enrolled SHA-256.
            public var jpegBase64: String?

            public init(image: String, subject: String, sha256: String?, source: String?, captured: String?, jpeg: [UInt8]?) {
                self.image = image
                self.subject = subject
                self.sha256 = sha256
                self.source = source
                self.captured = captured
                jpegBase64 = jpeg.map { Data($0).base64EncodedString() }
            }

            enum CodingKeys: String, CodingKey {
                case image, subject, sha256, source, captured
                case jpegBase64 = "jpeg_base64"
            }
        }
    }

    /// The request as the job file said it: the job's fields (``Policy/JobRequest``, written as
    /// ``Policy/JobRequest/Layout/disclosure``) and `job_file_sha256`.
    public struct Request: Encodable, Sendable, Equatable {
        /// The job file, parsed.
        public var job: JobRequest
        /// SHA-256 of the job file's bytes.
        public var jobFileSHA256: String

        public init(job: JobRequest, jobFileSHA256: String) {
            self.job = job
            self.jobFileSHA256 = jobFileSHA256
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: JobRequest.FieldKey.self)
            try job.encodeFields(into: &container, layout: .disclosure)
            try container.encode(jobFileSHA256, forKey: JobRequest.FieldKey("job_file_sha256"))
        }
    }

    /// A registered person.
    public struct Person: Encodable, Sendable {
        public var id: String
        public var name: String
        public var agency: String
        public var role: String
        public var uid: UInt32
        public var status: String
        public var vetted: String?
        public var trained: String?
    }

    /// One lead, in full (nothing is withheld in a disclosure).
    public struct Lead: Encodable, Sendable {
        public var face: Int
        public var candidate: String
        public var rank: Int?
        public var state: String
        public var reviews: [Entry]
        public var resolution: Entry?
        public var outcomes: [Outcome]
    }

    /// A disposition: an examiner's review or a supervisor's resolution.
    public struct Entry: Encodable, Sendable {
        public var by: String
        public var uid: UInt32?
        public var disposition: String
        public var time: String
        public var note: String?
        /// Present (true) for an examiner's earlier review that their later one replaced.
        public var superseded: Bool?
    }

    /// An outcome recorded on a lead.
    public struct Outcome: Encodable, Sendable {
        public var action: String
        public var by: String
        public var uid: UInt32?
        public var time: String
        public var corroboration: String?
    }

    /// The job's audit records and where the chain stood.
    public struct Audit: Encodable, Sendable {
        /// The job's records, oldest first.
        public var records: [Record]
        /// The last record of the whole log when the packet was made.
        public var head: Head?
        /// Whether `frs audit verify` found the whole chain intact when the packet was made.
        public var chainIntact: Bool
        /// The first problem found when it was not.
        public var chainProblem: String?

        enum CodingKeys: String, CodingKey {
            case records, head
            case chainIntact = "chain_intact"
            case chainProblem = "chain_problem"
        }
    }

    /// One audit record: its main fields and its exact canonical line (what `hash` covers:
    /// `hash = SHA-256(prev + "\n" + line without its hash member)`).
    public struct Record: Encodable, Sendable {
        public var seq: Int
        public var time: String
        public var event: String
        public var actor: String
        public var outcome: String?
        public var reasons: [String]
        public var details: [String: String]
        public var prev: String
        public var hash: String
        /// The record as logged.
        public var line: String
    }

    /// The chain's last record.
    public struct Head: Encodable, Sendable {
        public var seq: Int
        public var time: String
        public var hash: String
    }

    enum CodingKeys: String, CodingKey {
        case version, job, generated, statement, request, requester, result, probes, leads, audit, images
    }

    /// Gathers the packet of `job`.
    /// - Parameters:
    ///   - results: the outbox's results directory.
    ///   - database: the spool's database (registry, reviews, resolutions, outcomes).
    ///   - auditDirectory: `outbox/audit/`.
    ///   - jobFile: the job file's bytes, when it can be read (`done/<job>.json`).
    ///   - peerReview: the policy's `peer_review`, for the leads' states.
    ///   - now: the packet's time.
    /// - Throws: ``DisclosureError`` when the job has no result; database, audit and decoding errors.
    public init(job: String, results: ResultFiles, database: Database, auditDirectory: String, jobFile: [UInt8]?,
                peerReview: Bool, now: Date) throws {
        guard let result = try results.result(job) else { throw DisclosureError(job: job, message: "no result") }
        self.job = job
        generated = now.formatted(.iso8601)
        statement = result.statement
        self.result = result
        probes = try results.probes(of: result)
        if let jobFile, case .success(let parsed) = JobRequest.parse(jobFile) {
            request = Request(job: parsed, jobFileSHA256: SHA256.hex(jobFile))
        }
        requester = try result.requester.flatMap { try Registry(database: database).user($0) }.map {
            Person(id: $0.id, name: $0.name, agency: $0.agency, role: $0.role, uid: $0.uid, status: $0.status,
                   vetted: $0.vetted, trained: $0.trained)
        }
        leads = try Leads(results: results, database: database, peerReview: peerReview)
            .leads(job: job, faces: ResultFaces(probes))
            .map { lead in
                Lead(face: lead.face, candidate: lead.candidate, rank: lead.rank, state: lead.status.rawValue,
                     reviews: lead.reviews.map {
                         Entry(by: $0.examiner, uid: $0.examinerUID, disposition: $0.disposition.rawValue, time: $0.recorded,
                               note: $0.note, superseded: lead.inForce.contains($0) ? nil : true)
                     },
                     resolution: lead.resolution.map {
                         Entry(by: $0.supervisor, uid: $0.supervisorUID, disposition: $0.disposition.rawValue, time: $0.recorded, note: $0.note)
                     },
                     outcomes: lead.outcomes.map {
                         Outcome(action: $0.action.rawValue, by: $0.recordedBy, uid: $0.recorderUID, time: $0.recorded,
                                 corroboration: $0.corroboration)
                     })
            }
        let all = try AuditReader(directory: auditDirectory).records()
        let verification = AuditVerifier.verify(directory: auditDirectory)
        audit = Audit(
            records: all.filter { $0.event.job == job }.map { record in
                Record(seq: record.seq, time: record.time, event: record.event.event, actor: record.event.actor,
                       outcome: record.event.outcome, reasons: record.event.reasons, details: record.event.details,
                       prev: record.prev, hash: record.hash, line: String(decoding: record.canonicalLine, as: UTF8.self))
            },
            head: all.last.map { Head(seq: $0.seq, time: $0.time, hash: $0.hash) },
            chainIntact: verification.isIntact, chainProblem: verification.failure?.description)
    }

    /// The packet as pretty-printed JSON (sorted keys), ending with a newline.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0a]
    }
}

/// A disclosure packet cannot be made.
public struct DisclosureError: Error, Sendable, CustomStringConvertible {
    public var job: String
    public var message: String
    public var description: String { "job \(job): \(message)" }
}
