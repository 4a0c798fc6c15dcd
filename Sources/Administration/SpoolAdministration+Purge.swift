import Audit
import Foundation
import Spool

extension SpoolAdministration {
    /// `frs purge [--older-than DAYS]`: removes evidence and results past retention, never the
    /// audit log (see ``RetentionPurge``). Administrators only; audited as `purge.done` with the
    /// cutoff and what was removed (a refusal as `admin.refused`).
    ///
    /// - Parameter olderThanDays: the retention in days (a negative value is taken as 0); `nil`
    ///   takes the policy file's `retention_days`.
    /// - Returns: what was removed.
    /// - Throws: ``AdministrationError/notAdmin(_:)``; ``SystemCallError``; audit log errors.
    public func purge(olderThanDays: Int?) throws -> RetentionPurge.Report {
        try requireAdmin("purge")
        let days = max(0, try olderThanDays ?? layout.loadPolicy().retentionDays)
        let now = clock()
        let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
        let report = try RetentionPurge(layout: layout).purge(before: cutoff)
        // The job list is bounded so that one audit line stays well under the log's line limit.
        let listed = report.jobs.prefix(2_000)
        var details = [
            "older_than_days": "\(days)", "cutoff": cutoff.formatted(.iso8601), "jobs_removed": "\(report.jobs.count)",
            "files_removed": "\(report.files)", "bytes_removed": "\(report.bytes)", "answers_removed": "\(report.answers)",
            "jobs": listed.joined(separator: ","),
        ]
        if listed.count < report.jobs.count { details["jobs_truncated"] = "\(report.jobs.count - listed.count) more" }
        try record(.purgeDone, details: details)
        return report
    }
}
