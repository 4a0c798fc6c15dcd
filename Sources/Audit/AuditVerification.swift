/// The result of checking an audit directory: intact, or the first bad place and why.
public struct AuditVerification: Sendable, Equatable, CustomStringConvertible {
    /// What is wrong at the first bad line.
    public enum Problem: String, Sendable, Equatable {
        /// A file or the directory could not be read.
        case unreadable
        /// A line is not JSON, or lacks a field or has one of the wrong type.
        case malformed
        /// A record parses but its bytes are not its canonical form: the text was edited.
        case notCanonical = "not-canonical"
        /// A record's hash does not match its contents: the record was edited.
        case hashMismatch = "hash-mismatch"
        /// `seq` jumps ahead: records (or a whole day file) were deleted.
        case seqGap = "seq-gap"
        /// `seq` goes back or repeats: records were reordered, duplicated or inserted.
        case seqOutOfOrder = "seq-out-of-order"
        /// `prev` is not the previous record's hash: a record was inserted, deleted or replaced.
        case prevMismatch = "prev-mismatch"
        /// The last line of a file has no newline: the file was truncated (or a write was torn).
        case truncated
        /// A line is empty.
        case emptyLine = "empty-line"
        /// A record is dated after the day of the file that holds it.
        case misfiled
        /// The record at an anchor's `seq` has another hash: the log was rewritten.
        case anchorMismatch = "anchor-mismatch"
        /// The log ends before an anchor's `seq`: records were cut off the end.
        case anchorMissing = "anchor-missing"
        /// A record's probe manifest (`details.probe_manifest`) is missing, unreadable or not the
        /// file whose hash the record carries (`details.probe_manifest_sha256`).
        case manifestMismatch = "manifest-mismatch"
    }

    /// Where and why verification stopped.
    public struct Failure: Sendable, Equatable, CustomStringConvertible {
        /// The day file's name, e.g. `2026-11-25.jsonl` (or `""` for the directory itself).
        public var file: String
        /// The 1-based line number (0 for a whole-file problem).
        public var line: Int
        /// The kind of problem.
        public var problem: Problem
        /// A sentence for people.
        public var message: String

        public var description: String { "\(file):\(line): \(message)" }
    }

    /// The first failure, or `nil` when every chain is intact.
    public var failure: Failure?
    /// Records checked (up to the failure).
    public var records: Int
    /// Day files checked.
    public var files: Int
    /// The hash of the last good record (the head of the chain), to note elsewhere as an anchor.
    public var head: String?
    /// The log's own head anchor that was checked, if its file exists.
    public var headAnchor: AuditAnchor?
    /// Bytes of an incomplete last line of the newest day file, ignored: a record being written,
    /// or torn by a crash (the next append cuts it and records `audit.recovered`).
    public var tornTailBytes: Int?

    public init(failure: Failure?, records: Int, files: Int, head: String?) {
        self.failure = failure
        self.records = records
        self.files = files
        self.head = head
    }

    /// Whether the log is intact.
    public var isIntact: Bool { failure == nil }

    /// The last good record as an anchor (`seq` and hash), to note outside the log; `nil` if none.
    public var anchor: AuditAnchor? { head.map { AuditAnchor(seq: records, hash: $0) } }

    public var description: String {
        if let failure { return failure.description }
        var text = "ok: \(records) records in \(files) files; head \(anchor?.description ?? "none")"
        text += headAnchor == nil ? "; no head anchor file" : "; head anchor checked"
        if let torn = tornTailBytes {
            text += "; an incomplete last line (\(torn) bytes) ignored: being written, or torn by a crash"
        }
        return text
    }
}
