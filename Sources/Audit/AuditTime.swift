import Basics
import Foundation

/// UTC timestamps for audit records: ISO 8601 with milliseconds, `2026-11-25T22:03:15.123Z`.
public enum AuditTime {
    /// Formats `date` (rounded down to the millisecond).
    public static func format(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let msOfDay = ((ms % 86_400_000) + 86_400_000) % 86_400_000
        let day = Int((ms - msOfDay) / 86_400_000)
        let (y, m, d) = UTCDay.civil(fromDays: day)
        let h = msOfDay / 3_600_000
        let mi = msOfDay / 60_000 % 60
        let s = msOfDay / 1000 % 60
        let f = msOfDay % 1000
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d, Int(h), Int(mi), Int(s), Int(f))
    }

    /// The UTC date of `date` as `YYYY-MM-DD`: the name of its day file.
    public static func day(_ date: Date) -> String {
        String(format(date).prefix(10))
    }

    /// Whether `name` is a day file's name: `YYYY-MM-DD.jsonl`.
    public static func isDayFileName(_ name: String) -> Bool {
        let u = Array(name.utf8)
        guard u.count == 16, name.hasSuffix(".jsonl") else { return false }
        for (i, b) in u.prefix(10).enumerated() {
            if i == 4 || i == 7 {
                if b != UInt8(ascii: "-") { return false }
            } else if !(0x30...0x39).contains(b) {
                return false
            }
        }
        return true
    }
}
