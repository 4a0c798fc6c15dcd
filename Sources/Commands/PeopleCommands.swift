import Administration
import Foundation
import Policy
import Spool
import Store

/// `frs user list [--agency CODE] [--format text|json]`
struct UserListCommand: AdministrativeCommand {
    static let words = ["user", "list"]
    static let abstract = "list the registered people this account may see"
    static let usage = "user list [--agency CODE] [--format text|json]"
    static let help = """
          --agency CODE   only this agency's people
          --format F      text (default) or json
        Administrators and auditors see everyone; agency administrators and supervisors their
        agency's people.
        """

    var agency: String?
    var json: Bool

    init(arguments: inout ArgumentList) throws(UsageError) {
        agency = try arguments.option("--agency")
        json = try formatIsJSON(&arguments)
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let people = try administration(context).listUsers(agency: agency)
        if json {
            try printJSON(context, people.map(PersonJSON.init))
            return 0
        }
        if people.isEmpty { context.out("no people registered\(agency.map { " in agency \($0)" } ?? "")") }
        for person in people {
            context.out("\(person.id)  \(person.name)  \(person.agency.isEmpty ? "(regional)" : person.agency)  "
                        + "\(person.role)  uid \(person.uid)  \(person.status)  vetted \(person.vetted ?? "-")  "
                        + "trained \(person.trained ?? "-")  last active \(person.lastActive ?? "-")")
        }
        return 0
    }
}

/// `frs user review --agency CODE [--format text|json]`
struct UserReviewCommand: AdministrativeCommand {
    static let words = ["user", "review"]
    static let abstract = "the annual account review of an agency (CJIS AC-2): roles, vetting, training, activity"
    static let usage = "user review --agency CODE [--format text|json]"
    static let help = """
          --agency CODE   the agency reviewed
          --format F      text (default) or json
        Each person with role, vetting and training dates, the day their training lapses (marked when
        it does within 30 days, or has), their last activity and status. Audited as accounts.reviewed.
        For administrators, auditors, and the agency's administrators and supervisors.
        """

    var agency: String
    var json: Bool

    init(arguments: inout ArgumentList) throws(UsageError) {
        agency = try arguments.required("--agency")
        json = try formatIsJSON(&arguments)
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let policy = (try? SpoolLayout(root: context.spool).loadPolicy()) ?? .default
        let rows = try administration(context).reviewAccounts(agency: agency, policy: policy)
        if json {
            try printJSON(context, rows.map { row in
                var person = PersonJSON(row.person)
                person.trainingExpires = row.trainingExpires
                person.trainingExpiringSoon = row.trainingExpiringSoon
                person.idleDays = row.idleDays
                return person
            })
            return 0
        }
        context.out("account review of agency \(agency): \(rows.count) people (training valid \(policy.trainingValidityDays) days; "
                    + "accounts idle \(policy.inactiveDisableDays) days are disabled)")
        for row in rows {
            let person = row.person
            let training = row.trainingExpires.map { "training until \($0)\(row.trainingExpiringSoon ? " (EXPIRING)" : "")" }
                ?? "never trained (EXPIRING)"
            context.out("  \(person.id)  \(person.name)  \(person.role)  \(person.status)  vetted \(person.vetted ?? "never")  "
                        + "\(training)  last active \(person.lastActive ?? "-")\(row.idleDays.map { " (\($0) days ago)" } ?? "")")
        }
        return 0
    }
}

/// `frs agency list [--format text|json]`
struct AgencyListCommand: AdministrativeCommand {
    static let words = ["agency", "list"]
    static let abstract = "list the registered agencies this account may see"
    static let usage = "agency list [--format text|json]"

    var json: Bool

    init(arguments: inout ArgumentList) throws(UsageError) {
        json = try formatIsJSON(&arguments)
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let agencies = try administration(context).listAgencies()
        if json {
            struct AgencyJSON: Encodable {
                var code: String, name: String, gid: UInt32?, termination_notice: String?
            }
            try printJSON(context, agencies.map { AgencyJSON(code: $0.code, name: $0.name, gid: $0.group,
                                                             termination_notice: $0.noticeDate) })
            return 0
        }
        if agencies.isEmpty { context.out("no agencies registered") }
        for agency in agencies {
            context.out("\(agency.code)  \(agency.name)  group \(agency.group.map(String.init) ?? "-")"
                        + (agency.noticeDate.map { "  termination notice \($0)" } ?? ""))
        }
        return 0
    }
}

/// A person as `--format json` lists them.
struct PersonJSON: Encodable {
    var id: String, name: String, agency: String?, role: String, uid: UInt32, status: String
    var vetted: String?, trained: String?, lastActive: String?, statusChanged: String?
    var trainingExpires: String?, trainingExpiringSoon: Bool?, idleDays: Int?

    init(_ person: UserRecord) {
        id = person.id
        name = person.name
        agency = person.agency.isEmpty ? nil : person.agency
        role = person.role
        uid = person.uid
        status = person.status
        vetted = person.vetted
        trained = person.trained
        lastActive = person.lastActive
        statusChanged = person.statusChanged
    }

    enum CodingKeys: String, CodingKey {
        case id, name, agency, role, uid, status, vetted, trained
        case lastActive = "last_active", statusChanged = "status_changed", trainingExpires = "training_expires"
        case trainingExpiringSoon = "training_expiring_soon", idleDays = "idle_days"
    }
}

/// `--format text|json` → whether JSON was asked for.
func formatIsJSON(_ arguments: inout ArgumentList) throws(UsageError) -> Bool {
    let format = try arguments.option("--format") ?? "text"
    guard ["text", "json"].contains(format) else { throw UsageError("--format must be text or json, not \"\(format)\"") }
    return format == "json"
}

/// Prints a value as pretty, sorted JSON.
func printJSON<T: Encodable>(_ context: CommandContext, _ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    context.out(String(decoding: try encoder.encode(value), as: UTF8.self))
}
