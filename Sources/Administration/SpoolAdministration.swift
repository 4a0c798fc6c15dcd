import Audit
import Basics
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
        try registry.recordActivity(uid: uid, now: clock())  // an administrative command is activity (AccountHousekeeping)
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
    ///
    /// - Parameters:
    ///   - daemonUser: the service account that runs the daemon (root gives it the spool): every
    ///     directory, the database and the audit files become its own. `nil` keeps the invoking
    ///     account as the owner (a one-account spool, like the demo's).
    ///   - auditorsGroup: the group whose members read `outbox/audit/` (the directory is given to it,
    ///     setgid, so every day file is the group's too).
    /// - Throws: ``SystemCallError`` (`EPERM` when a non-root account asks for another owner),
    ///   `DatabaseError`, ``Audit/AuditError``.
    @discardableResult
    public static func initialize(layout: SpoolLayout, uid: UInt32, daemonUser: Accounts.User? = nil,
                                  auditorsGroup: Accounts.Group? = nil, now: Date = Date()) throws -> InitReport {
        try layout.create()
        let created = !FileStatus.exists(layout.database)
        let database = try SpoolDatabase.open(layout)
        // The database holds the registry and the gallery's descriptors: owner only, whatever the
        // umask (SQLite gives its -wal and -shm files the database file's mode).
        for path in [layout.database, layout.database + "-wal", layout.database + "-shm"] where FileStatus.exists(path) {
            try FileStatus.setPermissions(of: path, to: 0o600)
        }
        let registry = Registry(database: database)
        let audit = try AuditLog(directory: layout.audit)
        let added = try database.transaction { () throws -> Bool in
            guard try registry.adminCount() == 0 else { return false }
            return try registry.addAdmin(uid: uid, now: now)
        }
        if created {
            var details = ["spool": layout.root]
            details["daemon_user"] = daemonUser.map { "\($0.uid)" }
            details["auditors_group"] = auditorsGroup.map { "\($0.gid)" }
            try audit.append(AuditEvent(.spoolInitialized, actor: "uid:\(uid)", outcome: "ok",
                                        details: details), now: now)
        }
        if added {
            try audit.append(AuditEvent(.adminAdded, actor: "uid:\(uid)", outcome: "ok",
                                        details: ["uid": "\(uid)", "first": "true"]), now: now)
        }
        if let daemonUser { try giveSpool(layout, to: daemonUser) }
        if let auditorsGroup { try giveAudit(layout, to: auditorsGroup) }
        return InitReport(createdDatabase: created, addedAdmin: added)
    }

    /// Makes the service account the owner of the spool: every directory of the layout and what is in
    /// the daemon's own directories (the database, locks, the audit files, the status board). Files
    /// people dropped (in `tmp/`, `incoming/`) stay theirs: their owner is their identity.
    static func giveSpool(_ layout: SpoolLayout, to user: Accounts.User) throws {
        let dropBoxes = Set([layout.tmp, layout.incoming])
        let layoutDirectories = Set(layout.directories.map(\.path))
        for (directory, mode) in layout.directories {
            // The audit log keeps its group (the auditors'), given by --auditors-group.
            try Accounts.changeOwner(directory, uid: user.uid, gid: directory == layout.audit ? nil : user.gid)
            try FileStatus.setPermissions(of: directory, to: mode)  // chown clears setgid
            guard !dropBoxes.contains(directory), directory != layout.statusBoard else { continue }
            // What is in them becomes the service's too, each file keeping its group: a result's is
            // its agency's, the audit log's the auditors', a board's the agency's; running init again
            // never takes a file from the people who read it.
            for name in try Directory.entries(directory) {
                let path = directory + "/" + name
                guard !layoutDirectories.contains(path) else { continue }
                try Accounts.changeOwner(path, uid: user.uid, gid: nil)
                if try FileStatus.of(path).isDirectory {
                    for inner in try Directory.entries(path) {
                        try Accounts.changeOwner(path + "/" + inner, uid: user.uid, gid: nil)
                    }
                }
            }
        }
        for agency in (try? Directory.entries(layout.statusBoard)) ?? [] {
            let board = layout.statusBoard + "/" + agency
            try Accounts.changeOwner(board, uid: user.uid, gid: nil)
            try FileStatus.setPermissions(of: board, to: 0o2750)
            for name in try Directory.entries(board) { try Accounts.changeOwner(board + "/" + name, uid: user.uid, gid: nil) }
        }
    }

    /// Gives `outbox/audit/` and its files to the auditors' group (directory 2750, files 0640).
    static func giveAudit(_ layout: SpoolLayout, to group: Accounts.Group) throws {
        try Accounts.changeOwner(layout.audit, uid: nil, gid: group.gid)
        try FileStatus.setPermissions(of: layout.audit, to: 0o2750)
        let anchor = AuditLog.anchorPath(forDirectory: layout.audit)
        if FileStatus.exists(anchor) { try Accounts.changeOwner(anchor, uid: nil, gid: group.gid) }
        for name in try Directory.entries(layout.audit) where name.hasSuffix(".jsonl") {
            let path = layout.audit + "/" + name
            try Accounts.changeOwner(path, uid: nil, gid: group.gid)
            try FileStatus.setPermissions(of: path, to: 0o640)
        }
    }

    /// The daemon's account: the owner of the spool directory.
    public var daemonUID: UInt32? { try? FileStatus.of(layout.root).owner }

    /// The actor's name in audit records: the id of a registered user of this uid, else `uid:N`.
    public var actor: String {
        let users = (try? registry.users(uid: uid)) ?? []
        return users.first(where: { $0.role == Role.admin.rawValue })?.id ?? users.first?.id ?? "uid:\(uid)"
    }

    /// What the acting account may administer.
    public func authority() throws -> Authority { try Authority(uid: uid, registry: registry) }

    /// Throws unless the acting uid is an administrator (the refusal is audited too).
    func requireAdmin(_ change: String) throws {
        try require(try authority().isAdministrator, change, because: AdministrationError.notAdmin(uid))
    }

    /// Throws `error` unless `allowed`, auditing the refusal (`admin.refused`, with the change asked for).
    func require(_ allowed: Bool, _ change: String, because error: @autoclosure () -> AdministrationError) throws {
        guard allowed else {
            let error = error()
            try audit.append(AuditEvent(.adminRefused, actor: "uid:\(uid)", outcome: "denied",
                                        details: ["change": change, "message": error.description]), now: clock())
            throw error
        }
    }

    func record(_ event: AuditEventName, agency: String? = nil, details: [String: String]) throws {
        try audit.append(AuditEvent(event, actor: actor, agency: agency, outcome: "ok", details: details),
                         now: clock())
    }

    /// `frs agency add CODE --name NAME [--group GROUP]`: the agency's staff (members of `group`) read
    /// its results, sheets and status board.
    /// - Returns: warnings for the administrator (e.g. the daemon's account is not a member of the
    ///   group, so it could not give the agency's results to it).
    @discardableResult
    public func addAgency(code: String, name: String, group: Accounts.Group? = nil) throws -> [String] {
        try requireAdmin("agency.add \(code)")
        guard code.range(of: "^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$", options: .regularExpression) != nil else {
            throw AdministrationError.invalidCode(code)
        }
        try registry.addAgency(code: code, name: name, group: group?.gid, now: clock())
        var details = ["code": code, "name": name]
        details["group"] = group.map { "\($0.gid)" }
        try record(.agencyAdded, agency: code, details: details)
        guard let group else {
            return ["agency \(code) has no group: its results stay readable by the daemon's account only; "
                    + "give it one with --group so its staff can read them"]
        }
        var warnings: [String] = []
        do {
            try layout.board.prepare(agency: code, group: group.gid)
            try publishStaff(agency: code)
        } catch {
            warnings.append("could not create the agency's status board outbox/jobs/\(code)/ in group \(group.description): \(error)")
        }
        if let daemon = daemonUID, daemon != 0 {
            let user = Accounts.user(uid: daemon)
            switch Accounts.isMember(user, of: group) {
            case .some(true): break
            case .some(false):
                warnings.append("the daemon's account \(user.description) is not a member of group \(group.description): "
                                + "it cannot give agency \(code)'s results to the group; add it "
                                + "(usermod -aG \(group.name ?? "\(group.gid)") \(user.name ?? "\(user.uid)")) and restart the daemon")
            case .none:
                warnings.append("cannot tell whether the daemon's account \(user.description) is a member of group "
                                + "\(group.description) (no account entry): it must be, to give agency \(code)'s results to the group")
            }
        }
        return warnings
    }

    /// Writes an agency's staff list on its status board (``Spool/StaffEntry``), after every change
    /// of its people, so `frs status` knows who may see the agency's jobs. Best effort for agencies
    /// without a group or a board.
    func publishStaff(agency code: String) throws {
        try StaffList.publish(agency: code, registry: registry, board: layout.board)
    }

    /// `frs agency terminate CODE --notice-date YYYY-MM-DD`.
    public func terminateAgency(code: String, noticeDate: String) throws {
        try requireAdmin("agency.terminate \(code)")
        guard UTCDay.parse(noticeDate) != nil else { throw AdministrationError.invalidDate(noticeDate) }
        try registry.terminateAgency(code: code, noticeDate: noticeDate)
        try record(.agencyTerminated, agency: code, details: ["code": code, "notice_date": noticeDate])
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
    /// An agency code is not 1–32 letters, digits, `-` or `_` (it names a directory).
    case invalidCode(String)
    /// The acting account may not make this change (who it is, and what it may do instead).
    case notPermitted(String)
    /// The change contradicts the registry's rules (one uid, one person; no reuse within a year).
    case conflict(String)

    public var description: String {
        switch self {
        case .notAdmin(let uid): "uid \(uid) is not a registered administrator of this spool"
        case .notInitialized(let root): "\(root) is not an initialized spool; run 'frs init' first"
        case .invalidDate(let text): "\"\(text)\" is not a date (YYYY-MM-DD)"
        case .invalidRole(let text): "\"\(text)\" is not a role (\(Role.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .invalidCode(let text): "\"\(text)\" is not an agency code (1 to 32 letters, digits, - or _)"
        case .notPermitted(let text): text
        case .conflict(let text): text
        }
    }
}
