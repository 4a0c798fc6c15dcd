import Foundation
import Synchronization

/// The append-only, hash-chained audit log: one `<YYYY-MM-DD>.jsonl` file per UTC day in one
/// directory (the spool's `outbox/audit`).
///
/// Each ``append(_:now:)`` takes an exclusive `flock` on `<dir>/.lock`, reads the last record of
/// the newest day file to learn the next `seq` and `prev`, writes the new line with one `write`
/// and `fsync`s it before returning. Any number of `AuditLog` instances, threads and processes
/// on one host may append to one directory: the lock serializes them and the chain stays gapless.
/// The lock file is mode 0600 (set again at every append), so only the log's owner can open it:
/// an auditor who may read the log cannot take the lock and stall appends. Readers
/// (``AuditVerifier``, ``AuditReader``) take no lock: they read complete lines only.
///
/// ## The head anchor
/// After each record is durable, the log writes its `SEQ:HASH` to ``anchorPath`` (`<dir>.head`,
/// i.e. `outbox/audit.head` beside `outbox/audit/`; tmp + `fsync` + `rename`, mode 0640, the
/// directory's group) and, when ``announcesHeadsToSyslog`` is on (the daemon), to syslog. The
/// chain alone cannot show that records were cut off its end (the newest day file deleted, or cut
/// at a line boundary); the anchor can: ``AuditVerifier`` checks it by default, and an append
/// refuses to continue a log whose last record is behind the anchor
/// (``AuditError/Code-swift.enum/behindAnchor``) instead of chaining on from what is left. The
/// anchor may lag the log by the records of a crash or a failed anchor write (never lead it): the
/// log is written first.
///
/// A torn last line (a crash in the middle of the `write`) is cut off by the next append, which
/// first records an `audit.recovered` event saying how many bytes were removed; a last line that
/// is complete but unreadable is not touched, and appending fails with
/// ``AuditError/Code-swift.enum/corruptTail`` (the chain cannot be continued from it).
///
/// Files are created with mode 0640, the directory with 0750. See ``AuditRecord`` for the
/// record format and the hash chain, ``AuditVerifier`` for checking it.
public final class AuditLog: Sendable {
    /// The log's directory.
    public let directory: String
    /// The host name written in each record.
    public let host: String
    /// The process id written in each record.
    public let pid: Int

    /// The longest line the log writes.
    public static let maximumLineBytes = 256 << 10
    /// Mode of day files.
    public static let fileMode: mode_t = 0o640
    /// Mode of the log directory.
    public static let directoryMode: mode_t = 0o750
    /// The lock file's name inside the directory.
    public static let lockFileName = ".lock"
    /// Mode of the lock file: the owner's only, so that readers cannot take the lock.
    public static let lockFileMode: mode_t = 0o600

    /// Where the head anchor of the log in `directory` is kept: `<directory>.head`
    /// (`outbox/audit` → `outbox/audit.head`), outside the day files' directory.
    public static func anchorPath(forDirectory directory: String) -> String {
        var d = directory
        while d.count > 1, d.hasSuffix("/") { d.removeLast() }
        return d + ".head"
    }

    /// The file holding the newest record's `SEQ:HASH` (``anchorPath(forDirectory:)``).
    public let anchorPath: String

    /// Whether logs also send each new head to syslog (`frs-audit: head SEQ:HASH DIR`, facility
    /// `LOG_AUTHPRIV`, level `LOG_NOTICE`), where the daemon's account cannot rewrite it.
    /// Off by default (tests); `frs daemon` turns it on for its process.
    public static let announcesHeadsToSyslog = Atomic<Bool>(false)

    /// Opens (creating if needed) the log in `directory`.
    ///
    /// - Parameters:
    ///   - directory: where the day files live; created with mode 0750 if missing.
    ///   - host: the host name to record; defaults to `gethostname`.
    /// - Throws: ``AuditError`` if the directory cannot be created.
    public init(directory: String, host: String? = nil) throws {
        self.directory = directory
        self.anchorPath = AuditLog.anchorPath(forDirectory: directory)
        self.host = host ?? AuditFile.hostName()
        self.pid = Int(getpid())
        try AuditFile.makeDirectory(directory, mode: AuditLog.directoryMode)
    }

    /// Appends one event and makes it durable.
    ///
    /// - Parameters:
    ///   - event: what happened; its text fields are bounded (``AuditEvent/bounded``).
    ///   - now: when; its UTC date chooses the day file (never older than the newest existing file).
    /// - Returns: the record written, with its `seq` and `hash`.
    /// - Throws: ``AuditError`` if the lock, read, write or `fsync` fails, the log's last record is
    ///   unreadable, the log is behind its head anchor (records were removed from its end) or the
    ///   anchor is unreadable, or the event is too large.
    @discardableResult
    public func append(_ event: AuditEvent, now: Date = Date()) throws -> AuditRecord {
        let lockFD = try lock()
        defer { AuditFile.closeQuietly(lockFD) } // closing releases the flock

        let tail = try readTail()
        try checkAgainstAnchor(tail)
        let time = AuditTime.format(now)
        let today = String(time.prefix(10))
        let targetDay = max(today, tail.newestDay ?? today)
        var seq = (tail.last?.seq ?? 0) + 1
        var prev = tail.last?.hash ?? AuditRecord.genesis
        var bytes: [UInt8] = []
        if let removed = tail.tornBytes, let file = tail.tornFile {
            let recovery = AuditRecord(
                event: AuditEvent(.auditRecovered, actor: "audit", outcome: "truncated",
                    details: ["file": file, "removed_bytes": String(removed)]
                ),
                seq: seq, time: time, host: host, pid: pid, prev: prev
            )
            bytes += recovery.canonicalLine + [0x0a]
            seq += 1
            prev = recovery.hash
        }
        // Text fields bounded: a hostile request's oversized field does not become the log's size.
        let record = AuditRecord(event: event.bounded, seq: seq, time: time, host: host, pid: pid, prev: prev)
        let line = record.canonicalLine
        guard line.count < AuditLog.maximumLineBytes else {
            throw AuditError(
                code: .recordTooLarge, message: "event \(event.event) makes a \(line.count)-byte line; the limit is \(AuditLog.maximumLineBytes)",
                path: directory
            )
        }
        bytes += line + [0x0a]

        let filePath = path(targetDay + ".jsonl")
        let fd = try AuditFile.openFile(filePath, O_WRONLY | O_APPEND | O_CREAT, mode: AuditLog.fileMode)
        defer { AuditFile.closeQuietly(fd) }
        if let removed = tail.tornBytes, tail.tornFile == targetDay + ".jsonl" {
            let size = try AuditFile.size(fd, path: filePath)
            try AuditFile.truncate(fd, to: size - removed, path: filePath)
        } else if let removed = tail.tornBytes, let tornFile = tail.tornFile {
            let tornPath = path(tornFile)
            let tfd = try AuditFile.openFile(tornPath, O_WRONLY)
            defer { AuditFile.closeQuietly(tfd) }
            let size = try AuditFile.size(tfd, path: tornPath)
            try AuditFile.truncate(tfd, to: size - removed, path: tornPath)
            try AuditFile.sync(tfd, path: tornPath)
        }
        let created = try AuditFile.size(fd, path: filePath) == 0
        if created { try AuditFile.setMode(fd, AuditLog.fileMode, path: filePath) }
        let sizeBefore = try AuditFile.size(fd, path: filePath)
        do {
            try AuditFile.writeAll(fd, bytes, path: filePath)
        } catch {
            // A short write (a full disk) must not leave a torn record behind for `verify` to
            // report: take the partial line back (shrinking needs no space). When this append was
            // itself recovering a torn tail, leave it: the next append records that recovery.
            if tail.tornBytes == nil { try? AuditFile.truncate(fd, to: sizeBefore, path: filePath) }
            throw error
        }
        try AuditFile.sync(fd, path: filePath)
        if created { try AuditFile.syncDirectory(directory) }
        // The record is durable; the anchor follows it. A failed anchor write leaves the previous
        // anchor, behind the log, which the next append replaces: it never fails the append.
        let head = AuditAnchor(seq: record.seq, hash: record.hash)
        try? AuditFile.replaceAtomically(anchorPath, contents: Array((head.description + "\n").utf8),
                                        mode: AuditLog.fileMode, groupOf: directory)
        if AuditLog.announcesHeadsToSyslog.load(ordering: .relaxed) {
            AuditFile.syslogNotice("frs-audit: head \(head) \(directory)")
        }
        return record
    }

    /// Checks, under the lock, that the log's last record is readable and not behind its head
    /// anchor: what ``append(_:now:)`` checks first, for a daemon to refuse to start.
    ///
    /// - Throws: ``AuditError`` (`corruptTail`, `behindAnchor`, `badAnchor`, or a failed call).
    public func checkHead() throws {
        let lockFD = try lock()
        defer { AuditFile.closeQuietly(lockFD) }
        try checkAgainstAnchor(try readTail())
    }

    /// Opens `<dir>/.lock` and takes the exclusive `flock`; closing the descriptor releases it.
    func lock() throws -> Int32 {
        let lockPath = path(AuditLog.lockFileName)
        let lockFD = try AuditFile.openFile(lockPath, O_RDWR | O_CREAT | O_NOFOLLOW, mode: AuditLog.lockFileMode)
        do {
            // A lock file created by an older version (0640) becomes private: group readers could
            // otherwise open it and hold the flock, stalling every append.
            try AuditFile.setMode(lockFD, AuditLog.lockFileMode, path: lockPath)
            try AuditFile.lockExclusive(lockFD, path: lockPath)
        } catch {
            AuditFile.closeQuietly(lockFD)
            throw error
        }
        return lockFD
    }

    /// The head anchor of the log, if one was written.
    ///
    /// - Throws: ``AuditError`` (`badAnchor`) when the file exists but is not `SEQ:HASH`, or
    ///   cannot be read.
    public func readAnchor() throws -> AuditAnchor? {
        try AuditLog.readAnchor(at: anchorPath)
    }

    /// The anchor stored at `path`: `nil` if there is no such file.
    public static func readAnchor(at path: String) throws -> AuditAnchor? {
        let bytes: [UInt8]
        do {
            bytes = try AuditFile.readAll(path, limit: 4096)
        } catch let error as AuditError where error.errno == ENOENT {
            return nil
        } catch let error as AuditError {
            throw AuditError(code: .badAnchor, message: "the head anchor cannot be read: \(error.message)", path: path, errno: error.errno)
        }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let anchor = AuditAnchor(parsing: text) else {
            throw AuditError(
                code: .badAnchor,
                message: "the head anchor is not SEQ:HASH; the daemon writes it atomically, so it was changed by hand: "
                    + "check the log with 'frs audit verify --anchor SEQ:HASH' against an anchor noted elsewhere, then restore the file",
                path: path)
        }
        return anchor
    }

    /// Refuses to continue a log whose end is behind its anchor: records were cut off the end, and
    /// the next record would chain on from what is left, hiding the cut.
    func checkAgainstAnchor(_ tail: Tail) throws {
        guard let anchor = try readAnchor() else { return }
        let headSeq = tail.last?.seq ?? 0
        let place = tail.lastFile.map { "the last record, in \($0), is seq \(headSeq)" } ?? "the log has no records"
        if headSeq < anchor.seq {
            throw AuditError(
                code: .behindAnchor,
                message: "\(place), but the head anchor \(anchorPath) records seq \(anchor.seq): records "
                    + (headSeq + 1 == anchor.seq ? "\(anchor.seq)" : "\(headSeq + 1)–\(anchor.seq)")
                    + " were removed from the end of the log (a day file deleted or cut). Appending is refused so the "
                    + "chain does not continue from what is left: restore the missing records from a backup "
                    + "('frs audit verify' names what is missing), then start the daemon again. If they are lost for "
                    + "good, note that in the incident record and remove \(anchorPath) to go on (syslog keeps the old heads)",
                path: directory)
        }
        if headSeq == anchor.seq, let last = tail.last, last.hash != anchor.hash {
            throw AuditError(
                code: .behindAnchor,
                message: "\(place) but its hash is not the one the head anchor \(anchorPath) records "
                    + "(\(anchor.hash.prefix(12))…): the end of the log was replaced. Appending is refused; "
                    + "run 'frs audit verify' and restore the log from a backup",
                path: directory)
        }
    }

    /// What the newest day files end with.
    struct Tail {
        /// The newest day file's date, if any file exists.
        var newestDay: String?
        /// The last complete record of the log.
        var last: AuditRecord?
        /// The day file holding ``last``.
        var lastFile: String?
        /// The day file whose last line is torn (no newline), and how many bytes that tail has.
        var tornFile: String?
        var tornBytes: Int?
    }

    /// Finds the last record: the last line of the newest non-empty day file. Call under the lock.
    func readTail() throws -> Tail {
        let days = try AuditLog.dayFiles(in: directory)
        var tail = Tail(newestDay: days.last.map { String($0.prefix(10)) })
        for name in days.reversed() {
            let filePath = path(name)
            let fd = try AuditFile.openFile(filePath, O_RDONLY)
            defer { AuditFile.closeQuietly(fd) }
            let size = try AuditFile.size(fd, path: filePath)
            if size == 0 { continue }
            var chunk = 64 << 10
            while true {
                let start = max(0, size - chunk)
                let bytes = try AuditFile.read(fd, offset: start, count: size - start, path: filePath)
                // Everything after the last newline is a torn write.
                let lastNewline = bytes.lastIndex(of: 0x0a)
                if tail.tornBytes == nil, tail.last == nil {
                    let torn = bytes.count - (lastNewline.map { $0 + 1 } ?? 0)
                    if torn > 0, lastNewline != nil || start == 0 {
                        tail.tornFile = name
                        tail.tornBytes = torn
                    }
                }
                guard let end = lastNewline else {
                    if start == 0 { break } // no complete line in this file: only a torn one
                    chunk *= 2
                    continue
                }
                let lineStart = bytes[..<end].lastIndex(of: 0x0a).map { $0 + 1 }
                if lineStart == nil, start > 0 { chunk *= 2; continue }
                let line = bytes[(lineStart ?? 0)..<end]
                do {
                    tail.last = try AuditRecord.decode(line: line)
                    tail.lastFile = name
                } catch {
                    throw AuditError(
                        code: .corruptTail,
                        message: "the last record cannot be read (\(error)); run 'frs audit verify' and restore the log before appending",
                        path: filePath
                    )
                }
                return tail
            }
        }
        return tail
    }

    /// The day files in `directory`, oldest first.
    static func dayFiles(in directory: String) throws -> [String] {
        try AuditFile.list(directory).filter(AuditTime.isDayFileName).sorted()
    }

    private func path(_ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
