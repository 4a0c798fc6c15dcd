import Foundation
import Results
import Spool
import SystemCalls

/// Removes what a spool keeps past its retention period: for each finished job whose result is
/// older than the cutoff, its result files (`<job>.json`, `.jsonl`, `.html`), its evidence folder,
/// and its job file in `done/` or `failed/` (with the reason beside it); and the daemon's answers
/// to drop-box requests (`outbox/answers/<uid>/`) given before the cutoff.
///
/// A job's age is the `created` time in its result (when it finished), or the result file's
/// modification time if the result cannot be read. Jobs without a result (queued, active, held)
/// are never touched, nor is any evidence that belongs to no finished job. The audit log
/// (`outbox/audit/`) is never touched: this type does not look into it.
public struct RetentionPurge: Sendable {
    public let layout: SpoolLayout

    public init(layout: SpoolLayout) { self.layout = layout }

    /// What a purge removed.
    public struct Report: Sendable, Equatable {
        /// The jobs whose files were removed, sorted.
        public var jobs: [String] = []
        /// Files removed (a folder counts its files).
        public var files = 0
        /// Bytes removed.
        public var bytes: Int64 = 0
        /// Answers to drop-box requests removed (counted in ``files`` and ``bytes`` too).
        public var answers = 0
    }

    /// Removes the files of every job finished before `cutoff`.
    /// - Parameter cutoff: jobs whose results were made before this instant are purged.
    /// - Returns: what was removed.
    /// - Throws: ``SystemCallError`` when a directory cannot be listed or a file cannot be removed.
    /// - Complexity: O(result files + files removed).
    public func purge(before cutoff: Date) throws -> Report {
        var report = Report()
        let names = try Directory.entries(layout.results)
        for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let job = String(name.dropLast(5))
            guard let finished = finishTime(job), finished < cutoff else { continue }
            var paths = [layout.resultLines(job), layout.sheetFile(job), layout.sheetPictures.file(job: job)]
            for directory in [layout.done, layout.failed] {
                paths.append(layout.jobFile(job, in: directory))
                paths.append(directory + "/" + job + ".json.reason")
                paths.append(layout.failureReason(job))
            }
            for path in paths { try remove(path, into: &report) }
            try removeTree(layout.evidence(for: job), into: &report)
            // The result goes last: a purge interrupted before this point is finished by the next one.
            try remove(layout.resultFile(job), into: &report)
            report.jobs.append(job)
        }
        try purgeAnswers(before: cutoff, into: &report)
        return report
    }

    /// Removes the answers given before `cutoff`, in every account's folder of answers (the folders
    /// stay: each keeps its owner and access entry for the next answer).
    func purgeAnswers(before cutoff: Date, into report: inout Report) throws {
        let answers = layout.answers
        guard FileStatus.exists(answers.root) else { return }
        for folder in try Directory.entries(answers.root) {
            guard let uid = UInt32(folder), let names = try? Directory.entries(answers.directory(uid: uid)) else { continue }
            for name in names where name.hasSuffix(".json") && !name.hasPrefix(".") {
                let request = String(name.dropLast(5))
                let path = answers.file(request: request, uid: uid)
                guard let given = answerTime(answers.answer(request: request, uid: uid), path: path), given < cutoff
                else { continue }
                let before = report.files
                try remove(path, into: &report)
                report.answers += report.files - before
            }
        }
    }

    /// When an answer was given: its `answered` time, or its file's modification time if unreadable.
    func answerTime(_ answer: RequestAnswer?, path: String) -> Date? {
        if let answered = answer?.answered, let date = try? Date(answered, strategy: .iso8601) { return date }
        return (try? FileStatus.of(path)).map { Date(timeIntervalSince1970: TimeInterval($0.modificationTime)) }
    }

    /// When `job` finished, from its result.
    func finishTime(_ job: String) -> Date? {
        let path = layout.resultFile(job)
        if let bytes = try? DurableFile.read(path, limit: 64 << 20), let result = try? JobResult.decode(bytes),
           let created = try? Date(result.created, strategy: .iso8601) {
            return created
        }
        return (try? FileStatus.of(path)).map { Date(timeIntervalSince1970: TimeInterval($0.modificationTime)) }
    }

    /// Removes one file if it exists (never following a symlink), counting it.
    func remove(_ path: String, into report: inout Report) throws {
        guard let status = try? FileStatus.of(path), !status.isDirectory else { return }
        try DurableFile.remove(path)
        report.files += 1
        report.bytes += status.size
    }

    /// Removes a folder and everything in it (symlinks are removed, never followed), counting the files.
    func removeTree(_ path: String, into report: inout Report) throws {
        guard let status = try? FileStatus.of(path) else { return }
        guard status.isDirectory else { return try remove(path, into: &report) }
        for name in try Directory.entries(path) where name != "." && name != ".." {
            try removeTree(path + "/" + name, into: &report)
        }
        try Directory.removeEmpty(path)
    }
}
