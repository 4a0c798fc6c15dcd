import Foundation

/// What this process may do to other accounts' files. Most tests run as any user; a test that hands a
/// file to another uid (`chown`), or runs a command as another account, needs root and says so with
/// `.enabled(if: Privileges.isRoot, …)` or `.enabled(if: Privileges.canSwitchUser, …)`.
public enum Privileges {
    /// Whether this process is root (its effective uid is 0).
    public static var isRoot: Bool { geteuid() == 0 }

    /// Whether tests can run a command as another account: only root may, through `setpriv`.
    public static var canSwitchUser: Bool {
        isRoot && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
    }
}
