import Basics
import Foundation
import Policy

/// The registry of agencies, authorized individuals and administrators, in the spool's SQLite
/// database (`state/frs.sqlite`).
///
/// Dates are stored as `YYYY-MM-DD` text, the form the command line takes them in. Roles and
/// statuses are stored as their stable strings. One `Registry` wraps one connection, which is
/// used by one thread at a time (see ``Store/Database``).
public struct Registry {
    /// The connection.
    public let database: Database

    public init(database: Database) { self.database = database }

    // MARK: - Agencies

    /// Adds an agency.
    /// - Throws: ``RegistryError/duplicate(_:)`` when the code exists.
    /// - Parameter group: the agency's Unix group, whose members read its results.
    public func addAgency(code: String, name: String, group: UInt32? = nil, now: Date) throws {
        if try agency(code) != nil { throw RegistryError.duplicate("agency \(code)") }
        try database.query(
            "INSERT INTO agencies (code, name, added, gid) VALUES (?, ?, ?, ?)",
            [.text(code), .text(name), .text(Self.timestamp(now)), group.map { .integer(Int64($0)) } ?? .null])
    }

    /// Every registered agency, by code.
    public func agencies() throws -> [AgencyRecord] {
        try database.query("SELECT code, name, notice_date, gid FROM agencies ORDER BY code").map(AgencyRecord.init(row:))
    }

    /// Records the written notice of termination (MOU IX.B); access ends 30 days after it.
    /// - Throws: ``RegistryError/notFound(_:)``.
    public func terminateAgency(code: String, noticeDate: String) throws {
        try database.query("UPDATE agencies SET notice_date = ? WHERE code = ?", [.text(noticeDate), .text(code)])
        guard database.changes == 1 else { throw RegistryError.notFound("agency \(code)") }
    }

    /// The agency with `code`, if registered.
    public func agency(_ code: String) throws -> AgencyRecord? {
        try database.query("SELECT code, name, notice_date, gid FROM agencies WHERE code = ?", [.text(code)])
            .first.map(AgencyRecord.init(row:))
    }

    // MARK: - Users

    /// The columns every read of a person takes, in ``UserRecord/init(row:)``'s order.
    static let userSelect = "SELECT id, name, agency, role, uid, status, vetted, trained, last_active, status_changed FROM users"

    /// Adds an authorized individual (status active). A regional person (empty agency) belongs to no agency.
    /// - Throws: ``RegistryError/duplicate(_:)``, ``RegistryError/notFound(_:)`` for an unknown agency.
    public func addUser(_ user: UserRecord, now: Date) throws {
        if try self.user(user.id) != nil { throw RegistryError.duplicate("user \(user.id)") }
        if !user.agency.isEmpty, try agency(user.agency) == nil { throw RegistryError.notFound("agency \(user.agency)") }
        let day = Self.timestamp(now).prefix(10)
        try database.query(
            """
            INSERT INTO users (id, name, agency, role, uid, status, vetted, trained, added, last_active, status_changed)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(user.id), .text(user.name), user.agency.isEmpty ? .null : .text(user.agency), .text(user.role),
             .integer(Int64(user.uid)), .text(user.status), user.vetted.map { .text($0) } ?? .null,
             user.trained.map { .text($0) } ?? .null, .text(Self.timestamp(now)), .text(String(day)), .text(String(day))])
    }

    /// Every registered person, by id.
    public func users() throws -> [UserRecord] {
        try database.query("\(Self.userSelect) ORDER BY id").map(UserRecord.init(row:))
    }

    /// Records that `uid` made a request today (the inactivity rule counts from it).
    public func recordActivity(uid: UInt32, now: Date) throws {
        try database.query("UPDATE users SET last_active = ? WHERE uid = ? AND (last_active IS NULL OR last_active < ?)",
                           [.text(String(Self.timestamp(now).prefix(10))), .integer(Int64(uid)),
                            .text(String(Self.timestamp(now).prefix(10)))])
    }

    /// Records vetting (a background check) of a person.
    public func setVetted(user id: String, date: String) throws {
        try database.query("UPDATE users SET vetted = ? WHERE id = ?", [.text(date), .text(id)])
        guard database.changes == 1 else { throw RegistryError.notFound("user \(id)") }
    }

    /// Sets a user's status (`active`, `suspended`, `revoked`).
    /// - Throws: ``RegistryError/notFound(_:)``.
    public func setStatus(user id: String, _ status: String, now: Date = Date()) throws {
        try database.query("UPDATE users SET status = ?, status_changed = ? WHERE id = ?",
                           [.text(status), .text(String(Self.timestamp(now).prefix(10))), .text(id)])
        guard database.changes == 1 else { throw RegistryError.notFound("user \(id)") }
    }

    /// Records a completed training.
    public func setTrained(user id: String, date: String) throws {
        try database.query("UPDATE users SET trained = ? WHERE id = ?", [.text(date), .text(id)])
        guard database.changes == 1 else { throw RegistryError.notFound("user \(id)") }
    }

    /// The user with `id`, if registered.
    public func user(_ id: String) throws -> UserRecord? {
        try database.query(
            "\(Self.userSelect) WHERE id = ?", [.text(id)]
        ).first.map(UserRecord.init(row:))
    }

    /// The users of an agency, by id.
    public func users(agency: String) throws -> [UserRecord] {
        try database.query(
            "\(Self.userSelect) WHERE agency = ? ORDER BY id",
            [.text(agency)]
        ).map(UserRecord.init(row:))
    }

    /// The users registered for an OS account.
    public func users(uid: UInt32) throws -> [UserRecord] {
        try database.query(
            "\(Self.userSelect) WHERE uid = ? ORDER BY id",
            [.integer(Int64(uid))]
        ).map(UserRecord.init(row:))
    }

    // MARK: - As the policy sees them

    /// The requester `id` as the policy gate takes it; `nil` when not registered.
    ///
    /// A stored role or status the policy does not know (a database edited by hand) makes the
    /// person unregistered for the policy, which denies them.
    public func requester(_ id: String) throws -> Requester? {
        guard let user = try user(id) else { return nil }
        return user.requester
    }

    /// The agency `code` as the policy gate takes it; `nil` when not registered.
    public func policyAgency(_ code: String) throws -> Agency? {
        guard let record = try agency(code) else { return nil }
        return Agency(code: record.code, name: record.name, terminationNotice: record.noticeDate.flatMap(UTCDay.parse))
    }

    // MARK: - Administrators

    /// Whether `uid` is a registered administrator.
    public func isAdmin(uid: UInt32) throws -> Bool {
        try !database.query("SELECT 1 FROM admins WHERE uid = ?", [.integer(Int64(uid))]).isEmpty
    }

    /// The number of administrators.
    public func adminCount() throws -> Int {
        Int(try database.query("SELECT count(*) FROM admins").first?.int(0) ?? 0)
    }

    /// Adds an administrator; adding an existing one changes nothing.
    /// - Returns: whether a row was added.
    @discardableResult
    public func addAdmin(uid: UInt32, now: Date) throws -> Bool {
        try database.query(
            "INSERT OR IGNORE INTO admins (uid, added) VALUES (?, ?)", [.integer(Int64(uid)), .text(Self.timestamp(now))])
        return database.changes == 1
    }

    /// How the registry and the ledger write times (UTC, ISO 8601, seconds).
    public static func timestamp(_ date: Date) -> String { date.formatted(.iso8601) }
}

/// An agency as registered.
public struct AgencyRecord: Sendable, Equatable {
    public var code: String
    public var name: String
    /// The date of the written termination notice (`YYYY-MM-DD`), if any.
    public var noticeDate: String?
    /// The agency's Unix group: its staff read its results; `nil` for an agency added without one.
    public var group: UInt32?

    public init(code: String, name: String, noticeDate: String? = nil, group: UInt32? = nil) {
        self.code = code
        self.name = name
        self.noticeDate = noticeDate
        self.group = group
    }

    init(row: Row) {
        self.init(code: row.text(0) ?? "", name: row.text(1) ?? "", noticeDate: row.text(2),
                  group: row.int(3).map { UInt32(truncatingIfNeeded: $0) })
    }
}

/// An authorized individual as registered.
public struct UserRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var agency: String
    /// `analyst`, `examiner`, `supervisor`, `auditor` or `admin`.
    public var role: String
    /// The OS account whose files speak for this user.
    public var uid: UInt32
    /// `active`, `suspended` or `revoked`.
    public var status: String
    /// Vetting date (`YYYY-MM-DD`), if vetted.
    public var vetted: String?
    /// Last training date (`YYYY-MM-DD`), if trained.
    public var trained: String?
    /// The day of the person's last request, or of their registration (`YYYY-MM-DD`).
    public var lastActive: String?
    /// The day their status last changed (`YYYY-MM-DD`).
    public var statusChanged: String?

    public init(id: String, name: String, agency: String, role: String, uid: UInt32,
                status: String = "active", vetted: String?, trained: String?, lastActive: String? = nil,
                statusChanged: String? = nil) {
        self.id = id
        self.name = name
        self.agency = agency
        self.role = role
        self.uid = uid
        self.status = status
        self.vetted = vetted
        self.trained = trained
        self.lastActive = lastActive
        self.statusChanged = statusChanged
    }

    /// The policy's view of this person; `nil` if the stored role or status is not one it knows.
    public var requester: Requester? {
        guard let role = Role(rawValue: role), let status = RequesterStatus(rawValue: status) else { return nil }
        return Requester(id: id, name: name, agency: agency, role: role, uid: uid, status: status,
                         vetted: vetted.flatMap(UTCDay.parse), trained: trained.flatMap(UTCDay.parse))
    }

    init(row: Row) {
        self.init(id: row.text(0) ?? "", name: row.text(1) ?? "", agency: row.text(2) ?? "",
                  role: row.text(3) ?? "", uid: UInt32(truncatingIfNeeded: row.int(4) ?? -1),
                  status: row.text(5) ?? "", vetted: row.text(6), trained: row.text(7), lastActive: row.text(8),
                  statusChanged: row.text(9))
    }
}

/// Why a registry change was refused.
public enum RegistryError: Error, Equatable, CustomStringConvertible {
    /// The agency or user already exists.
    case duplicate(String)
    /// The agency or user does not exist.
    case notFound(String)

    public var description: String {
        switch self {
        case .duplicate(let what): "\(what) already exists"
        case .notFound(let what): "\(what) is not registered"
        }
    }
}
