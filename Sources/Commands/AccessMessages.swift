import Glibc
import SystemCalls

/// Says why this account cannot read a directory of the spool, in words that name what would fix it
/// ("permission denied on outbox/audit/: members of group frs-audit (gid 980) may read it"), or `nil`
/// when it can.
///
/// - Parameters:
///   - path: the directory.
///   - what: how people call it (`outbox/audit/`).
///   - readers: who may read it, when its group says so (e.g. "members of group").
func directoryAccessProblem(_ path: String, what: String, readers: String = "members of group") -> String? {
    let status: FileStatus
    do {
        status = try FileStatus.following(path)
    } catch where error.errno == EACCES {
        return "permission denied on the way to \(what) (\(path)): this account may not pass through the spool's "
            + "directories; ask the administrator"
    } catch where error.errno == ENOENT {
        return "no \(what) at \(path): is the spool right (--spool or FRS_SPOOL) and initialized (frs init)?"
    } catch {
        return "cannot look at \(what) (\(path)): \(error)"
    }
    guard status.isDirectory else { return "\(path) is not a directory" }
    guard !FileStatus.isAccessible(path, R_OK | X_OK) else { return nil }
    let group = Accounts.group(gid: status.group)
    let owner = Accounts.user(uid: status.owner)
    return "permission denied on \(what) (\(path)): \(readers) \(group.description) may read it "
        + "(it belongs to \(owner.description)); ask the administrator to add this account (uid \(getuid())) to the group"
}
