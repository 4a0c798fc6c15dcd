import Foundation
import Spool
import SystemCalls

/// The root command: global options, the table of subcommands, help, and the mapping of errors to
/// exit statuses (0 success, 1 failure, 2 usage error).
public enum FRSCommand {
    /// Every subcommand, in the order help lists them.
    static let subcommands: [any Subcommand.Type] = [
        // Spool
        InitCommand.self,
        SubmitCommand.self,
        DaemonCommand.self,
        StatusCommand.self,
        ApproveCommand.self,
        RejectCommand.self,
        ReviewCommand.self,
        ResolveCommand.self,
        OutcomeCommand.self,
        DiscloseCommand.self,
        PurgeCommand.self,
        // Administration
        AgencyAddCommand.self,
        AgencyTerminateCommand.self,
        UserAddCommand.self,
        UserSuspendCommand.self,
        UserReinstateCommand.self,
        UserRevokeCommand.self,
        UserTrainCommand.self,
        UserVetCommand.self,
        UserListCommand.self,
        UserReviewCommand.self,
        AgencyListCommand.self,
        FacesDetectCommand.self,
        FacesEmbedCommand.self,
        CompareCommand.self,
        // Audit
        AuditVerifyCommand.self,
        AuditReportCommand.self,
        // Gallery and matching
        GalleryEnrollCommand.self, GalleryImportCommand.self, GalleryListCommand.self, GalleryDuplicatesCommand.self,
        GalleryFeedCommand.self, GalleryFeedRemoveCommand.self,
        GalleryStatsCommand.self, GalleryRemoveCommand.self, BenchMatchCommand.self, BenchGalleryCommand.self, BenchScanCommand.self, BenchFacesCommand.self,
        GalleryCalibrateCommand.self, BenchCalibrateCommand.self,
    ]

    static let overview = """
        OVERVIEW: frs — policy-gated batch face search

        A daemon takes case requests from a spool, checks purpose and requester against the
        department's acceptable use policy, searches probe faces against the booking-photo gallery,
        and writes candidate lists (investigative leads only) and a tamper-evident audit log.
        """

    static let globalOptions = """
        GLOBAL OPTIONS:
          --spool DIR     the spool (default: $FRS_SPOOL, else ./spool)
          --models DIR    the dlib model files (default: $FRS_MODELS, else ./models)
          -h, --help      show help
        """

    /// The result of parsing a command line.
    enum Parsed {
        case help(String)
        case command(any Subcommand, CommandContext)
    }

    /// Parses a full command line (without the program name) into a command and its context.
    static func parse(_ argv: [String], environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(UsageError) -> Parsed
    {
        var args = ArgumentList(argv)
        let spool = try args.option("--spool") ?? environment["FRS_SPOOL"] ?? "./spool"
        let models = try args.option("--models") ?? environment["FRS_MODELS"] ?? "./models"
        let wantsHelp = args.flag("--help") || argv.contains("-h")
        var words = args.leadingWords.filter { $0 != "-h" }
        if words.isEmpty || words == ["help"] { return .help(rootHelp()) }
        if words.first == "help" { words.removeFirst(); return .help(try help(for: words)) }

        // The longest table entry whose words prefix the command line.
        guard let type = subcommands
            .filter({ words.starts(with: $0.words) })
            .max(by: { $0.words.count < $1.words.count })
        else {
            let prefixMatches = subcommands.filter { $0.words.first == words.first }
            if !prefixMatches.isEmpty {
                if wantsHelp || words.count == 1 { return .help(groupHelp(words[0])) }
                throw UsageError("unknown command \"\(words.prefix(2).joined(separator: " "))\"; see frs help \(words[0])")
            }
            throw UsageError("unknown command \"\(words[0])\"; see frs help")
        }
        if wantsHelp { return .help(commandHelp(type)) }
        // Re-parse from the original arguments so options may stand anywhere.
        var rest = ArgumentList(argv)
        _ = try rest.option("--spool")
        _ = try rest.option("--models")
        for word in type.words { rest.removeFirstPositional(word) }
        let command = try type.init(arguments: &rest)
        try rest.finish()
        try command.validate()
        return .command(command, CommandContext(spool: spool, models: models))
    }

    static func rootHelp() -> String {
        let width = subcommands.map { $0.words.joined(separator: " ").count }.max() ?? 0
        let table = subcommands.map { type in
            let name = type.words.joined(separator: " ")
            return "  " + name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + type.abstract
        }.joined(separator: "\n")
        return """
            \(overview)

            USAGE: frs [--spool DIR] [--models DIR] <subcommand> [options]

            \(globalOptions)

            SUBCOMMANDS:
            \(table)

              See 'frs help <subcommand>' for detailed help.
            """
    }

    static func groupHelp(_ group: String) -> String {
        let members = subcommands.filter { $0.words.first == group }
        return "USAGE:\n" + members.map { "  frs " + $0.usage }.joined(separator: "\n")
    }

    static func help(for words: [String]) throws(UsageError) -> String {
        if let type = subcommands.first(where: { $0.words == words }) { return commandHelp(type) }
        if let first = words.first, subcommands.contains(where: { $0.words.first == first }) { return groupHelp(first) }
        throw UsageError("no help for \"\(words.joined(separator: " "))\"")
    }

    static func commandHelp(_ type: any Subcommand.Type) -> String {
        var text = "OVERVIEW: \(type.abstract)\n\nUSAGE: frs \(type.usage)\n"
        if !type.help.isEmpty { text += "\nOPTIONS:\n\(type.help)\n" }
        text += "\n\(globalOptions)"
        return text
    }

    /// Runs a command line and returns the exit status.
    static func run(_ argv: [String]) -> Int32 {
        let parsed: Parsed
        do {
            parsed = try parse(argv)
        } catch {
            FileHandle.standardError.write(Data("frs: \(TerminalText.escapedLine(error.message))\nSee 'frs help'.\n".utf8))
            return 2
        }
        switch parsed {
        case .help(let text):
            FileHandle.standardOutput.write(Data((text + "\n").utf8))
            return 0
        case .command(let command, let context):
            // Root acting on a spool another account owns (the service's): whatever it creates there
            // is the service's, so the daemon can go on writing it (ServiceOwnership).
            if let owner = try? FileStatus.of(context.spool).owner {
                ServiceOwnership.actAsService(spoolRoot: context.spool, uid: owner)
            }
            do {
                // An administrator on their own account: the daemon runs it (AdministrativeCommand).
                if let admin = command as? any AdministrativeCommand, type(of: admin).runsFromDropBox,
                   AdministrativeRequests.needsDropBox(SpoolLayout(root: context.spool)) {
                    return try AdministrativeRequests.submit(argv, admin, context: context)
                }
                return try command.run(context)
            } catch let error as UsageError {
                context.err("frs: \(error.message)")
                return 2
            } catch {
                context.err("frs: \(error)")
                return 1
            }
        }
    }

    /// Entry point for the executable.
    public static func main() -> Never {
        exit(run(Array(CommandLine.arguments.dropFirst())))
    }
}
