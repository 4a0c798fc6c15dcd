import Glibc

/// Unix accounts and groups as the kernel and the account database (`getpwnam`, `getgrnam`) know them.
///
/// frs works with numeric ids: a deployment names its service account and groups, but tests and
/// containers may use ids that no `/etc/passwd` entry names. Every lookup therefore accepts a name
/// or a number, and a number needs no entry.
public enum Accounts {
    /// A user given by name or number.
    public struct User: Sendable, Equatable {
        public var uid: UInt32
        /// The primary group (the account's entry; for a bare number without an entry, the same number).
        public var gid: UInt32
        /// The name, when the account database has one.
        public var name: String?

        public var description: String { name.map { "\($0) (uid \(uid))" } ?? "uid \(uid)" }
    }

    /// A group given by name or number.
    public struct Group: Sendable, Equatable {
        public var gid: UInt32
        public var name: String?
        /// Its listed members' names (the account database's supplementary members).
        public var members: [String]

        public var description: String { name.map { "\($0) (gid \(gid))" } ?? "gid \(gid)" }
    }

    /// Looks up a user by name or number.
    /// - Returns: `nil` for an unknown name (a number is always accepted).
    public static func user(_ nameOrNumber: String) -> User? {
        if let uid = UInt32(nameOrNumber) { return user(uid: uid) }
        guard let entry = getpwnam(nameOrNumber) else { return nil }
        return User(uid: UInt32(entry.pointee.pw_uid), gid: UInt32(entry.pointee.pw_gid), name: nameOrNumber)
    }

    /// The user with `uid`, with its name and primary group when the account database has an entry.
    public static func user(uid: UInt32) -> User {
        guard let entry = getpwuid(uid_t(uid)) else { return User(uid: uid, gid: uid, name: nil) }
        return User(uid: uid, gid: UInt32(entry.pointee.pw_gid), name: String(cString: entry.pointee.pw_name))
    }

    /// Looks up a group by name or number.
    /// - Returns: `nil` for an unknown name (a number is always accepted).
    public static func group(_ nameOrNumber: String) -> Group? {
        if let gid = UInt32(nameOrNumber) {
            guard let entry = getgrgid(gid_t(gid)) else { return Group(gid: gid, name: nil, members: []) }
            return group(entry)
        }
        guard let entry = getgrnam(nameOrNumber) else { return nil }
        return group(entry)
    }

    /// The group with `gid`, with its name when the account database has one.
    public static func group(gid: UInt32) -> Group {
        group("\(gid)") ?? Group(gid: gid, name: nil, members: [])
    }

    private static func group(_ entry: UnsafeMutablePointer<group>) -> Group {
        var members: [String] = []
        if var member = entry.pointee.gr_mem {
            while let name = member.pointee {
                members.append(String(cString: name))
                member += 1
            }
        }
        return Group(gid: UInt32(entry.pointee.gr_gid), name: String(cString: entry.pointee.gr_name), members: members)
    }

    /// Whether the account database makes `user` a member of `group` (its primary group, or listed as
    /// a member); `nil` when it cannot tell (a bare uid without an entry).
    public static func isMember(_ user: User, of group: Group) -> Bool? {
        if user.gid == group.gid { return true }
        guard let name = user.name else { return nil }
        return group.members.contains(name)
    }

    /// The groups this process acts with: its effective gid and supplementary groups.
    public static func processGroups() -> Set<UInt32> {
        var groups = Set([UInt32(getegid())])
        let count = getgroups(0, nil)
        if count > 0 {
            var list = [gid_t](repeating: 0, count: Int(count))
            let got = getgroups(count, &list)
            if got > 0 { groups.formUnion(list.prefix(Int(got)).map { UInt32($0) }) }
        }
        return groups
    }

    /// Changes the owner and group of `path` without following a symbolic link (`lchown`).
    /// - Throws: ``SystemCallError``.
    public static func changeOwner(_ path: String, uid: UInt32?, gid: UInt32?) throws(SystemCallError) {
        try SystemCall.run("lchown", path: path) {
            lchown(path, uid.map { uid_t($0) } ?? uid_t.max, gid.map { gid_t($0) } ?? gid_t.max)
        }
    }
}
