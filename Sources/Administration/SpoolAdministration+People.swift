import Audit
import Basics
import Foundation
import Policy
import Spool
import Store

/// The people of the registry: who may add, change and see them (``Authority``), and the CJIS
/// account controls (Security Policy 5.9.5 AC-2, IA-4): one account belongs to one person of one
/// agency, an account is not given to another person within a year of its revocation, accounts
/// idle longer than the policy allows are disabled, and each agency's accounts are reviewed.
extension SpoolAdministration {
    /// How long a revoked account's uid stays unusable for anyone else (IA-4: identifiers are not
    /// reused for a year).
    public static let uidReuseDays = 365

    /// `frs user add ...`. An `admin` role also makes the user's uid an administrator.
    ///
    /// Administrators add anyone; an agency administrator adds people of their own agency in the
    /// roles that search or review (not administrators, agency administrators or auditors) and not
    /// themselves. Administrators and auditors are regional: they need no agency.
    public func addUser(_ user: UserRecord) throws {
        let change = "user.add \(user.id)"
        guard let role = Role(rawValue: user.role) else { throw AdministrationError.invalidRole(user.role) }
        for date in [user.vetted, user.trained].compactMap({ $0 }) where UTCDay.parse(date) == nil {
            throw AdministrationError.invalidDate(date)
        }
        if user.agency.isEmpty, !role.isRegional {
            throw AdministrationError.notPermitted("a person with role \(role.rawValue) belongs to an agency: give --agency CODE "
                                                   + "(only administrators and auditors are regional)")
        }
        let authority = try authority()
        if role == .admin || role == .agencyAdmin || role == .auditor || role == .bookingFeed {
            try require(authority.isAdministrator, change, because: .notPermitted(
                "\(authority.description) may not register a person with role \(role.rawValue): only an administrator may"))
        } else {
            try require(authority.mayManage(agency: user.agency), change, because: .notPermitted(
                "\(authority.description) may not add people to agency \(user.agency)"
                + (authority.managedAgencies.isEmpty ? "" : ": only to \(authority.managedAgencies.sorted().joined(separator: ", "))")))
        }
        try require(authority.isAdministrator || user.uid != uid, change, because: .notPermitted(
            "\(authority.description) may not register their own account"))
        try checkAccountIsFree(user)
        try database.transaction {
            try registry.addUser(user, now: clock())
            if role == .admin { try registry.addAdmin(uid: user.uid, now: clock()) }
        }
        var details = ["user": user.id, "name": user.name, "role": user.role, "uid": "\(user.uid)"]
        details["vetted"] = user.vetted
        details["trained"] = user.trained
        try record(.userAdded, agency: user.agency.isEmpty ? nil : user.agency, details: details)
        if !user.agency.isEmpty { try? publishStaff(agency: user.agency) }
    }

    /// One account, one person of one agency; a revoked account's uid waits a year.
    func checkAccountIsFree(_ user: UserRecord) throws {
        for other in try registry.users(uid: user.uid) {
            if other.status != RequesterStatus.revoked.rawValue {
                throw AdministrationError.conflict("""
                    uid \(user.uid) is already \(other.id) (\(other.role)\(other.agency.isEmpty ? "" : " of agency \(other.agency)")): \
                    one account belongs to one person of one agency; give \(user.id) an account of their own
                    """)
            }
            if let revoked = other.statusChanged.flatMap(UTCDay.parse),
               clock().timeIntervalSince(revoked) < Double(Self.uidReuseDays) * 86_400 {
                let free = revoked.addingTimeInterval(Double(Self.uidReuseDays) * 86_400)
                throw AdministrationError.conflict("""
                    uid \(user.uid) was \(other.id)'s, revoked on \(other.statusChanged ?? "?"): an account is not given to \
                    another person within a year of its revocation (until \(UTCDay.format(free))); give \(user.id) a new account
                    """)
            }
        }
    }

    /// The person `id`, when the acting account may change them: an administrator anyone but
    /// themselves; an agency administrator the searching and reviewing people of their agency.
    func changeablePerson(_ id: String, change: String) throws -> UserRecord {
        guard let person = try registry.user(id) else { throw RegistryError.notFound("user \(id)") }
        let authority = try authority()
        let privileged = [Role.admin, .agencyAdmin, .auditor, .bookingFeed].map(\.rawValue).contains(person.role)
        try require(person.uid != uid, change, because: .notPermitted(
            "\(authority.description) may not change their own entry (\(id)): another administrator does"))
        if privileged {
            try require(authority.isAdministrator, change, because: .notPermitted(
                "\(authority.description) may not change \(id), a person with role \(person.role): only an administrator may"))
        } else {
            try require(authority.mayManage(agency: person.agency), change, because: .notPermitted(
                "\(authority.description) may not change \(id) of agency \(person.agency)"))
        }
        return person
    }

    /// `frs user suspend|reinstate|revoke ID`.
    public func setStatus(user id: String, _ status: RequesterStatus) throws {
        let person = try changeablePerson(id, change: "user.\(status.rawValue) \(id)")
        try registry.setStatus(user: id, status.rawValue, now: clock())
        let event = switch status {
        case .active: AuditEventName.userReinstated
        case .suspended: AuditEventName.userSuspended
        case .revoked: AuditEventName.userRevoked
        }
        if status == .active { try registry.recordActivity(uid: person.uid, now: clock()) }  // the idle count starts again
        try record(event, agency: person.agency.isEmpty ? nil : person.agency, details: ["user": id, "previous": person.status])
        if !person.agency.isEmpty { try? publishStaff(agency: person.agency) }
    }

    /// `frs user train ID --date YYYY-MM-DD`.
    public func train(user id: String, date: String) throws {
        guard UTCDay.parse(date) != nil else { throw AdministrationError.invalidDate(date) }
        let person = try changeablePerson(id, change: "user.train \(id)")
        try registry.setTrained(user: id, date: date)
        try record(.userTrained, agency: person.agency.isEmpty ? nil : person.agency, details: ["user": id, "date": date])
    }

    /// `frs user vet ID --date YYYY-MM-DD`: a completed background check (MOU III.B).
    public func vet(user id: String, date: String) throws {
        guard UTCDay.parse(date) != nil else { throw AdministrationError.invalidDate(date) }
        let person = try changeablePerson(id, change: "user.vet \(id)")
        try registry.setVetted(user: id, date: date)
        try record(.userVetted, agency: person.agency.isEmpty ? nil : person.agency, details: ["user": id, "date": date])
    }

    // MARK: - Lists

    /// `frs user list [--agency CODE]`: the people the acting account may see.
    public func listUsers(agency: String?) throws -> [UserRecord] {
        let authority = try authority()
        if let agency {
            try require(authority.maySee(agency: agency), "user.list \(agency)", because: .notPermitted(
                "\(authority.description) may not list the people of agency \(agency)"))
            return try registry.users(agency: agency)
        }
        try require(authority.maySeeAnyone, "user.list", because: .notPermitted(
            "\(authority.description) may not list people: administrators, auditors, agency administrators and supervisors may"))
        let all = try registry.users()
        guard let agencies = authority.listedAgencies else { return all }
        return all.filter { agencies.contains($0.agency) }
    }

    /// `frs agency list`: the agencies the acting account may see.
    public func listAgencies() throws -> [AgencyRecord] {
        let authority = try authority()
        try require(authority.maySeeAnyone, "agency.list", because: .notPermitted(
            "\(authority.description) may not list agencies: administrators, auditors, agency administrators and supervisors may"))
        let all = try registry.agencies()
        guard let agencies = authority.listedAgencies else { return all }
        return all.filter { agencies.contains($0.code) }
    }

    // MARK: - Account review (CJIS AC-2)

    /// One line of the annual account review.
    public struct AccountReview: Sendable, Equatable {
        public var person: UserRecord
        /// The day the person's training lapses (training date + the policy's validity), if trained.
        public var trainingExpires: String?
        /// Whether it lapses within 30 days of the review (or has).
        public var trainingExpiringSoon: Bool
        /// Days since the person's last activity.
        public var idleDays: Int?
    }

    /// `frs user review --agency CODE`: every person of the agency with role, vetting, training (and
    /// whether it lapses within 30 days), last activity and status. Audited (`accounts.reviewed`).
    public func reviewAccounts(agency: String, policy: PolicyConfig) throws -> [AccountReview] {
        let people = try listUsers(agency: agency)
        let now = clock()
        let reviews = people.map { person -> AccountReview in
            let expires = person.trained.flatMap(UTCDay.parse).map {
                $0.addingTimeInterval(Double(policy.trainingValidityDays) * 86_400)
            }
            let idle = person.lastActive.flatMap(UTCDay.parse).map { Int(now.timeIntervalSince($0) / 86_400) }
            return AccountReview(person: person, trainingExpires: expires.map(UTCDay.format),
                                 trainingExpiringSoon: expires.map { $0.timeIntervalSince(now) < 30 * 86_400 } ?? true,
                                 idleDays: idle)
        }
        try record(.accountsReviewed, agency: agency, details: ["people": "\(people.count)"])
        return reviews
    }
}
