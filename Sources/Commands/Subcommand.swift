import Foundation

/// Where a command runs: global options and output streams.
public struct CommandContext: Sendable {
    /// The spool directory (`--spool`, `FRS_SPOOL`, default `./spool`).
    public var spool: String
    /// The model directory (`--models`, `FRS_MODELS`, default `./models`).
    public var models: String

    public init(spool: String, models: String) {
        self.spool = spool
        self.models = models
    }

    /// Writes a line to standard output.
    public func out(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Writes a line to standard error.
    public func err(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// One `frs` subcommand: its words, help text, parsing and action.
///
/// Parsing and validation are pure (testable as values); `run` does the work and returns the
/// exit status (0 success, 1 failure). Throwing from `run` is a failure (exit 1) with the error
/// printed; throwing ``UsageError`` from `init` or `validate` is exit 2.
public protocol Subcommand: Sendable {
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
    public static var help: String { "" }
    public func validate() throws(UsageError) {}
}
