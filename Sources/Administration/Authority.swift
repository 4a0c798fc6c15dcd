import Policy
import Store

/// What the acting account may administer, read from the registry once per command.
///
/// | who | may |
/// |---|---|
/// | an administrator (root after `frs init`, or an active person with role `admin`; regional) | everything: agencies, people of every agency, the gallery, lists, reviews of accounts |
/// | an agency administrator (role `agency-admin`, the agency's TAC) | add, suspend, reinstate, revoke people of their own agency, record their vetting and training, list them, review them; not administrators or agency administrators, not themselves |
/// | a supervisor | list the people of their agency and review them |
/// | an auditor (regional) | list and review the people of every agency |
public struct Authority: Sendable, Equatable {
    public let uid: UInt32
    /// A regional administrator.
    public let isAdministrator: Bool
    /// A regional auditor.
    public let isAuditor: Bool
    /// The booking system's feed account (role `booking-feed`, active).
    public let isBookingFeed: Bool
    /// Agencies whose people this account manages (as their agency administrator).
    public let managedAgencies: Set<String>
    /// Agencies whose people this account may list (supervisors and agency administrators: their own).
    public let visibleAgencies: Set<String>
    /// Agencies this account supervises (active supervisors).
    public let supervisedAgencies: Set<String>
    /// The user ids registered for this account.
    public let userIDs: Set<String>

    public init(uid: UInt32, registry: Registry) throws {
        self.uid = uid
        let people = try registry.users(uid: uid)
        let active = people.filter { $0.status == RequesterStatus.active.rawValue }
        func roles(_ role: Role) -> [UserRecord] { active.filter { $0.role == role.rawValue } }
        // A registered administrator whose person was suspended or revoked is no longer one.
        let adminPeople = people.filter { $0.role == Role.admin.rawValue }
        isAdministrator = try registry.isAdmin(uid: uid) && (adminPeople.isEmpty || !roles(.admin).isEmpty)
        isAuditor = !roles(.auditor).isEmpty
        isBookingFeed = !roles(.bookingFeed).isEmpty
        managedAgencies = Set(roles(.agencyAdmin).map(\.agency))
        supervisedAgencies = Set(roles(.supervisor).map(\.agency))
        visibleAgencies = managedAgencies.union(supervisedAgencies)
        userIDs = Set(people.map(\.id))
    }

    /// Whether this account manages the people of `agency`.
    public func mayManage(agency: String) -> Bool { isAdministrator || managedAgencies.contains(agency) }

    /// Whether this account may list the people of `agency`.
    public func maySee(agency: String) -> Bool { isAdministrator || isAuditor || visibleAgencies.contains(agency) }

    /// Whether this account may disclose a job of `agency` (its agency's supervisors, auditors,
    /// administrators).
    public func mayDisclose(agency: String?) -> Bool {
        isAdministrator || isAuditor || agency.map(supervisedAgencies.contains) == true
    }

    /// The user id this account acts under in audit records.
    public var actor: String { userIDs.sorted().first ?? "uid:\(uid)" }

    /// Whether this account may list people at all.
    public var maySeeAnyone: Bool { isAdministrator || isAuditor || !visibleAgencies.isEmpty }

    /// The agencies this account may list when it names none: `nil` for every agency.
    public var listedAgencies: Set<String>? { isAdministrator || isAuditor ? nil : visibleAgencies }

    /// How this account is named in a refusal.
    public var description: String {
        if isAdministrator { return "uid \(uid) (administrator)" }
        if !managedAgencies.isEmpty { return "uid \(uid) (agency administrator of \(managedAgencies.sorted().joined(separator: ", ")))" }
        if isAuditor { return "uid \(uid) (auditor)" }
        if !visibleAgencies.isEmpty { return "uid \(uid) (supervisor of \(visibleAgencies.sorted().joined(separator: ", ")))" }
        return "uid \(uid)"
    }
}
