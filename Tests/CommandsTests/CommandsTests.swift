@testable import Commands
import Testing

/// The root command: global options, the subcommand table, help, and usage errors (exit 2).
@Suite("The root command")
struct CommandsTests {
    func parse(_ argv: [String], environment: [String: String] = [:]) throws -> FRSCommand.Parsed {
        try FRSCommand.parse(argv, environment: environment)
    }

    @Test("global options come from the command line, else the environment, else the defaults")
    func globalOptions() throws {
        guard case .command(_, let defaults) = try parse(["status"]) else { Issue.record("no command"); return }
        #expect(defaults.spool == "./spool" && defaults.models == "./models")
        guard case .command(_, let fromEnvironment) = try parse(["status"], environment: ["FRS_SPOOL": "/s", "FRS_MODELS": "/m"])
        else { Issue.record("no command"); return }
        #expect(fromEnvironment.spool == "/s" && fromEnvironment.models == "/m")
        // Options may stand anywhere and win over the environment.
        guard case .command(_, let given) = try parse(["status", "--spool", "/x", "JOB1", "--models", "/y"],
                                                      environment: ["FRS_SPOOL": "/s"])
        else { Issue.record("no command"); return }
        #expect(given.spool == "/x" && given.models == "/y")
    }

    @Test("every subcommand in the table is reachable by its words and has help")
    func everySubcommandHasHelp() throws {
        for type in FRSCommand.subcommands {
            guard case .help(let text) = try parse(["help"] + type.words) else {
                Issue.record("no help for \(type.words)"); continue
            }
            #expect(text.contains("USAGE: frs \(type.usage)"), "\(type.words)")
            #expect(!type.abstract.isEmpty, "\(type.words)")
        }
        // Two commands never share their words.
        let names = FRSCommand.subcommands.map { $0.words.joined(separator: " ") }
        #expect(Set(names).count == names.count)
    }

    @Test("help: the root, a group, a command with --help")
    func help() throws {
        guard case .help(let root) = try parse([]) else { Issue.record("no root help"); return }
        #expect(root.contains("SUBCOMMANDS:") && root.contains("GLOBAL OPTIONS:"))
        guard case .help(let group) = try parse(["agency"]) else { Issue.record("no group help"); return }
        #expect(group.contains("frs agency add") && group.contains("frs agency terminate"))
        guard case .help(let command) = try parse(["init", "--help"]) else { Issue.record("no command help"); return }
        #expect(command.contains("--daemon-user") && command.contains("--auditors-group"))
    }

    @Test("unknown commands and stray arguments are usage errors")
    func usageErrors() throws {
        #expect(throws: UsageError.self) { try parse(["frobnicate"]) }
        #expect(throws: UsageError.self) { try parse(["agency", "dissolve", "A"]) }
        #expect(throws: UsageError.self) { try parse(["status", "a", "b"]) }
        #expect(throws: UsageError.self) { try parse(["status", "--format", "xml"]) }
        #expect(throws: UsageError.self) { try parse(["status", "../etc"]) }
        #expect(throws: UsageError.self) { try parse(["init", "--no-such-option"]) }
        #expect(FRSCommand.run(["frobnicate"]) == 2)
    }

    @Test("the accounts options parse as values")
    func accountOptions() throws {
        guard case .command(let c, _) = try parse(["init", "--daemon-user", "frs", "--auditors-group", "980"]),
              let initCommand = c as? InitCommand
        else { Issue.record("not init"); return }
        #expect(initCommand.daemonUser == "frs" && initCommand.auditorsGroup == "980")
        guard case .command(let a, _) = try parse(["agency", "add", "CPD", "--name", "City PD", "--group", "cpd-staff"]),
              let agency = a as? AgencyAddCommand
        else { Issue.record("not agency add"); return }
        #expect(agency.code == "CPD" && agency.name == "City PD" && agency.group == "cpd-staff")
        guard case .command(let s, _) = try parse(["status", "JOB1", "--format", "json"]), let status = s as? StatusCommand
        else { Issue.record("not status"); return }
        #expect(status.job == "JOB1" && status.json)
    }
}
