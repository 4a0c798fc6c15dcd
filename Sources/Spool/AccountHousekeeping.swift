import Audit
import Basics
import Foundation
import Policy
import Store

/// The daemon's daily care of accounts (CJIS Security Policy 5.9.5, AC-2(3)): an account with no
/// activity for the policy's `inactive_disable_days` is disabled — suspended, audited as
/// `user.disabled-inactive`, and shown so on its agency's staff list, where its agency
/// administrator sees it (`frs user list`). An administrator or agency administrator reinstates it.
///
/// Activity is a request the daemon authenticated (a job, a review, an approval…), an
/// administrative command, or the registration itself. A person registered before activity was
/// kept has none recorded: their count starts at the first housekeeping.
public enum AccountHousekeeping {
    /// Disables the idle accounts.
    /// - Returns: the people disabled.
    @discardableResult
    public static func disableInactive(registry: Registry, audit: AuditLog, board: StatusBoard, policy: PolicyConfig,
                                       now: Date) throws -> [UserRecord] {
        let today = String(Registry.timestamp(now).prefix(10))
        let limit = Double(policy.inactiveDisableDays) * 86_400
        var disabled: [UserRecord] = []
        for person in try registry.users() where person.status == RequesterStatus.active.rawValue {
            guard let last = person.lastActive, let day = UTCDay.parse(last) else {
                try registry.recordActivity(uid: person.uid, now: now)
                continue
            }
            guard now.timeIntervalSince(day) >= limit else { continue }
            try registry.setStatus(user: person.id, RequesterStatus.suspended.rawValue, now: now)
            try audit.append(AuditEvent(.userDisabledInactive, actor: "daemon", agency: person.agency.isEmpty ? nil : person.agency,
                outcome: "suspended",
                details: ["user": person.id, "uid": "\(person.uid)", "last_active": last,
                          "inactive_disable_days": "\(policy.inactiveDisableDays)", "day": today]), now: now)
            disabled.append(person)
        }
        for agency in Set(disabled.map(\.agency)) where !agency.isEmpty {
            try? StaffList.publish(agency: agency, registry: registry, board: board)
        }
        return disabled
    }
}
