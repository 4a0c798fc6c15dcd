import Store

/// An agency's staff list on its status board (`outbox/jobs/<AGENCY>/staff.json`), written again
/// after every change of its people (by an administrator, or the daemon's housekeeping), so
/// `frs status` knows who may see the agency's jobs.
public enum StaffList {
    /// Writes the list of `agency`; nothing for an agency without a group (it has no board).
    /// - Throws: `DatabaseError`, ``SystemCalls/SystemCallError``, `EncodingError`.
    public static func publish(agency code: String, registry: Registry, board: StatusBoard) throws {
        guard let agency = try registry.agency(code), let group = agency.group else { return }
        let staff = try registry.users(agency: code).map {
            StaffEntry(uid: $0.uid, user: $0.id, role: $0.role, status: $0.status)
        }
        try board.publishStaff(staff, agency: code, group: group)
    }
}
