import Audit
import Foundation
import Glibc
import Policy
import Spool
import Store
import SystemCalls

/// Administrative changes to a spool: `frs init`, agencies and authorized individuals.
///
/// Every change except ``initialize(layout:uid:now:)`` requires the acting uid to be a registered
/// administrator, and every change is written to the audit log with the actor.
public final class SpoolAdministration {
    public let layout: SpoolLayout
    /// The OS account acting (normally `getuid()`).
    public let uid: UInt32
    let database: Database
    let registry: Registry
    let audit: AuditLog
    let clock: @Sendable () -> Date

    /// Opens an existing spool for administration.
    /// - Throws: ``AdministrationError/notInitialized`` when the spool has no database.
    public init(layout: SpoolLayout, uid: UInt32, clock: @escaping @Sendable () -> Date = { Date() }) throws {
        do {
            _ = try FileStatus.of(layout.database)
        } catch where error.errno == EACCES {
            // The spool's state is the daemon's; an account that cannot reach it is no administrator.
            throw AdministrationError.notAdmin(uid)
        } catch {
            throw AdministrationError.notInitialized(layout.root)
        }
        self.layout = layout
        self.uid = uid
        self.clock = clock
        database = try SpoolDatabase.open(layout)
        registry = Registry(database: database)
        audit = try AuditLog(directory: layout.audit)
    }

    /// What `frs init` did.
    public struct InitReport: Sendable, Equatable {
        /// Whether the database was created by this call.
        public var createdDatabase: Bool
        /// Whether the acting uid became the first administrator.
        public var addedAdmin: Bool

        public init(createdDatabase: Bool, addedAdmin: Bool) {
            self.createdDatabase = createdDatabase
            self.addedAdmin = addedAdmin
        }
    }

    /// Creates the spool layout and database (idempotent). When no administrator exists yet,
    /// `uid` becomes the first one.
    /// - Throws: ``SystemCallError``, `DatabaseError`, ``Audit/AuditError``.
    @discardableResult
    public static func initialize(layout: SpoolLayout, uid: UInt32, now: Date = Date()) throws -> InitReport {
        try layout.create()
        let created = !FileStatus.exists(layout.database)
        let database = try SpoolDatabase.open(layout)
        // The database holds the registry and the gallery's descriptors: owner only, whatever the
        // umask (SQLite gives its -wal and -shm files the database file's mode).
        for path in [layout.database, layout.database + "-wal", layout.database + "-shm"] where FileStatus.exists(path) {
            try SystemCall.run("chmod", path: path) { chmod(path, 0o600) }
        }
        let registry = Registry(database: database)
        let audit = try AuditLog(directory: layout.audit)
        let added = try database.transaction { () throws -> Bool in
            guard try registry.adminCount() == 0 else { return false }
            return try registry.addAdmin(uid: uid, now: now)
        }
        if created {
            try audit.append(AuditEvent(event: "spool.initialized", actor: "uid:\(uid)", outcome: "ok",
                                        details: ["spool": layout.root]), now: now)
        }
        if added {
            try audit.append(AuditEvent(event: "admin.added", actor: "uid:\(uid)", outcome: "ok",
                                        details: ["uid": "\(uid)", "first": "true"]), now: now)
        }
        return InitReport(createdDatabase: created, addedAdmin: added)
    }

    /// The actor's name in audit records: the id of a registered user of this uid, else `uid:N`.
    public var actor: String {
        let users = (try? registry.users(uid: uid)) ?? []
        return users.first(where: { $0.role == Role.admin.rawValue })?.id ?? users.first?.id ?? "uid:\(uid)"
    }

    /// Throws unless the acting uid is an administrator (the refusal is audited too).
    func requireAdmin(_ change: String) throws {
        guard try registry.isAdmin(uid: uid) else {
            try audit.append(AuditEvent(event: "admin.refused", actor: "uid:\(uid)", outcome: "denied",
                                        details: ["change": change]), now: clock())
            throw AdministrationError.notAdmin(uid)
        }
    }

    func record(_ event: String, agency: String? = nil, details: [String: String]) throws {
        try audit.append(AuditEvent(event: event, actor: actor, agency: agency, outcome: "ok", details: details),
                         now: clock())
    }

    /// `frs agency add CODE --name NAME`.
    public func addAgency(code: String, name: String) throws {
        try requireAdmin("agency.add \(code)")
        try registry.addAgency(code: code, name: name, now: clock())
        try record("agency.added", agency: code, details: ["code": code, "name": name])
    }

    /// `frs agency terminate CODE --notice-date YYYY-MM-DD`.
    public func terminateAgency(code: String, noticeDate: String) throws {
        try requireAdmin("agency.terminate \(code)")
        guard UTCDay.parse(noticeDate) != nil else { throw AdministrationError.invalidDate(noticeDate) }
        try registry.terminateAgency(code: code, noticeDate: noticeDate)
        try record("agency.terminated", agency: code, details: ["code": code, "notice_date": noticeDate])
    }

    /// `frs user add ...`. An `admin` role also makes the user's uid an administrator.
    public func addUser(_ user: UserRecord) throws {
        try requireAdmin("user.add \(user.id)")
        guard Role(rawValue: user.role) != nil else { throw AdministrationError.invalidRole(user.role) }
        for date in [user.vetted, user.trained].compactMap({ $0 }) where UTCDay.parse(date) == nil {
            throw AdministrationError.invalidDate(date)
        }
        try database.transaction {
            try registry.addUser(user, now: clock())
            if user.role == Role.admin.rawValue { try registry.addAdmin(uid: user.uid, now: clock()) }
        }
        var details = ["user": user.id, "name": user.name, "role": user.role, "uid": "\(user.uid)"]
        details["vetted"] = user.vetted
        details["trained"] = user.trained
        try record("user.added", agency: user.agency, details: details)
    }

    /// `frs user suspend|reinstate|revoke ID`.
    public func setStatus(user id: String, _ status: RequesterStatus) throws {
        try requireAdmin("user.\(status.rawValue) \(id)")
        guard let user = try registry.user(id) else { throw RegistryError.notFound("user \(id)") }
        try registry.setStatus(user: id, status.rawValue)
        let event = switch status {
        case .active: "user.reinstated"
        case .suspended: "user.suspended"
        case .revoked: "user.revoked"
        }
        try record(event, agency: user.agency, details: ["user": id, "previous": user.status])
    }

    /// `frs user train ID --date YYYY-MM-DD`.
    public func train(user id: String, date: String) throws {
        try requireAdmin("user.train \(id)")
        guard UTCDay.parse(date) != nil else { throw AdministrationError.invalidDate(date) }
        guard let user = try registry.user(id) else { throw RegistryError.notFound("user \(id)") }
        try registry.setTrained(user: id, date: date)
        try record("user.trained", agency: user.agency, details: ["user": id, "date": date])
    }
}

/// Why an administrative command was refused.
public enum AdministrationError: Error, Equatable, CustomStringConvertible {
    /// The acting uid is not a registered administrator.
    case notAdmin(UInt32)
    /// The spool has no database: run `frs init` first.
    case notInitialized(String)
    /// A date is not a valid `YYYY-MM-DD`.
    case invalidDate(String)
    /// A role is not one of the known roles.
    case invalidRole(String)

    public var description: String {
        switch self {
        case .notAdmin(let uid): "uid \(uid) is not a registered administrator of this spool"
        case .notInitialized(let root): "\(root) is not an initialized spool; run 'frs init' first"
        case .invalidDate(let text): "\"\(text)\" is not a date (YYYY-MM-DD)"
        case .invalidRole(let text): "\"\(text)\" is not a role (analyst, examiner, supervisor, auditor, admin)"
        }
    }
}
