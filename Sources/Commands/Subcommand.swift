import Foundation
import Synchronization

/// Where a command runs: global options, the account it acts for, and output streams.
struct CommandContext: Sendable {
    /// The spool directory (`--spool`, `FRS_SPOOL`, default `./spool`).
    var spool: String
    /// The model directory (`--models`, `FRS_MODELS`, default `./models`).
    var models: String
    /// The account the command acts for: the invoking account, or, when the daemon runs an
    /// administrative request from the drop box, the account that dropped it.
    var actingUID: UInt32
    /// Where the output goes when the daemon runs a request for someone (`nil`: this process's
    /// standard output and error).
    var capture: OutputCapture?
    /// Set when the daemon runs a request for someone: the folder where a command leaves files for
    /// them (a disclosure packet), readable by that account alone.
    var deliveryDirectory: String?

    init(spool: String, models: String, actingUID: UInt32 = getuid(), capture: OutputCapture? = nil,
                deliveryDirectory: String? = nil) {
        self.spool = spool
        self.models = models
        self.actingUID = actingUID
        self.capture = capture
        self.deliveryDirectory = deliveryDirectory
    }

    /// Whether the command runs in the daemon for another account (from the drop box).
    var isDropBoxRequest: Bool { capture != nil }

    /// Writes a line to standard output (or the capture), its control characters (but line breaks
    /// and tabs) escaped (``TerminalText/escapedLine(_:)``): the line may end up on a terminal.
    func out(_ line: String) {
        let safe = TerminalText.escapedLine(line)
        if let capture { return capture.append(safe) }
        FileHandle.standardOutput.write(Data((safe + "\n").utf8))
    }

    /// Writes a line to standard error, its control characters (but line breaks and tabs) escaped.
    func err(_ line: String) {
        let safe = TerminalText.escapedLine(line)
        if let capture { return capture.append(safe) }
        FileHandle.standardError.write(Data((safe + "\n").utf8))
    }
}

/// The lines a command printed while the daemon ran it for someone.
final class OutputCapture: Sendable {
    private let storage = Mutex<[String]>([])
    init() {}
    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var lines: [String] { storage.withLock { $0 } }
}

/// One `frs` subcommand: its words, help text, parsing and action.
///
/// Parsing and validation are pure (testable as values); `run` does the work and returns the
/// exit status (0 success, 1 failure). Throwing from `run` is a failure (exit 1) with the error
/// printed; throwing ``UsageError`` from `init` or `validate` is exit 2.
protocol Subcommand: Sendable {
    /// The command words, e.g. `["faces", "detect"]`.
    static var words: [String] { get }
    /// One line for the command table.
    static var abstract: String { get }
    /// The USAGE line(s) after `frs`.
    static var usage: String { get }
    /// Extra help text (OPTIONS section), may be empty.
    static var help: String { get }

    init(arguments: inout ArgumentList) throws(UsageError)
    func validate() throws(UsageError)
    func run(_ context: CommandContext) throws -> Int32
}

extension Subcommand {
    static var help: String { "" }
    func validate() throws(UsageError) {}
}
