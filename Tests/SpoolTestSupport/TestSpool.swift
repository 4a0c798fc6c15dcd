import Administration
import TestSupport
import Audit
import Basics
import Foundation
import Spool
import Glibc
import Policy
import Results
import Reviews
import Store
import SystemCalls

/// A spool in a fresh temporary directory with one agency, an analyst (uid 1000 as root, else this
/// process's own uid), a supervisor (uid 1001) and a suspended analyst (uid 1002). Handing a file to
/// another uid (``drop(_:_:uid:)``, ``dropApproval(job:supervisor:approve:uid:)``) takes root
/// (``Privileges/isRoot``); the analyst's own files need no `chown`, so a test that drops only the
/// analyst's jobs runs as any user.
public final class TestSpool {
    public let root: String
    public let layout: SpoolLayout
    /// The tests' clock: a fixed noon, so training and termination rules do not drift.
    public static let now = TestClock.now
    public let now = TestSpool.now

    public static let analystUID: UInt32 = Privileges.isRoot ? 1000 : getuid()
    public static let supervisorUID: UInt32 = 1001
    public static let suspendedUID: UInt32 = 1002

    public init() throws {
        root = try TemporaryDirectory.make("spool-test") + "/spool"
        layout = SpoolLayout(root: root)
        let now = self.now
        try SpoolAdministration.initialize(layout: layout, uid: 0, now: now)
        let admin = try SpoolAdministration(layout: layout, uid: 0, clock: { now })
        try admin.addAgency(code: "SCPD", name: "St. Charles Police Department")
        try admin.addUser(UserRecord(id: "jdoe", name: "Jane Doe", agency: "SCPD", role: "analyst",
                                     uid: Self.analystUID, vetted: "2025-01-10", trained: "2026-01-15"))
        try admin.addUser(UserRecord(id: "sroe", name: "Sam Roe", agency: "SCPD", role: "supervisor",
                                     uid: Self.supervisorUID, vetted: "2024-01-10", trained: "2026-02-01"))
        try admin.addUser(UserRecord(id: "mpoe", name: "Max Poe", agency: "SCPD", role: "analyst",
                                     uid: Self.suspendedUID, vetted: "2024-01-10", trained: "2026-02-01"))
        try admin.setStatus(user: "mpoe", .suspended)
    }

    deinit {
        let top = DurableFile.directoryName(root)
        _ = try? FileManager.default.removeItem(atPath: top)
    }

    /// A valid job's fields for `jdoe`, as JSON text parts.
    public static func jobJSON(requester: String = "jdoe", purpose: String = "active-investigation",
                        justification: String = "Suspect photographed by the store camera during the robbery",
                        probes: [String], extra: String = "") -> String {
        let list = probes.map { "\"\($0)\"" }.joined(separator: ", ")
        return """
            {"version": 1, "requester": "\(requester)", "purpose": "\(purpose)", "case_number": "24-012345",
             "offense": "armed robbery", "justification": "\(justification)", "probes": [\(list)],
             "max_candidates": 10\(extra)}
            """
    }

    /// Puts an image into the evidence folder of `agency` (SCPD, the test agency, unless told):
    /// `evidence/<agency>/<folder>/<name>` (or `evidence/<folder>/<name>` when `folder` is the
    /// agency's own folder or `agency` is `nil`, a loose folder no job may search).
    /// - Returns: the probe path relative to the store.
    @discardableResult
    public func addEvidence(_ folder: String, _ name: String, bytes: [UInt8], agency: String? = "SCPD") throws -> String {
        var relative = folder
        if let agency, folder != agency, !folder.hasPrefix(agency + "/") { relative = agency + "/" + folder }
        var path = layout.evidence
        for component in relative.split(separator: "/") {
            path += "/" + component
            try Directory.create(path, mode: 0o700)
        }
        try DurableFile.write(bytes, to: path + "/" + name, via: path)
        return relative + "/" + name
    }

    /// Puts an image into a job's own evidence folder, `evidence/<job>/<name>`, as `frs submit`
    /// run by the daemon's account does (with the marker that makes the folder the job's).
    @discardableResult
    public func addOwnEvidence(_ job: String, _ name: String, bytes: [UInt8]) throws -> String {
        let folder = layout.evidence(for: job)
        try Directory.create(folder, mode: 0o700)
        try DurableFile.write(Array(job.utf8), to: folder + "/" + EvidenceStore.ownerMarker, via: folder)
        try DurableFile.write(bytes, to: folder + "/" + name, via: folder)
        return job + "/" + name
    }

    /// Drops a job file into `incoming/` owned by `uid`, as a submitter would (via `tmp/`).
    @discardableResult
    public func drop(_ id: String, _ text: String, uid: UInt32 = TestSpool.analystUID) throws -> String {
        let temporary = try DurableFile.writeTemporary(Array(text.utf8), in: layout.tmp, name: id, mode: 0o644)
        try Self.giveTo(uid, temporary)
        try DurableFile.rename(temporary, to: layout.jobFile(id, in: layout.incoming))
        return id
    }

    /// Drops a supervisor's approval request owned by `uid`.
    public func dropApproval(job: String, supervisor: String, approve: Bool, uid: UInt32) throws {
        let request = ApprovalRequest(job: job, supervisor: supervisor, decision: approve ? .approve : .reject,
                                      note: "reviewed")
        let name = try request.drop(via: layout.tmp, into: layout.incoming)
        let path = layout.incoming + "/" + name
        try Self.giveTo(uid, path)
    }

    /// Gives the file at `path` to `uid` (its group too), unless this process is `uid` already.
    public static func giveTo(_ uid: UInt32, _ path: String) throws {
        guard uid != getuid() else { return }
        try SystemCall.run("chown", path: path) { chown(path, uid, uid) }
    }

    /// Runs one daemon until nothing is left.
    @discardableResult
    public func drain(workers: Int = 1, searcher: any ProbeSearcher = FakeSearcher(),
               checkpoint: (@Sendable (JobProcessor.HandOff, String) throws -> Void)? = nil) throws -> SpoolDaemon.Summary {
        let now = self.now
        let daemon = SpoolDaemon(layout: layout, searcher: searcher,
                                 configuration: .init(workers: workers, once: true),
                                 logger: Logger(level: .error, sink: MemorySink()), clock: { now },
                                 checkpoint: checkpoint)
        return try daemon.run()
    }

    /// A processor for driving single steps.
    public func processor(searcher: any ProbeSearcher = FakeSearcher(),
                   checkpoint: (@Sendable (JobProcessor.HandOff, String) throws -> Void)? = nil) throws -> JobProcessor {
        let now = self.now
        return try JobProcessor(layout: layout, searcher: searcher, logger: Logger(level: .error, sink: MemorySink()),
                                clock: { now }, checkpoint: checkpoint)
    }

    public func result(_ id: String) throws -> JobResult {
        try JobResult.decode(try DurableFile.read(layout.resultFile(id)))
    }

    public func records() throws -> [AuditRecord] {
        try AuditReader(directory: layout.audit).records()
    }

    public func events(for job: String) throws -> [String] {
        try records().filter { $0.event.job == job }.map(\.event.event)
    }

    public func finalRecords(for job: String) throws -> [AuditRecord] {
        let finals = Set(JobOutcome.allCases.map(\.auditEvent))
        return try records().filter { $0.event.job == job && finals.contains($0.event.event) }
    }

    public func entries(_ directory: String) throws -> [String] {
        try Directory.entries(directory)
    }

    /// Where a job file is now: the names of the state directories holding `<id>.json`.
    public func locations(of id: String) -> [String] {
        [("incoming", layout.incoming), ("active", layout.active), ("held", layout.held), ("done", layout.done),
         ("failed", layout.failed)]
            .filter { FileStatus.exists(layout.jobFile(id, in: $0.1)) }
            .map(\.0)
    }
}
