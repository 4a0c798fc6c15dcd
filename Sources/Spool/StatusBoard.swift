import Foundation
import Glibc
import Reviews
import SystemCalls

/// The status board (`outbox/jobs/`): what people may know of their jobs without reading the
/// daemon's queues or database, kept by the daemon and guarded by the kernel.
///
/// ```
/// outbox/jobs/           0755  daemon's; anyone may list the agency codes
///   <AGENCY>/            2750  group: the agency's Unix group (setgid: every record is the group's)
///     <job>.json         0640  one record per job of a requester of that agency (``JobStatusRecord``)
///     .staff.json        0640  the agency's registered staff (uid, user id, role, status)
/// ```
/// Board files of the daemon's own start with a dot, which no job id does (``JobID/isValid(_:)``),
/// so no job can take their names: a job named `staff` has the record `staff.json` and leaves the
/// staff list alone. (Boards written before kept the list in `staff.json`; it is read there only
/// when `.staff.json` is missing, and removed when the list is published again.)
/// Only members of an agency's group (its staff, the daemon's account) can list or read its
/// board; another agency's staff get "permission denied" and cannot tell what exists. `frs status`
/// shows an analyst the records of their own uid, and an examiner or supervisor (by `staff.json`)
/// every record of their agency. A job whose requester could not be established (an unregistered
/// account, a forged name) has no record: its result and audit records say what happened.
public struct StatusBoard: Sendable {
    /// `outbox/jobs/`.
    public let root: String
    /// Where files are built before they are renamed into place (same filesystem).
    public let temporaryDirectory: String

    public init(root: String, temporaryDirectory: String) {
        self.root = root
        self.temporaryDirectory = temporaryDirectory
    }

    /// The board of one agency.
    public func directory(agency: String) -> String { "\(root)/\(agency)" }
    /// A job's record.
    public func record(job: String, agency: String) -> String { "\(directory(agency: agency))/\(job).json" }
    /// An agency's staff list: a name no job record can have.
    public func staff(agency: String) -> String { "\(directory(agency: agency))/\(Self.staffFile)" }
    /// The staff list's file name (a leading dot: never a job id).
    public static let staffFile = ".staff.json"
    /// Where boards written before kept the staff list (a name a job `staff` could take).
    static let legacyStaffFile = "staff.json"

    /// Creates (or re-moulds) an agency's board: mode 2750 in `group`.
    /// - Throws: ``SystemCallError``: `EPERM` when this account may not give it to `group` (it is
    ///   not a member, and not root).
    public func prepare(agency: String, group: UInt32?) throws(SystemCallError) {
        let path = directory(agency: agency)
        try Directory.create(path, mode: 0o2750)
        if let group, try FileStatus.of(path).group != group {
            try Accounts.changeOwner(path, uid: nil, gid: group)
            try FileStatus.setPermissions(of: path, to: 0o2750)  // chown clears setgid
        }
    }

    /// Writes a job's record (replacing the previous one) into its agency's board.
    /// - Throws: ``SystemCallError``, `EncodingError`.
    public func publish(_ record: JobStatusRecord, group: UInt32?) throws {
        try prepare(agency: record.agency, group: group)
        try DurableFile.write(try Self.encode(record), to: self.record(job: record.job, agency: record.agency),
                              via: temporaryDirectory, mode: 0o640, group: group)
    }

    /// Writes an agency's staff list.
    public func publishStaff(_ staff: [StaffEntry], agency: String, group: UInt32?) throws {
        try prepare(agency: agency, group: group)
        try DurableFile.write(try Self.encode(staff), to: self.staff(agency: agency), via: temporaryDirectory,
                              mode: 0o640, group: group)
        // A staff list left by an older version under a job record's name goes; a job's record stays.
        let legacy = directory(agency: agency) + "/" + Self.legacyStaffFile
        if FileStatus.exists(legacy), (try? Self.decodeStaff(legacy)) != nil {
            try DurableFile.remove(legacy)
        }
    }

    /// A job's record, if this account can read one.
    /// - Throws: ``SystemCallError`` other than "no such file" (e.g. `EACCES`), `DecodingError`.
    public func read(job: String, agency: String) throws -> JobStatusRecord? {
        let path = record(job: job, agency: agency)
        guard FileStatus.exists(path) else { return nil }
        return try JSONDecoder().decode(JobStatusRecord.self, from: Data(try DurableFile.read(path, limit: 1 << 20)))
    }

    /// An agency's staff list (from an older board's `staff.json` when `.staff.json` is missing,
    /// if that file is a staff list and not a job's record).
    public func readStaff(agency: String) throws -> [StaffEntry] {
        let path = staff(agency: agency)
        let legacy = directory(agency: agency) + "/" + Self.legacyStaffFile
        if !FileStatus.exists(path), FileStatus.exists(legacy), let old = try? Self.decodeStaff(legacy) { return old }
        return try Self.decodeStaff(path)
    }

    static func decodeStaff(_ path: String) throws -> [StaffEntry] {
        try JSONDecoder().decode([StaffEntry].self, from: Data(try DurableFile.read(path, limit: 16 << 20)))
    }

    /// What an agency's board holds: the records this account could read, and the files it could
    /// not (named, with the reason), so that a damaged record is reported rather than passed over.
    public struct Listing: Sendable {
        public var records: [JobStatusRecord] = []
        /// Board files that are not a readable record: file name and reason.
        public var unreadable: [(name: String, reason: String)] = []

        public init() {}
    }

    /// Every record of an agency's board (this account must be able to list it).
    /// - Throws: ``SystemCallError`` (`EACCES` for another agency's board).
    public func records(agency: String) throws -> Listing {
        let directory = directory(agency: agency)
        var listing = Listing()
        for name in try Directory.entries(directory).filter({ $0.hasSuffix(".json") && !$0.hasPrefix(".") }).sorted() {
            let path = directory + "/" + name
            // An older board's staff list: not a record (a job `staff`'s record is an object, a staff list an array).
            if name == Self.legacyStaffFile, (try? Self.decodeStaff(path)) != nil { continue }
            do {
                listing.records.append(try JSONDecoder().decode(
                    JobStatusRecord.self, from: Data(try DurableFile.read(path, limit: 1 << 20))))
            } catch let error as DecodingError {
                listing.unreadable.append((name, "not a status record (\(Self.describe(error)))"))
            } catch {
                listing.unreadable.append((name, "\(error)"))
            }
        }
        return listing
    }

    /// A decoding error in a few words.
    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context): "damaged JSON: \(context.debugDescription)"
        case .keyNotFound(let key, _): "no \"\(key.stringValue)\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            "unexpected value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        @unknown default: "\(error)"
        }
    }

    /// The agencies that have a board (the daemon's and root's view; others cannot list `outbox/jobs/`).
    public func agencies() throws -> [String] {
        try Directory.entries(root).sorted()
    }

    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value)) + [0x0a]
    }
}

/// What the status board says of one job: enough for its requester and their agency's examiners
/// and supervisors to know where it is, how it ended and where to read more.
public struct JobStatusRecord: Codable, Sendable, Equatable {
    /// Where a job is.
    public enum State: String, Codable, Sendable {
        /// Claimed by a daemon and being processed.
        case running
        /// Waiting for a supervisor's approval (`frs approve|reject`).
        case held
        /// Ended: see `decision`.
        case finished
    }

    /// A recorded examiner's disposition (the latest for a face and candidate).
    public struct Disposition: Codable, Sendable, Equatable {
        public var face: Int
        public var candidate: String
        public var examiner: String
        public var disposition: String
        public var recorded: String

        public init(face: Int, candidate: String, examiner: String, disposition: String, recorded: String) {
            self.face = face
            self.candidate = candidate
            self.examiner = examiner
            self.disposition = disposition
            self.recorded = recorded
        }
    }

    public var job: String
    public var requester: String
    /// The requester's OS account (the job file's owner).
    public var uid: UInt32
    public var agency: String
    public var purpose: String?
    public var caseNumber: String?
    public var state: State
    /// `completed`, `denied` or `failed` once finished.
    public var decision: String?
    public var reasons: [String]
    /// Candidates returned (all faces, all probes), once completed.
    public var candidates: Int?
    public var dispositions: [Disposition]
    /// The leads something was recorded on (reviews, a resolution, outcomes), with their states;
    /// a pending lead's dispositions withheld (``Reviews/LeadSummary``).
    public var leads: [LeadSummary]?
    /// The result file, once finished; the sheet, once completed.
    public var result: String?
    public var sheet: String?
    /// While running: the claimed file's device and inode, so `frs status` can tell from
    /// `/proc/locks` whether a live daemon still holds the job (its claim is an `flock` on it).
    public var claim: ClaimMark?
    /// A running bulk job's progress.
    public var progress: BulkFigures?
    /// What a supervisor decides a held job on; after the decision, the decision (the
    /// justification is shown only while the job is held).
    public var hold: HoldFacts?
    /// When this record was written (UTC, ISO 8601).
    public var updated: String

    public init(job: String, requester: String, uid: UInt32, agency: String, purpose: String?, caseNumber: String?,
                state: State, decision: String? = nil, reasons: [String] = [], candidates: Int? = nil,
                dispositions: [Disposition] = [], result: String? = nil, sheet: String? = nil, updated: Date) {
        self.job = job
        self.requester = requester
        self.uid = uid
        self.agency = agency
        self.purpose = purpose
        self.caseNumber = caseNumber
        self.state = state
        self.decision = decision
        self.reasons = reasons
        self.candidates = candidates
        self.dispositions = dispositions
        self.result = result
        self.sheet = sheet
        self.updated = updated.formatted(.iso8601)
    }

    enum CodingKeys: String, CodingKey {
        case job, requester, uid, agency, purpose
        case caseNumber = "case_number"
        case state, decision, reasons, candidates, dispositions, leads, result, sheet, hold, claim, progress, updated
    }
}

/// One registered person of an agency, as its board lists them (for `frs status`: examiners and
/// supervisors see the agency's jobs).
public struct StaffEntry: Codable, Sendable, Equatable {
    public var uid: UInt32
    public var user: String
    public var role: String
    public var status: String

    public init(uid: UInt32, user: String, role: String, status: String) {
        self.uid = uid
        self.user = user
        self.role = role
        self.status = status
    }
}

/// A held job on the status board: what the supervisor who decides it needs (requester, case and
/// purpose are the record's own), then what they decided.
public struct HoldFacts: Codable, Sendable, Equatable {
    public var offense: String?
    /// The requester's justification: present while the job is held only.
    public var justification: String?
    /// The policy's watch terms the request matched.
    public var watchTerms: [String]
    /// Probe images the job names (besides a bulk folder).
    public var probes: Int
    /// A bulk job's probe folder.
    public var probeDir: String?
    /// `approved` or `rejected`, the supervisor, their note: once decided.
    public var decision: String?
    public var approver: String?
    public var note: String?

    public init(offense: String?, justification: String?, watchTerms: [String], probes: Int, probeDir: String?,
                decision: String? = nil, approver: String? = nil, note: String? = nil) {
        self.offense = offense
        self.justification = justification
        self.watchTerms = watchTerms
        self.probes = probes
        self.probeDir = probeDir
        self.decision = decision
        self.approver = approver
        self.note = note
    }

    enum CodingKeys: String, CodingKey {
        case offense, justification
        case watchTerms = "watch_terms"
        case probes
        case probeDir = "probe_dir"
        // Not "decision": the record's own key, which simple readers look for first.
        case decision = "supervisor_decision"
        case approver, note
    }
}

/// The identity of a claimed job file in `active/` (which people cannot open): a daemon holds the
/// job while it holds an `flock` on this inode.
public struct ClaimMark: Codable, Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    /// Whether a live process holds the claim (`nil`: `/proc/locks` cannot be read).
    public var isHeld: Bool? { FileLock.isHeld(device: device, inode: inode) }
}

/// A running bulk job's progress: probes done of the total, the rate, and the time left.
public struct BulkFigures: Codable, Sendable, Equatable {
    public var done: Int
    public var total: Int
    public var ratePerMinute: Double
    public var etaSeconds: Int
    /// When the figures were taken (UTC, ISO 8601).
    public var at: String

    public init(done: Int, total: Int, ratePerMinute: Double, etaSeconds: Int, at: Date) {
        self.done = done
        self.total = total
        self.ratePerMinute = ratePerMinute
        self.etaSeconds = etaSeconds
        self.at = at.formatted(.iso8601)
    }

    enum CodingKeys: String, CodingKey {
        case done, total
        case ratePerMinute = "rate_per_minute"
        case etaSeconds = "eta_seconds"
        case at
    }

    /// "120 of 5000 probes, 40.0 a minute, about 2 h 2 min left".
    public var sentence: String {
        let minutes = (etaSeconds + 59) / 60
        let left = minutes >= 60 ? "\(minutes / 60) h \(minutes % 60) min" : "\(minutes) min"
        return "\(done) of \(total) probes, \(String(format: "%.1f", ratePerMinute)) a minute, "
            + (done >= total ? "finishing" : "about \(left) left") + " (at \(at))"
    }
}
