import Audit
import Basics
import Dispatch
import FaceEngine
import FaceSearch
import Foundation
import Glibc
import Imaging
import Matching
import Policy
import Results
import Reviews
import Spool
import Store
import SystemCalls

/// `frs submit --requester ID --purpose CODE [--case N] [--offense TEXT] --justification TEXT
/// [--max-candidates N] IMAGE...`
struct SubmitCommand: Subcommand {
    static let words = ["submit"]
    static let abstract = "hand probe images to the evidence store and queue a search; prints the job id"
    static let usage = """
        submit --requester ID --purpose CODE [--case N] [--offense TEXT] --justification TEXT
                 [--max-candidates N] [--probe-source SOURCE] [--probe-edit "BY: EDIT"]...
                 [--probe-dir DIR] IMAGE...
        """
    static let help = """
          --purpose CODE        \(Purpose.allCases.map(\.rawValue).joined(separator: ", ")) (MOU IV)
          --case N              the case or report number
          --offense TEXT        the offense under investigation
          --justification TEXT  why the search is needed (at least the policy's minimum length)
          --max-candidates N    longest candidate list per face, 2 to 50 (default 20)
          --probe-source S      surveillance-still, photo, social-media, booking or other
                                (sketch, composite and lookalike are refused)
          --probe-edit "BY: EDIT"  a change made to the probe before the search, and by whom (repeatable)
          --probe-dir DIR       a bulk job: every image in DIR (not hidden files or subfolders) is
                                searched, one record each in the result's .jsonl
        Before anything is queued, frs submit checks what it can: the justification's length
        against the policy's minimum (visible characters), the number of images, and that each
        image is a JPEG file. The daemon checks everything again.
        """

    /// The job file's fields but its probes, which the submission sets (``Spool/JobSubmission``).
    var request: JobRequest
    var images: [String]
    /// `--probe-dir DIR`: a folder of images for a bulk job.
    var probeDirectory: String?

    init(arguments: inout ArgumentList) throws(UsageError) {
        request = JobRequest(
            requester: try arguments.required("--requester"), purpose: try arguments.required("--purpose"),
            caseNumber: try arguments.option("--case"), offense: try arguments.option("--offense"),
            justification: try arguments.required("--justification"),
            maxCandidates: try arguments.int("--max-candidates", in: 2...50))
        if let source = try arguments.option("--probe-source") {
            // A sketch, composite or lookalike goes through: the daemon denies it, and the attempt is audited.
            guard let known = ProbeSource(rawValue: source) else {
                throw UsageError("--probe-source must be one of \(ProbeSource.accepted.map(\.rawValue).joined(separator: ", "))")
            }
            request.probeSource = known
        }
        for edit in try arguments.options("--probe-edit") {
            guard let colon = edit.firstIndex(of: ":"), !edit[..<colon].trimmingCharacters(in: .whitespaces).isEmpty,
                  !edit[edit.index(after: colon)...].trimmingCharacters(in: .whitespaces).isEmpty
            else { throw UsageError("--probe-edit must be \"BY: EDIT\", not \"\(edit)\"") }
            request.probeEdits.append(ProbeEdit(by: edit[..<colon].trimmingCharacters(in: .whitespaces),
                                                edit: edit[edit.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        probeDirectory = try arguments.option("--probe-dir")
        images = try arguments.positionals()
    }

    func validate() throws(UsageError) {
        guard !images.isEmpty || probeDirectory != nil else { throw UsageError("no probe image (or --probe-dir) given") }
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let layout = SpoolLayout(root: context.spool)
        let files = try JobSubmission.probeFiles(images: images, probeDirectory: probeDirectory)
        let problems = Self.problems(request, files: files, bulk: probeDirectory != nil, policy: PublishedPolicy.current(layout))
        guard problems.isEmpty else {
            problems.forEach { context.err("frs: \(safe: $0)") }
            context.err("frs: nothing was queued")
            return 1
        }
        let id = try JobSubmission(layout: layout).submit(request, images: images, probeDirectory: probeDirectory)
        context.out(id)
        let submitted = SubmittedJobs(layout: layout)
        do {
            try submitted.note(id)  // nothing without a home of this account's own
        } catch {
            context.err("frs: queued, but the job could not be noted in \(submitted.file ?? "") for frs status to list it "
                        + "before a daemon takes it (\(error)); frs status \(id) still finds it")
        }
        return 0
    }
}

extension SubmitCommand {
    /// What the daemon would deny a submission for that can be seen before it is queued, each in
    /// a sentence with its reason code: a justification shorter than the policy's minimum (when the
    /// policy is known: ``Spool/PublishedPolicy``), too many images, an image that is not a JPEG file.
    static func problems(_ request: JobRequest, files: [String], bulk: Bool, policy: PublishedPolicy?) -> [String] {
        var problems: [String] = []
        if let minimum = policy?.minimumJustificationLength {
            let length = PolicyText.visibleLength(request.justification)
            if length < minimum {
                problems.append("the justification has \(length) visible characters; the policy asks for at least \(minimum) "
                                + "(\(ReasonCode.purposeJustificationTooShort.rawValue)): say what the search is for and why it is needed")
            }
        }
        if files.isEmpty { problems.append("no image to search (the folder holds no plain files)") }
        if let policy {
            let limit = bulk ? policy.maxProbesPerDirectory : policy.maxProbesPerJob
            if files.count > limit {
                problems.append("\(files.count) images; the policy allows \(limit) \(bulk ? "in a bulk folder" : "per job") "
                                + "(\(ReasonCode.inputTooManyProbes.rawValue))\(bulk ? "" : ": use --probe-dir for a bulk job")")
            }
        }
        var notJPEG = 0
        for file in files {
            let head: [UInt8]
            do {
                head = try FileDescriptor.withOpenFile(file, flags: O_RDONLY) { try $0.readPrefix(16) }
            } catch {
                problems.append("\(file): cannot be read: \((error as? SystemCallError)?.message ?? "\(error)")")
                continue
            }
            if let why = JPEGDecoder.notJPEGReason(head) {
                notJPEG += 1
                if notJPEG <= 20 {
                    problems.append("\(file): \(why) (\(ReasonCode.inputProbeNotImage.rawValue)): frs searches JPEG photos; "
                                    + "save it as a JPEG and submit again")
                }
            }
        }
        if notJPEG > 20 { problems.append("… and \(notJPEG - 20) more files that are not JPEG") }
        return problems
    }
}

/// How `frs daemon` gets its face search (FaceEngine + Matching over the spool's gallery).
enum DaemonSearcher {
    /// Makes the searcher for a daemon run: the models directory resolved to an absolute path,
    /// each model file's SHA-256 checked before it is loaded, and recorded in every result.
    /// The matcher scans `precision` panels (float16 unless `frs daemon --scan f32`).
    /// - Throws: when the face search cannot be set up (``ModelFileError``: a model missing or
    ///   not the expected file; the gallery unreadable).
    static func make(_ context: CommandContext, precision: ScanPrecision = .float16) throws -> any ProbeSearcher {
        let layout = SpoolLayout(root: context.spool)
        let (models, analyzer) = try ModelFiles.verifiedAnalyzer(in: context.models)
        return try FaceSearcher(analyzer: analyzer,
                                databasePath: layout.database, cacheDirectory: layout.state + "/cache", models: models,
                                maxProbeCPUSeconds: try layout.loadPolicy().maxProbeCPUSeconds,
                                precision: precision)
    }
}

/// `frs daemon [--workers N] [--once]`
struct DaemonCommand: Subcommand {
    static let words = ["daemon"]
    static let abstract = "claim and process queued jobs with a pool of workers"
    static let usage = "daemon [--workers N] [--once] [--scan f16|f32] [--verbose]"
    static let help = """
          --workers N   worker threads (default: the number of cores)
          --once        process what is queued (and what a dead daemon left), then exit
          --scan P      the gallery copy searches scan: f16 (default: half the memory, re-ranked
                        exactly from the float32 rows) or f32; candidates are the same, and each
                        result records it as scan_precision
          --verbose     log each step
        SIGTERM or SIGINT: stop claiming, finish the jobs in flight, exit 0.
        """

    var workers: Int?
    var once: Bool
    var verbose: Bool
    var precision: ScanPrecision

    init(arguments: inout ArgumentList) throws(UsageError) {
        workers = try arguments.int("--workers", in: 1...256)
        once = arguments.flag("--once")
        verbose = arguments.flag("--verbose")
        let scan = try arguments.option("--scan") ?? ScanPrecision.float16.rawValue
        guard let precision = ScanPrecision(rawValue: scan) else {
            throw UsageError("--scan must be f16 or f32, not '\(scan)'")
        }
        self.precision = precision
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let layout = SpoolLayout(root: context.spool)
        guard FileStatus.exists(layout.database) else {
            context.err("frs: \(layout.root) is not an initialized spool; run 'frs init' first")
            return 1
        }
        // Claims, the SQLite WAL and flock are safe only on one host's local filesystem.
        for (path, _) in layout.directories where FileStatus.exists(path) {
            try FileSystemKind.requireLocal(path, what: "spool directory")
        }
        // What this account must write, named with the fix, before anything else fails on it.
        let problems = SpoolReadiness.check(layout)
        for problem in problems where problem.fatal { context.err("frs: \(problem)") }
        guard !problems.contains(where: \.fatal) else { return 1 }
        // Fail closed before claiming anything: a log cut behind its head anchor is not continued.
        try AuditLog(directory: layout.audit).checkHead()
        AuditLog.announcesHeadsToSyslog.store(true, ordering: .relaxed)
        let policy = try layout.loadPolicy()
        let searcher = try DaemonSearcher.make(context, precision: precision)
        var configuration = SpoolDaemon.Configuration(once: once)
        if let workers { configuration.workers = workers }
        let daemon = SpoolDaemon(layout: layout, searcher: searcher, gate: PolicyGate(config: policy),
                                 configuration: configuration, logger: Logger(level: verbose ? .debug : .info),
                                 administer: AdministrativeRequests.runner(spool: context.spool, models: context.models),
                                 feed: BookingFeed.runner(spool: context.spool, models: context.models))
        let summary = try daemon.run(stoppingOn: [SIGTERM, SIGINT])
        if once { context.out("processed \(summary.processed); failed attempts \(summary.failedAttempts)") }
        return 0
    }
}

/// `frs status [JOB] [--format text|json]`
///
/// Two views. The daemon's account (and root, and administrators who can read `state/`) sees the
/// queues and the ledger. Everyone else sees what the status board (`outbox/jobs/<AGENCY>/`) shows
/// their account, which the kernel enforces by the agency's group: their own jobs, and for an
/// examiner or supervisor any job of their agency; supervisors also see the jobs held for approval.
struct StatusCommand: Subcommand {
    static let words = ["status"]
    static let abstract = "your jobs (or, for the daemon's account, the spool's queues), or where one job is and how it ended"
    static let usage = "status [JOB] [--format text|json]\n       frs status --queue"
    static let help = """
          --queue   what waits for you: for an examiner, the leads of your agency's jobs (not your
                    own) you have not reviewed; for a supervisor, the held jobs to approve or reject
                    and the disputed leads to resolve
        Without a job: your jobs (queued ones as soon as frs submit queued them, a bulk job's
        progress while it runs, "interrupted, will resume" when no daemon holds it) and the
        daemon's answers to your requests.
        """

    var job: String?
    var json: Bool
    /// `--queue`: what waits for this person.
    var queue: Bool

    init(arguments: inout ArgumentList) throws(UsageError) {
        queue = arguments.flag("--queue")
        let format = try arguments.option("--format") ?? "text"
        guard format == "text" || format == "json" else { throw UsageError("--format is text or json, not \"\(format)\"") }
        json = format == "json"
        let rest = try arguments.positionals()
        guard rest.count <= 1 else { throw UsageError("status takes at most one job id") }
        job = rest.first
    }

    func validate() throws(UsageError) {
        if let job, job.isEmpty || job.contains("/") || job.hasPrefix(".") {
            throw UsageError("\"\(job)\" is not a job id")
        }
        if queue, job != nil || json { throw UsageError("--queue takes no job id and prints text") }
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let layout = SpoolLayout(root: context.spool)
        let privileged = FileStatus.isAccessible(layout.state, R_OK | X_OK) && FileStatus.isAccessible(layout.database, R_OK)
        if !privileged, let problem = directoryAccessProblem(layout.statusBoard, what: "outbox/jobs/") {
            context.err("frs: \(problem)")
            return 1
        }
        if queue { return workQueue(context, layout) }
        if privileged && !json { return try queueStatus(context, layout) }
        return try boardStatus(context, layout)
    }

    // MARK: - A person's view: the status board

    /// What the board shows this account: its own records, and for examiners and supervisors of an
    /// agency (by the board's staff list) the agency's.
    func boardStatus(_ context: CommandContext, _ layout: SpoolLayout) throws -> Int32 {
        let board = layout.board
        let me = getuid()
        var visible: [JobStatusRecord] = []
        var held: [JobStatusRecord] = []
        for agency in (try? board.agencies()) ?? [] {
            guard FileStatus.isAccessible(board.directory(agency: agency), R_OK | X_OK) else { continue }
            let staff = (try? board.readStaff(agency: agency)) ?? []
            let roles = Set(staff.filter { $0.uid == me && $0.status == "active" }.map(\.role))
            let agencyWide = me == 0 || !roles.isDisjoint(with: ["examiner", "supervisor"])
            let listing = (try? board.records(agency: agency)) ?? StatusBoard.Listing()
            let records = listing.records
            for (name, reason) in listing.unreadable {
                if let job, name != "\(job).json" { continue }
                context.err("frs: the status board record outbox/jobs/\(agency)/\(name) could not be read: \(reason); "
                            + "the daemon writes a job's record again whenever the job changes; if it stays unreadable, "
                            + "ask the administrator to look at it")
            }
            if let job {
                if let record = records.first(where: { $0.job == job }), record.uid == me || agencyWide {
                    visible.append(record)
                }
            } else {
                visible += records.filter { $0.uid == me }
                if roles.contains("supervisor") || me == 0 { held += records.filter { $0.state == .held && $0.uid != me } }
            }
        }
        // The daemon's answers to this account's requests (about JOB, when one is asked for).
        let answers = layout.answers.answers(uid: me).filter { job == nil || $0.job == job }
        if let job, visible.isEmpty {
            // Not yet seen by a daemon: a job file of this account still in the drop box.
            if let status = try? FileStatus.of(layout.jobFile(job, in: layout.incoming)), status.owner == me {
                context.out(json ? "{\"job\":\"\(job)\",\"state\":\"queued\"}" : "job \(job)\n  state: queued (waiting for a daemon)")
                return 0
            }
            if !answers.isEmpty, !json {
                // A request about a job this account cannot see (another agency's): its answer.
                context.out("job \(safe: job) (not visible to this account)")
                answers.forEach { context.out("  " + Self.answerLine($0)) }
                return 0
            }
            context.err("frs: no job \(job) visible to this account: your own jobs, and for examiners and supervisors "
                        + "their agency's, are shown once a daemon has received them")
            return 1
        }
        // Submitted but not yet on the board: this account's job files still in the drop box.
        var queued: [String] = []
        if job == nil {
            let onBoard = Set(visible.map(\.job))
            let now = Date()
            SubmittedJobs(layout: layout).prune { id, submitted in
                if onBoard.contains(id) { return false }
                if let status = try? FileStatus.of(layout.jobFile(id, in: layout.incoming)), status.owner == me {
                    queued.append(id)
                    return true
                }
                return now.timeIntervalSince(submitted) < SubmittedJobs.keptAfterClaim
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let value: [JobStatusRecord] = job == nil ? visible + held : visible
            context.out(String(decoding: try encoder.encode(job == nil ? value : [visible[0]]), as: UTF8.self))
            return 0
        }
        if job == nil {
            context.out(visible.isEmpty && queued.isEmpty ? "no jobs of this account (uid \(me)) on the status board" : "your jobs:")
            for id in queued { context.out("  \(safe: id)  queued (waiting for a daemon)") }
        }
        for record in visible + held {
            let lines = Self.lines(record)
            if job == nil {
                context.out("  \(safe: record.job)  \(Self.stateText(record))\(record.decision.map { " \(safe: $0)" } ?? "")"
                            + (record.uid == me ? "" : "  (\(safe: record.requester): awaiting approval)")
                            + (record.uid == me ? record.hold?.decision.map { "  (\(safe: $0) by \(safe: record.hold?.approver ?? "?"))" } ?? "" : ""))
            } else {
                lines.forEach(context.out)
            }
        }
        if !answers.isEmpty {
            let shown = job == nil ? Array(answers.suffix(Self.answersListed)) : answers
            context.out(job == nil ? "your requests, answered by the daemon:" : "  your requests about it:")
            if shown.count < answers.count {
                context.out("  (\(answers.count - shown.count) older answers: frs status JOB shows a job's)")
            }
            shown.forEach { context.out((job == nil ? "  " : "    ") + Self.answerLine($0)) }
        }
        return 0
    }

    /// How many answers `frs status` lists (the newest).
    static let answersListed = 20

    /// An answer in `frs status`: when, what, about which job, and the answer.
    static func answerLine(_ answer: RequestAnswer) -> String {
        "\(safe: answer.answered)  \(safe: answer.kind)\(answer.job.map { " of \(safe: $0)" } ?? "") (\(safe: answer.request)): "
            + Commands.answerLine(answer)
    }

    /// A record's state in words: "running" only while a live daemon holds the job's claim (an
    /// `flock` on the claimed file, seen in `/proc/locks`); a running job no daemon holds was
    /// interrupted (a daemon killed or stopped) and is taken up again when a daemon starts.
    static func stateText(_ record: JobStatusRecord) -> String {
        guard record.state == .running, let claim = record.claim, claim.isHeld == false else { return record.state.rawValue }
        return "interrupted, will resume (no daemon holds it now; a daemon takes it up again when one runs)"
    }

    /// A record in words.
    static func lines(_ record: JobStatusRecord) -> [String] {
        var lines = ["job \(safe: record.job)",
                     "  requester: \(safe: record.requester) (uid \(record.uid), agency \(safe: record.agency))"]
        if let purpose = record.purpose { lines.append("  purpose: \(safe: purpose)\(record.caseNumber.map { ", case \(safe: $0)" } ?? "")") }
        lines.append("  state: \(stateText(record))\(record.state == .held ? " (awaiting a supervisor: frs approve|reject)" : "")")
        if record.state == .running, let progress = record.progress { lines.append("  progress: \(safe: progress.sentence)") }
        if let hold = record.hold {
            if record.state == .held {
                // What the supervisor decides on.
                if let offense = hold.offense { lines.append("  offense: \(safe: offense)") }
                if let justification = hold.justification { lines.append("  justification: \(safe: justification)") }
                lines.append("  watch terms matched: \(safe: hold.watchTerms.joined(separator: ", "))")
                lines.append("  probes: \(hold.probes)\(hold.probeDir.map { " and the folder \(safe: $0)" } ?? "")")
            }
            if let decision = hold.decision {
                lines.append("  held (watch terms: \(safe: hold.watchTerms.joined(separator: ", "))); \(safe: decision) by \(safe: hold.approver ?? "?")"
                             + (hold.note.map { ": \(safe: $0)" } ?? ""))
            }
        }
        if let decision = record.decision { lines.append("  decision: \(safe: decision)") }
        if !record.reasons.isEmpty { lines.append("  reasons: \(safe: record.reasons.joined(separator: ", "))") }
        if let candidates = record.candidates { lines.append("  candidates: \(candidates)") }
        lines += boardLeadLines(record)  // ReviewCommands.swift
        if let result = record.result { lines.append("  result: \(safe: result)") }
        if let sheet = record.sheet { lines.append("  sheet: \(safe: sheet)") }
        lines.append("  updated: \(record.updated)")
        return lines
    }

    // MARK: - The daemon's view: queues and ledger

    func queueStatus(_ context: CommandContext, _ layout: SpoolLayout) throws -> Int32 {
        let queues = [("incoming", layout.incoming), ("active", layout.active), ("held", layout.held),
                      ("done", layout.done), ("failed", layout.failed)]
        guard let job else {
            for (name, path) in queues {
                guard let entries = try? Directory.entries(path) else {
                    context.out("\(name): \(directoryAccessProblem(path, what: name + "/") ?? "not readable")")
                    continue
                }
                let jobs = entries.filter { $0.hasSuffix(".json") }
                context.out("\(name): \(jobs.count)")
                if name == "held" {
                    // What waits for a supervisor: frs approve|reject JOB.
                    for job in jobs { context.out("  \(job.dropLast(5))") }
                }
            }
            return 0
        }
        let places = queues.filter { FileStatus.exists(layout.jobFile(job, in: $0.1)) }.map(\.0)
        var found = !places.isEmpty
        context.out("job \(job)")
        if !places.isEmpty { context.out("  in: \(places.joined(separator: ", "))") }
        if let figures = try? DurableFile.read(layout.bulkStatus(for: job)) {
            context.out("  bulk progress: \(String(decoding: figures, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        if let database = try? Database(path: layout.database), let entry = try? JobLedger(database: database).entry(job) {
            found = true
            context.out("  state: \(entry.state.rawValue); attempts: \(entry.attempts)")
            if let decision = entry.decision { context.out("  decision: \(safe: decision)") }
            if let approval = entry.approval { context.out("  \(safe: approval) by \(safe: entry.approver ?? "?")") }
            if let error = entry.lastError { context.out("  last error: \(safe: error)") }
            reviewStatusLines(layout, job: job, database: database).forEach(context.out)  // ReviewCommands.swift
        }
        if let result = try? layout.resultFiles.result(job) {
            found = true
            context.out("  result: \(layout.resultFile(job))")
            if !result.reasons.isEmpty { context.out("  reasons: \(result.reasons.map(\.rawValue).joined(separator: ", "))") }
            context.out("  candidates: \(try layout.resultFiles.candidateCount(of: result))")
            if FileStatus.exists(layout.sheetFile(job)) { context.out("  sheet: \(layout.sheetFile(job))") }
        }
        if !found {
            context.err("frs: no job \(job) in this spool")
            return 1
        }
        return 0
    }
}

/// Shared by `frs approve` and `frs reject`: hand a decision request to the daemon, unless what
/// this account can see refuses it at once (``RequestChecks/decision(_:)``).
/// - Returns: the exit status (``handOver(_:_:what:refusal:wait:)``).
func dropDecision(_ context: CommandContext, job: String, supervisor: String, approve: Bool, note: String?,
                  wait: Double?) throws -> Int32 {
    let request = ApprovalRequest(job: job, supervisor: supervisor, decision: approve ? .approve : .reject, note: note)
    let checks = RequestChecks(layout: SpoolLayout(root: context.spool))
    return try handOver(context, request, what: "\(approve ? "approval" : "rejection") of \(job)",
                        refusal: checks.decision(request), wait: wait)
}

/// Checks a job id given on the command line.
func validateJobID(_ job: String) throws(UsageError) {
    guard !job.isEmpty, !job.contains("/"), !job.hasPrefix(".") else { throw UsageError("\"\(job)\" is not a job id") }
}

/// `frs approve JOB --supervisor ID [--note TEXT]`
struct ApproveCommand: Subcommand {
    static let words = ["approve"]
    static let abstract = "approve a held job (a supervisor of the requester's agency, from their own account)"
    static let usage = "approve JOB --supervisor ID [--note TEXT] [--wait SECONDS]"
    static let help = answerHelp

    var job: String
    var supervisor: String
    var note: String?
    /// `--wait SECONDS`: wait for the daemon's answer.
    var wait: Double?

    init(arguments: inout ArgumentList) throws(UsageError) {
        wait = try waitOption(&arguments)
        supervisor = try arguments.required("--supervisor")
        note = try arguments.option("--note")
        job = try single(&arguments, "job id")
    }

    func validate() throws(UsageError) { try validateJobID(job) }

    func run(_ context: CommandContext) throws -> Int32 {
        try dropDecision(context, job: job, supervisor: supervisor, approve: true, note: note, wait: wait)
    }
}

/// `frs reject JOB --supervisor ID --note TEXT`
struct RejectCommand: Subcommand {
    static let words = ["reject"]
    static let abstract = "reject a held job; it is denied with supervisor.rejected"
    static let usage = "reject JOB --supervisor ID --note TEXT [--wait SECONDS]"
    static let help = answerHelp

    var job: String
    var supervisor: String
    var note: String
    /// `--wait SECONDS`: wait for the daemon's answer.
    var wait: Double?

    init(arguments: inout ArgumentList) throws(UsageError) {
        wait = try waitOption(&arguments)
        supervisor = try arguments.required("--supervisor")
        note = try arguments.required("--note")
        job = try single(&arguments, "job id")
    }

    func validate() throws(UsageError) { try validateJobID(job) }

    func run(_ context: CommandContext) throws -> Int32 {
        try dropDecision(context, job: job, supervisor: supervisor, approve: false, note: note, wait: wait)
    }
}
