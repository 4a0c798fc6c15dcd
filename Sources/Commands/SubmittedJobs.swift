import Foundation
import Glibc
import Spool
import SystemCalls

/// The jobs this account handed to a spool that no daemon has put on the status board yet, so that
/// `frs status` lists them right after `frs submit`.
///
/// The drop box cannot be listed (`incoming/` is 1733), and nothing in the spool is both writable
/// by the submitter and safe from other accounts, so `frs submit` notes each job id in the
/// account's own state directory (one it owns): `$XDG_STATE_HOME/frs/` (default `~/.local/state/frs/`), file
/// `submitted-<device>-<inode of the spool>` (0600), one `<job> <unix time>` a line. The note is only
/// a hint: `frs status` shows a job as queued only when `incoming/<job>.json` exists and is owned by
/// this account (a name another account dropped is theirs, not ours), and drops the id once the
/// board shows the job, or a day after the file left the drop box without a board record.
struct SubmittedJobs {
    /// The file, or `nil` when this account has no usable home.
    let file: String?

    /// How long an id that left the drop box without a board record is kept (a daemon between
    /// claim and board, or a job whose requester could not be established).
    static let keptAfterClaim: TimeInterval = 86_400

    /// - Parameter uid: the account whose note it is: a `HOME` (or `XDG_STATE_HOME`) another account
    ///   owns is not this account's (a `sudo` or `setpriv` that kept the caller's environment), and
    ///   then there is no note (``file`` is `nil`).
    init(layout: SpoolLayout, environment: [String: String] = ProcessInfo.processInfo.environment, uid: UInt32 = getuid()) {
        func own(_ path: String?) -> String? {
            guard let path, path.hasPrefix("/"), (try? FileStatus.of(path).owner) == uid else { return nil }
            return path
        }
        let base = own(environment["XDG_STATE_HOME"]) ?? own(environment["HOME"]).map { $0 + "/.local/state" }
        guard let base, let spool = try? FileStatus.of(layout.root) else {
            file = nil
            return
        }
        file = "\(base)/frs/submitted-\(spool.device)-\(spool.inode)"
    }

    /// The ids noted, with when.
    func entries() -> [(job: String, submitted: Date)] {
        guard let file, let bytes = try? DurableFile.read(file, limit: 4 << 20) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 2, let time = TimeInterval(parts[1]) else { return nil }
            return (String(parts[0]), Date(timeIntervalSince1970: time))
        }
    }

    /// Notes a submitted job.
    /// - Throws: ``SystemCallError`` when the state directory or file cannot be written.
    func note(_ job: String, now: Date = Date()) throws {
        try write(entries() + [(job, now)])
    }

    /// Keeps only the ids `keep` says to.
    func prune(_ keep: (String, Date) -> Bool) {
        let all = entries()
        let kept = all.filter { keep($0.job, $0.submitted) }
        if kept.count != all.count { try? write(kept) }
    }

    private func write(_ entries: [(job: String, submitted: Date)]) throws {
        guard let file else { return }
        let directory = String(file[..<file.lastIndex(of: "/")!])
        // Made as needed, 0700; existing folders (the home's own) are left as they are.
        var path = ""
        for part in directory.split(separator: "/") {
            path += "/" + part
            if !FileStatus.exists(path) { try Directory.create(path, mode: 0o700) }
        }
        let text = entries.map { "\($0.job) \(Int($0.submitted.timeIntervalSince1970))\n" }.joined()
        try DurableFile.write(Array(text.utf8), to: file, via: directory, mode: 0o600)
    }
}
