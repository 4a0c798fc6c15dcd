import Administration
import Basics
import Foundation
import Glibc
import Policy
import Spool
import Store
import SystemCalls

/// Checks a `YYYY-MM-DD` option value.
func validateDate(_ text: String, _ option: String) throws(UsageError) {
    guard UTCDay.parse(text) != nil else { throw UsageError("\(option) must be a date YYYY-MM-DD, not \"\(text)\"") }
}

/// Takes exactly one positional argument (an id or code).
func single(_ arguments: inout ArgumentList, _ what: String) throws(UsageError) -> String {
    let rest = try arguments.positionals()
    guard rest.count == 1 else { throw UsageError("expected one \(what)") }
    return rest[0]
}

/// Opens the spool for an administrative change by the invoking account.
func administration(_ context: CommandContext) throws -> SpoolAdministration {
    try SpoolAdministration(layout: SpoolLayout(root: context.spool), uid: context.actingUID)
}

/// `frs init [--daemon-user USER] [--auditors-group GROUP]`
struct InitCommand: Subcommand {
    static let words = ["init"]
    static let abstract = "create the spool layout and database (idempotent); the first caller becomes administrator"
    static let usage = "init [--daemon-user USER] [--auditors-group GROUP]"
    static let help = """
          --daemon-user USER      (root) the service account that runs the daemon: the spool becomes its own
          --auditors-group GROUP  the group whose members read outbox/audit/ (names or numbers)
        """

    var daemonUser: String?
    var auditorsGroup: String?

    init(arguments: inout ArgumentList) throws(UsageError) {
        daemonUser = try arguments.option("--daemon-user")
        auditorsGroup = try arguments.option("--auditors-group")
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let layout = SpoolLayout(root: context.spool)
        var user: Accounts.User?
        if let daemonUser {
            guard let found = Accounts.user(daemonUser) else {
                context.err("frs: no account \"\(daemonUser)\": create the service account first (useradd --system frs) or give its uid")
                return 1
            }
            guard getuid() == 0 || found.uid == getuid() else {
                context.err("frs: only root can give the spool to another account (\(found.description)): run frs init as root")
                return 1
            }
            if found.uid == 0 {
                context.err("frs: warning: the daemon would run as root; a service account of its own is the documented way")
            }
            user = found
        }
        var group: Accounts.Group?
        if let auditorsGroup {
            guard let found = Accounts.group(auditorsGroup) else {
                context.err("frs: no group \"\(auditorsGroup)\": create it first (groupadd frs-audit) or give its gid")
                return 1
            }
            group = found
        }
        let report = try SpoolAdministration.initialize(layout: layout, uid: getuid(), daemonUser: user, auditorsGroup: group)
        context.out(report.createdDatabase ? "initialized spool \(layout.root)" : "spool \(layout.root) is ready")
        if report.addedAdmin { context.out("uid \(getuid()) is the first administrator") }
        if let user { context.out("owned by the service account \(user.description): run frs daemon as it") }
        if let group { context.out("members of group \(group.description) read \(layout.audit)/") }
        return 0
    }
}

/// `frs agency add CODE --name NAME [--group GROUP]`
struct AgencyAddCommand: AdministrativeCommand {
    static let words = ["agency", "add"]
    static let abstract = "register an agency (administrators only)"
    static let usage = "agency add CODE --name NAME [--group GROUP]"
    static let help = """
          --group GROUP   the agency's Unix group (name or number): its staff read its results, sheets and
                          job status; the daemon's account must be a member of it
        """

    var code: String
    var name: String
    var group: String?

    init(arguments: inout ArgumentList) throws(UsageError) {
        name = try arguments.required("--name")
        group = try arguments.option("--group")
        code = try single(&arguments, "agency code")
    }

    func run(_ context: CommandContext) throws -> Int32 {
        var found: Accounts.Group?
        if let group {
            guard let g = Accounts.group(group) else {
                context.err("frs: no group \"\(group)\": create it first (groupadd) or give its gid")
                return 1
            }
            found = g
        }
        let warnings = try administration(context).addAgency(code: code, name: name, group: found)
        context.out("agency \(code) added" + (found.map { " (group \($0.description))" } ?? ""))
        for warning in warnings { context.err("frs: warning: \(warning)") }
        return 0
    }
}

/// A command that records a dated fact about one registry entry: `frs agency terminate CODE
/// --notice-date D`, `frs user train ID --date D`, `frs user vet ID --date D`.
protocol DatedEntryCommand: AdministrativeCommand {
    /// The date's option (`--date`, `--notice-date`).
    static var dateOption: String { get }
    /// What the positional argument is (`user id`, `agency code`).
    static var entryName: String { get }
    var entry: String { get }
    var date: String { get }
    init(entry: String, date: String)
    /// Records the fact; returns the line printed.
    func record(_ administration: SpoolAdministration) throws -> String
}

extension DatedEntryCommand {
    static var usage: String { "\(words.joined(separator: " ")) \(entryName == "user id" ? "ID" : "CODE") \(dateOption) YYYY-MM-DD" }

    init(arguments: inout ArgumentList) throws(UsageError) {
        let date = try arguments.required(Self.dateOption)
        self.init(entry: try single(&arguments, Self.entryName), date: date)
    }

    func validate() throws(UsageError) { try validateDate(date, Self.dateOption) }

    func run(_ context: CommandContext) throws -> Int32 {
        context.out(try record(administration(context)))
        return 0
    }
}

/// `frs agency terminate CODE --notice-date YYYY-MM-DD`
struct AgencyTerminateCommand: DatedEntryCommand {
    static let words = ["agency", "terminate"]
    static let abstract = "record an agency's termination notice; access ends 30 days later (MOU IX.B)"
    static let dateOption = "--notice-date"
    static let entryName = "agency code"
    var entry: String
    var date: String

    func record(_ administration: SpoolAdministration) throws -> String {
        try administration.terminateAgency(code: entry, noticeDate: date)
        return "agency \(entry): termination notice \(date) recorded"
    }
}

/// `frs user add ID --name NAME [--agency CODE] --role ROLE --uid UID --vetted DATE --trained DATE`
struct UserAddCommand: AdministrativeCommand {
    static let words = ["user", "add"]
    static let abstract = "register an authorized individual (administrators; agency administrators for their agency)"
    static let usage = """
        user add ID --name NAME [--agency CODE] --role analyst|examiner|supervisor|auditor|admin|agency-admin
                      --uid UID --vetted YYYY-MM-DD --trained YYYY-MM-DD
        """
    static let help = """
          --agency CODE   the person's agency; administrators and auditors are regional and need none
          --role ROLE     analyst, examiner and supervisor search; examiners and supervisors review;
                          supervisors approve; auditors read the audit log; admin administers everything;
                          agency-admin (the agency's TAC) manages the people of their agency
          --uid UID       the OS account whose files speak for this person: one account, one person of
                          one agency; a revoked account's uid is not given to anyone else for a year
          --vetted DATE   when the agency vetted and approved the person (MOU III.B)
          --trained DATE  when the person last completed training
        Administrators add anyone; an agency administrator adds analysts, examiners and supervisors
        of their own agency (not themselves). From an account that cannot open the spool's database
        the daemon does it (the request goes through the drop box; FRS_WAIT bounds the wait).
        """

    var user: UserRecord

    init(arguments: inout ArgumentList) throws(UsageError) {
        let name = try arguments.required("--name")
        let agency = try arguments.option("--agency") ?? ""
        let role = try arguments.required("--role")
        guard let uid = UInt32(try arguments.required("--uid")) else { throw UsageError("--uid must be a number") }
        let vetted = try arguments.required("--vetted")
        let trained = try arguments.required("--trained")
        let id = try single(&arguments, "user id")
        user = UserRecord(id: id, name: name, agency: agency, role: role, uid: uid, vetted: vetted, trained: trained)
    }

    func validate() throws(UsageError) {
        guard let role = Role(rawValue: user.role) else {
            throw UsageError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if user.agency.isEmpty, !role.isRegional {
            throw UsageError("--agency is needed for role \(role.rawValue) (only admin and auditor are regional)")
        }
        try validateDate(user.vetted ?? "", "--vetted")
        try validateDate(user.trained ?? "", "--trained")
    }

    func run(_ context: CommandContext) throws -> Int32 {
        try administration(context).addUser(user)
        context.out("user \(user.id) added")
        return 0
    }
}

/// Shared by `frs user suspend|reinstate|revoke ID`.
protocol UserStatusCommand: AdministrativeCommand {
    static var status: RequesterStatus { get }
    var id: String { get }
    init(id: String)
}

extension UserStatusCommand {
    static var usage: String { "user \(words[1]) ID" }

    init(arguments: inout ArgumentList) throws(UsageError) { self.init(id: try single(&arguments, "user id")) }

    func run(_ context: CommandContext) throws -> Int32 {
        try administration(context).setStatus(user: id, Self.status)
        context.out("user \(id) is \(Self.status.rawValue)")
        return 0
    }
}

/// `frs user suspend ID`
struct UserSuspendCommand: UserStatusCommand {
    static let words = ["user", "suspend"]
    static let abstract = "suspend a user's access"
    static let status = RequesterStatus.suspended
    var id: String
}

/// `frs user reinstate ID`
struct UserReinstateCommand: UserStatusCommand {
    static let words = ["user", "reinstate"]
    static let abstract = "reinstate a suspended or revoked user"
    static let status = RequesterStatus.active
    var id: String
}

/// `frs user revoke ID`
struct UserRevokeCommand: UserStatusCommand {
    static let words = ["user", "revoke"]
    static let abstract = "revoke a user's access"
    static let status = RequesterStatus.revoked
    var id: String
}

/// `frs user train ID --date YYYY-MM-DD`
struct UserTrainCommand: DatedEntryCommand {
    static let words = ["user", "train"]
    static let abstract = "record a completed training"
    static let dateOption = "--date"
    static let entryName = "user id"
    var entry: String
    var date: String

    func record(_ administration: SpoolAdministration) throws -> String {
        try administration.train(user: entry, date: date)
        return "user \(entry) trained on \(date)"
    }
}

/// `frs user vet ID --date YYYY-MM-DD`
struct UserVetCommand: DatedEntryCommand {
    static let words = ["user", "vet"]
    static let abstract = "record a completed background check (vetting, MOU III.B)"
    static let dateOption = "--date"
    static let entryName = "user id"
    var entry: String
    var date: String

    func record(_ administration: SpoolAdministration) throws -> String {
        try administration.vet(user: entry, date: date)
        return "user \(entry) vetted on \(date)"
    }
}
