import Foundation

/// What a job id may be, and the ids the daemon gives to files that cannot answer under their own name.
///
/// A job id is the job file's name without `.json`: 1 to ``maximumLength`` bytes of `A–Z a–z 0–9 . _ -`,
/// not starting with `.` (`frs submit` makes ids like `20261202T033000Z-0123456789ab`). Every file
/// the daemon derives from an id (`outbox/results/<id>.json`, its temporary names, `<id>.jsonl`,
/// `<id>.html`, `evidence/<id>/`, `state/bulk/<id>.jsonl`) then fits in `NAME_MAX` with room to spare,
/// and no id can be read as a path or an option.
///
/// A file whose name is not a valid id is answered at once (denied, `input.bad-job-name`) under
/// ``forBadName(inode:)``. A file dropped under an id that an earlier job used is answered
/// (denied, `input.duplicate-job-id`) under ``duplicate(of:inode:attempt:)``: a job id belongs to
/// the first file that used it, forever (see ``JobLedger/bind(_:inode:owner:name:now:)``). The
/// inode is what the submitter can see of their own file (`stat -c %i`), so they can find the answer.
public enum JobID {
    /// The longest job id, in bytes.
    public static let maximumLength = 128

    /// Whether `id` may name a job.
    public static func isValid(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard (1...maximumLength).contains(bytes.count), bytes[0] != UInt8(ascii: ".") else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }

    /// The id a job file with an unusable name answers under: `badname-<inode>`.
    public static func forBadName(inode: UInt64) -> String { "badname-\(inode)" }

    /// The id a later file under an already used id answers under: `<id>.dup-<inode>`, then
    /// `<id>.dup-<inode>-2`, … should even that be taken (an inode number used again).
    public static func duplicate(of id: String, inode: UInt64, attempt: Int) -> String {
        attempt == 0 ? "\(id).dup-\(inode)" : "\(id).dup-\(inode)-\(attempt + 1)"
    }

    /// The id a later file answers under when the ``duplicate(of:inode:attempt:)`` ids are all
    /// taken — another account can bind those ahead of time, since it can see an inode number it
    /// will reuse: `<id>.dup-<inode>-<64 random bits>`, which nobody can take first. The id is
    /// shortened to keep the result within ``maximumLength``.
    public static func unguessableDuplicate(of id: String, inode: UInt64) -> String {
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let suffix = ".dup-\(inode)-\(random)"
        return String(id.prefix(maximumLength - suffix.utf8.count)) + suffix
    }
}
