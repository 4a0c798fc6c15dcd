import Foundation

/// Whole UTC calendar days, for the policy's day-granular rules (training validity, termination)
/// and the audit log's timestamps and day files.
///
/// Dates in the registry are calendar dates (`--trained 2025-03-01`); comparing them by day rather
/// than by second means "365 days" means the same thing whatever the hour of the request.
public enum UTCDay {
    /// The number of whole days since 1970-01-01 UTC (negative before it).
    public static func number(of date: Date) -> Int {
        Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
    }

    /// Midnight UTC at the start of day `day`.
    public static func start(ofDay day: Int) -> Date {
        Date(timeIntervalSince1970: Double(day) * 86_400)
    }

    /// Parses `YYYY-MM-DD` as midnight UTC; `nil` if it is not a valid calendar date.
    public static func parse(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), d >= 1, d <= daysInMonth(year: y, month: m)
        else { return nil }
        return start(ofDay: daysFromCivil(year: y, month: m, day: d))
    }

    /// Formats a date's UTC day as `YYYY-MM-DD`.
    public static func format(_ date: Date) -> String {
        let (y, m, d) = civil(fromDays: number(of: date))
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The proleptic Gregorian date of a day number (H. Hinnant's `civil_from_days`).
    public static func civil(fromDays z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
