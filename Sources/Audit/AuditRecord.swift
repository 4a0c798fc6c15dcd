import Hashing

/// One line of the audit log: an ``AuditEvent`` plus its place in the chain.
///
/// ## Canonical form and the hash chain
///
/// A record is serialized as one JSON object on one line, keys always present and always in this
/// order (absent values are `null`, absent lists `[]`):
///
/// `seq, time, event, actor, agency, job, purpose, case_number, outcome, reasons, probe_sha256,
/// candidates, details, host, pid, prev, hash`
///
/// `details` keys are sorted by their UTF-8 bytes. Strings escape `"` and `\` with a backslash,
/// U+0008/0009/000A/000C/000D as `\b \t \n \f \r`, every other character below U+0020 and U+007F
/// as `\u00xx` (lowercase hex), and nothing else (non-ASCII text is written as UTF-8, `/` is not
/// escaped). Integers are plain decimal.
///
/// The *body* is that line without the `hash` member, i.e. ending `…,"prev":"<hex>"}`; then
///
///     hash = lowercase hex of SHA-256( prev + "\n" + body )
///
/// where `prev` is the previous record's `hash` (64 zeros for the very first record). `seq`
/// increases by one from 1 across every day file, and the first record of a day's file links to
/// the last record of the previous file. Editing, deleting, inserting or reordering a record breaks
/// the chain at that line or the next.
public struct AuditRecord: Sendable, Equatable {
    /// The event.
    public var event: AuditEvent
    /// Position in the chain, from 1, gapless across days.
    public var seq: Int
    /// When, UTC ISO 8601 with milliseconds: `2026-11-25T22:03:15.123Z`.
    public var time: String
    /// The host that wrote the record.
    public var host: String
    /// The process that wrote the record.
    public var pid: Int
    /// The previous record's hash (64 zeros for the first record).
    public var prev: String
    /// This record's hash.
    public var hash: String

    /// The `prev` of the very first record.
    public static let genesis = String(repeating: "0", count: 64)

    /// Builds a record and computes its hash.
    public init(event: AuditEvent, seq: Int, time: String, host: String, pid: Int, prev: String) {
        self.event = event
        self.seq = seq
        self.time = time
        self.host = host
        self.pid = pid
        self.prev = prev
        self.hash = ""
        self.hash = computedHash
    }

    /// Builds a record with a given hash (as read from a file; see ``computedHash`` to check it).
    public init(event: AuditEvent, seq: Int, time: String, host: String, pid: Int, prev: String, hash: String) {
        self.event = event
        self.seq = seq
        self.time = time
        self.host = host
        self.pid = pid
        self.prev = prev
        self.hash = hash
    }

    /// The hash the record should have: SHA-256 of `prev + "\n" + body`.
    public var computedHash: String {
        var hasher = SHA256()
        hasher.update(prev.utf8)
        hasher.update(CollectionOfOne(UInt8(ascii: "\n")))
        hasher.update(canonicalBody)
        return hasher.finalize().hexString
    }

    /// Whether ``hash`` matches the record's contents.
    public var isHashValid: Bool { hash == computedHash }

    /// The canonical line without the `hash` member (what is hashed), as UTF-8.
    public var canonicalBody: [UInt8] {
        var w = CanonicalJSONWriter()
        writeMembers(into: &w)
        w.endObject()
        return w.bytes
    }

    /// The canonical line, without the trailing newline, as UTF-8.
    public var canonicalLine: [UInt8] {
        var w = CanonicalJSONWriter()
        writeMembers(into: &w)
        w.key("hash"); w.string(hash)
        w.endObject()
        return w.bytes
    }

    private func writeMembers(into w: inout CanonicalJSONWriter) {
        w.beginObject()
        w.key("seq"); w.integer(seq)
        w.key("time"); w.string(time)
        w.key("event"); w.string(event.event)
        w.key("actor"); w.string(event.actor)
        w.key("agency"); w.optionalString(event.agency)
        w.key("job"); w.optionalString(event.job)
        w.key("purpose"); w.optionalString(event.purpose)
        w.key("case_number"); w.optionalString(event.caseNumber)
        w.key("outcome"); w.optionalString(event.outcome)
        w.key("reasons"); w.stringArray(event.reasons)
        w.key("probe_sha256"); w.stringArray(event.probeSHA256)
        w.key("candidates"); if let c = event.candidates { w.integer(c) } else { w.null() }
        w.key("details"); w.stringMap(event.details)
        w.key("host"); w.string(host)
        w.key("pid"); w.integer(pid)
        w.key("prev"); w.string(prev)
    }

    /// The record's UTC date, `YYYY-MM-DD` (the first ten characters of ``time``).
    public var day: String { String(time.prefix(10)) }
}
