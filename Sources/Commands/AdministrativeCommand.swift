import Foundation
import Glibc
import Spool
import SystemCalls

/// A command that administers the spool (agencies, people, the gallery, lists, disclosure).
///
/// Root and the spool's owner run it directly. Any other account cannot open the spool's database
/// (it is the service's alone): the command goes to the daemon through the drop box as an
/// administrative request (``Spool/AdminRequest``), authenticated by the file's owner, run by the
/// daemon as that uid under the command's own rules (an administrator, an agency administrator, an
/// auditor or supervisor may each do their part), and the daemon's answer — the command's output,
/// or its refusal — is printed here. `FRS_WAIT` (seconds, default 120) bounds the wait.
protocol AdministrativeCommand: Subcommand {
    /// Whether the daemon may run it for another account: `false` for a command that reads or
    /// writes files named on its command line (the daemon would do so with its own rights).
    static var runsFromDropBox: Bool { get }

    /// What the caller makes of the output of the command the daemon ran for it (the lines printed):
    /// by default the lines themselves; `frs disclose` copies the files it names into `--out`.
    func receive(_ lines: [String], context: CommandContext) throws -> [String]
}

extension AdministrativeCommand {
    static var runsFromDropBox: Bool { true }
    func receive(_ lines: [String], context: CommandContext) throws -> [String] { lines }
}

/// Handing administrative commands to the daemon, and running them there.
enum AdministrativeRequests {
    /// Whether this account must hand an administrative command to the daemon: the spool is
    /// initialized but its state (the database) is not this account's to open.
    static func needsDropBox(_ layout: SpoolLayout) -> Bool {
        getuid() != 0 && FileStatus.exists(layout.incoming) && !FileStatus.isAccessible(layout.state, W_OK | X_OK)
    }

    /// The command line without the global options the daemon must not take from anyone.
    static func forwardable(_ argv: [String]) -> [String] {
        var out: [String] = []
        var skipNext = false
        for arg in argv {
            if skipNext { skipNext = false; continue }
            if arg == "--spool" || arg == "--models" { skipNext = true; continue }
            if arg.hasPrefix("--spool=") || arg.hasPrefix("--models=") { continue }
            out.append(arg)
        }
        return out
    }

    /// Drops the command for the daemon, waits for its answer and prints it.
    /// - Returns: the exit status: the command's (0 done, 1 refused), or 1 when no answer came in time.
    static func submit(_ argv: [String], _ command: any AdministrativeCommand, context: CommandContext) throws -> Int32 {
        let words = type(of: command).words
        let layout = SpoolLayout(root: context.spool)
        let name = try AdminRequest(arguments: forwardable(argv)).drop(via: layout.tmp, into: layout.incoming)
        let seconds = Double(ProcessInfo.processInfo.environment["FRS_WAIT"] ?? "") ?? 120
        guard let answer = layout.answers.wait(request: name, uid: getuid(), seconds: seconds) else {
            context.err("""
                frs: this account cannot open the spool's database, so 'frs \(words.joined(separator: " "))' was handed \
                to the daemon as \(name); no answer came in \(Int(seconds)) s (is the daemon running?). Its answer \
                will be shown by 'frs status'.
                """)
            return 1
        }
        guard answer.state == .accepted else {
            for line in answer.output ?? [] { context.err(line) }
            if answer.output?.isEmpty ?? true { context.err("frs: refused: \(answer.message)") }
            return 1
        }
        for line in try command.receive(answer.output ?? [], context: context) { context.out(line) }
        return 0
    }

    /// What the daemon runs for an administrative request: the command parsed from its arguments,
    /// on the daemon's spool, as the uid that dropped it, its output captured.
    static func runner(spool: String, models: String) -> AdministrativeRunner {
        { arguments, uid, request in
            let capture = OutputCapture()
            let delivery = SpoolLayout(root: spool).answers.directory(uid: uid) + "/" + request + ".d"
            let context = CommandContext(spool: spool, models: models, actingUID: uid, capture: capture,
                                         deliveryDirectory: delivery)
            do {
                switch try FRSCommand.parse(arguments, environment: [:]) {
                case .help(let text):
                    return (0, text.components(separatedBy: "\n"))
                case .command(let command, _):
                    guard let admin = command as? any AdministrativeCommand, type(of: admin).runsFromDropBox else {
                        let words = type(of: command).words.joined(separator: " ")
                        return (1, ["frs: 'frs \(words)' is not run by the daemon for another account: "
                            + "run it as root or as the spool's owner"])
                    }
                    let status = try command.run(context)
                    return (status, capture.lines)
                }
            } catch let error as UsageError {
                return (2, capture.lines + ["frs: \(error.message)"])
            } catch {
                return (1, capture.lines + ["frs: \(error)"])
            }
        }
    }
}
