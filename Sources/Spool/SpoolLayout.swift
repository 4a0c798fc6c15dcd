import Glibc
import Policy
import Results
import SystemCalls
import Sheets

/// The directories of a spool and their modes, as Postfix's queue directories.
///
/// ```
/// root/            0711  anyone may pass through to the drop boxes, no one else may list
///   tmp/           1733  drop box: files are written here first (sticky: only the owner may rename)
///   incoming/      1733  drop box: queued jobs and requests, renamed in from tmp/
///   active/        0700  claimed by a daemon (one rename from incoming/)
///   held/          0700  awaiting a supervisor's approval
///   done/          0700  finished jobs (completed or denied)
///   failed/        0700  quarantine: could not be processed, with a `.reason` file beside each
///   evidence/      0700  probe images, by job
///   outbox/        0711  anyone may pass through; no one else may list
///     results/     0711  one result file per job, each 0640 in its agency's group (unlistable)
///     audit/       2750  the hash-chained audit log, one file a day, group: the auditors (`frs init
///                        --auditors-group`); setgid, so each day file is the auditors' group's too
///     jobs/        0755  the status board: what each account may know of its jobs (agency codes only)
///       <AGENCY>/  2750  in the agency's group: one status record per job, and the agency's staff
///     answers/     0711  the answers to drop-box requests (``RequestAnswers``)
///       <uid>/     0700  + ACL user:<uid>:r-x — that account's answers, readable by it alone
///   state/         0700  the SQLite database, lock files, the policy file
///     bulk/        0700  records of bulk jobs in progress (resumed after a crash)
///     held/        0700  private copies of held jobs' files, judged and run on approval
/// ```
/// Every state change of a job is one `rename(2)` between these directories, all on one
/// filesystem, so a job file is in exactly one of them at any instant.
public struct SpoolLayout: Sendable, Equatable {
    /// The spool directory.
    public let root: String

    public init(root: String) {
        var trimmed = root
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.root = trimmed
    }

    public var tmp: String { root + "/tmp" }
    public var incoming: String { root + "/incoming" }
    public var active: String { root + "/active" }
    public var held: String { root + "/held" }
    public var done: String { root + "/done" }
    public var failed: String { root + "/failed" }
    public var evidence: String { root + "/evidence" }
    public var outbox: String { root + "/outbox" }
    public var results: String { root + "/outbox/results" }
    public var audit: String { root + "/outbox/audit" }
    /// The status board's directory (`outbox/jobs/`), see ``StatusBoard``.
    public var statusBoard: String { root + "/outbox/jobs" }
    /// The status board.
    public var board: StatusBoard { StatusBoard(root: statusBoard, temporaryDirectory: tmp) }
    /// Where the daemon answers drop-box requests (`outbox/answers/`).
    public var answersDirectory: String { root + "/outbox/answers" }
    /// The answers to drop-box requests, by the account that dropped them.
    public var answers: RequestAnswers { RequestAnswers(root: answersDirectory, temporaryDirectory: tmp) }
    public var state: String { root + "/state" }

    /// The registry and job ledger.
    public var database: String { state + "/frs.sqlite" }
    /// The policy in force (optional JSON, see ``Policy/PolicyConfig``); the defaults apply without it.
    public var policyFile: String { state + "/policy.json" }
    /// Held shared while a claimant renames a job into `active/` and locks it, exclusively while
    /// a daemon looks for jobs a dead daemon left in `active/`.
    public var claimLock: String { state + "/claim.lock" }

    /// Every directory with its mode, parents first.
    public var directories: [(path: String, mode: mode_t)] {
        [
            (root, 0o711),
            (tmp, 0o1733), (incoming, 0o1733),
            (active, 0o700), (held, 0o700), (done, 0o700), (failed, 0o700),
            (evidence, 0o700),
            (outbox, 0o711), (results, 0o711), (audit, 0o2750), (statusBoard, 0o755),
            (answersDirectory, 0o711),
            (state, 0o700), (bulkProgress, 0o700), (heldCopies, 0o700),
        ]
    }

    /// Creates every directory with its mode; existing ones get their mode set again (idempotent).
    /// - Throws: ``SystemCallError``.
    public func create() throws(SystemCallError) {
        for (path, mode) in directories {
            try Directory.create(path, mode: mode)
        }
    }

    /// The policy in force: `state/policy.json` if present, else the defaults.
    /// - Throws: ``Policy/PolicyConfigError`` for a bad file, ``SystemCallError`` if unreadable.
    public func loadPolicy() throws -> PolicyConfig {
        guard FileStatus.exists(policyFile) else { return .default }
        return try PolicyConfig.load(jsonBytes: try DurableFile.read(policyFile, limit: 1 << 20))
    }

    /// The job file of `job` in a state directory.
    public func jobFile(_ job: String, in directory: String) -> String { "\(directory)/\(job).json" }
    /// The outbox's results directory and the files in it.
    public var resultFiles: ResultFiles { ResultFiles(directory: results) }
    /// The result file of `job`.
    public func resultFile(_ job: String) -> String { resultFiles.resultFile(job) }
    /// The per-probe result lines of a bulk job.
    public func resultLines(_ job: String) -> String { resultFiles.resultLines(job) }
    /// The examiner's sheet of `job`.
    public func sheetFile(_ job: String) -> String { resultFiles.sheetFile(job) }
    /// Where a job's probe images are kept.
    public func evidence(for job: String) -> String { "\(evidence)/\(job)" }
    /// The images a submitter without access to the evidence store left beside the job.
    public func dropFolder(for job: String) -> String { "\(incoming)/\(job).d" }
    /// Where bulk jobs keep their records while they run (`state/bulk/`).
    public var bulkProgress: String { state + "/bulk" }
    /// A bulk job's records so far.
    public func bulkProgress(for job: String) -> String { "\(bulkProgress)/\(job).jsonl" }
    /// A running bulk job's progress figures (done, total, rate, ETA), for `frs status JOB`.
    public func bulkStatus(for job: String) -> String { "\(bulkProgress)/\(job).status" }
    /// Private copies of held jobs' files (`state/held/`).
    public var heldCopies: String { state + "/held" }
    /// The pictures a job's sheet takes from its probes, kept between renders (`state/sheets/`).
    public var sheetPictures: SheetPictureCache { SheetPictureCache(directory: state + "/sheets") }
    /// The private copy of a held job's file, taken when it was held.
    public func heldCopy(for job: String) -> String { "\(heldCopies)/\(job).json" }
    /// The reason a job was quarantined, beside its job file in `failed/`.
    public func failureReason(_ job: String) -> String { "\(failed)/\(job).json.reason" }
}
