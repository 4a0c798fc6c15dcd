import Audit
import Glibc
import SystemCalls

/// What a daemon must be able to write before it takes a job, checked at start so a spool that
/// someone else's command left unwritable stops the daemon at once with the cause and the fix,
/// not at the first job's audit record.
public enum SpoolReadiness {
    /// One thing the daemon cannot do.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// Whether the daemon cannot run at all (`false`: a view, such as one agency's status board, suffers).
        public var fatal: Bool
        public var description: String
    }

    /// Checks, as this process, every directory and file of the spool the daemon writes.
    /// - Returns: what is wrong; empty when the daemon can run.
    public static func check(_ layout: SpoolLayout) -> [Problem] {
        let me = getuid()
        let groups = Accounts.processGroups()
        var problems: [Problem] = []
        func describe(_ path: String) -> String {
            guard let status = try? FileStatus.of(path) else { return "missing" }
            return "owner uid \(status.owner), group \(status.group), mode \(String(status.permissions, radix: 8))"
        }
        let repair = "run 'frs init --daemon-user \(me)' as root, which gives the spool back to the service account "
            + "(it keeps every result's agency group)"
        let directories = [layout.tmp, layout.incoming, layout.active, layout.held, layout.done, layout.failed,
                           layout.evidence, layout.results, layout.audit, layout.statusBoard, layout.answersDirectory,
                           layout.state, layout.bulkProgress, layout.heldCopies]
        for directory in directories where !FileStatus.isAccessible(directory, W_OK | X_OK) {
            problems.append(Problem(fatal: true, description: """
                \(directory)/ cannot be written by this account (uid \(me)): \(describe(directory)); \(repair)
                """))
        }
        let files = [layout.database, layout.database + "-wal", layout.database + "-shm", layout.claimLock,
                     layout.state + "/sheet.lock", AuditLog.anchorPath(forDirectory: layout.audit), layout.audit + "/.lock"]
        for file in files where FileStatus.exists(file) && !FileStatus.isAccessible(file, R_OK | W_OK) {
            problems.append(Problem(fatal: true, description: """
                \(file) cannot be read and written by this account (uid \(me)): \(describe(file)); \(repair)
                """))
        }
        for agency in (try? Directory.entries(layout.statusBoard)) ?? [] where !agency.hasPrefix(".") {
            let board = layout.board.directory(agency: agency)
            guard let status = try? FileStatus.of(board), status.isDirectory else { continue }
            if !FileStatus.isAccessible(board, W_OK | X_OK) {
                problems.append(Problem(fatal: false, description: """
                    \(board)/ cannot be written by this account (uid \(me)): \(describe(board)); agency \(agency)'s \
                    status records wait until it can (they are published at the next start); \(repair)
                    """))
            } else if me != 0, !groups.contains(status.group) {
                problems.append(Problem(fatal: false, description: """
                    \(board)/ is in group \(status.group), which this account (uid \(me)) is not a member of: agency \
                    \(agency)'s results and status records cannot be given to its staff; add the daemon's account to \
                    the group (usermod -aG) and restart the daemon (the records missed are published then)
                    """))
            }
        }
        return problems
    }
}
