import Foundation

/// The append-only, hash-chained audit log: one `<YYYY-MM-DD>.jsonl` file per UTC day in one
/// directory (the spool's `outbox/audit`).
///
/// Each ``append(_:now:)`` takes an exclusive `flock` on `<dir>/.lock`, reads the last record of
/// the newest day file to learn the next `seq` and `prev`, writes the new line with one `write`
/// and `fsync`s it before returning. Any number of `AuditLog` instances, threads and processes
/// (on one host, or sharing a filesystem with working `flock`) may append to one directory: the
/// lock serializes them and the chain stays gapless.
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

    /// Opens (creating if needed) the log in `directory`.
    ///
    /// - Parameters:
    ///   - directory: where the day files live; created with mode 0750 if missing.
    ///   - host: the host name to record; defaults to `gethostname`.
    /// - Throws: ``AuditError`` if the directory cannot be created.
    public init(directory: String, host: String? = nil) throws {
        self.directory = directory
        self.host = host ?? AuditFile.hostName()
        self.pid = Int(getpid())
        try AuditFile.makeDirectory(directory, mode: AuditLog.directoryMode)
    }

    /// Appends one event and makes it durable.
    ///
    /// - Parameters:
    ///   - event: what happened.
    ///   - now: when; its UTC date chooses the day file (never older than the newest existing file).
    /// - Returns: the record written, with its `seq` and `hash`.
    /// - Throws: ``AuditError`` if the lock, read, write or `fsync` fails, the log's last record is
    ///   unreadable, or the event is too large.
    @discardableResult
    public func append(_ event: AuditEvent, now: Date = Date()) throws -> AuditRecord {
        let lockPath = path(AuditLog.lockFileName)
        let lockFD = try AuditFile.open(lockPath, O_RDWR | O_CREAT, mode: AuditLog.fileMode)
        defer { AuditFile.closeQuietly(lockFD) } // closing releases the flock
        try AuditFile.lockExclusive(lockFD, path: lockPath)

        let tail = try readTail()
        let time = AuditTime.format(now)
        let today = String(time.prefix(10))
        let targetDay = max(today, tail.newestDay ?? today)
        var seq = (tail.last?.seq ?? 0) + 1
        var prev = tail.last?.hash ?? AuditRecord.genesis
        var bytes: [UInt8] = []
        if let removed = tail.tornBytes, let file = tail.tornFile {
            let recovery = AuditRecord(
                event: AuditEvent(
                    event: "audit.recovered", actor: "audit", outcome: "truncated",
                    details: ["file": file, "removed_bytes": String(removed)]
                ),
                seq: seq, time: time, host: host, pid: pid, prev: prev
            )
            bytes += recovery.canonicalLine + [0x0a]
            seq += 1
            prev = recovery.hash
        }
        let record = AuditRecord(event: event, seq: seq, time: time, host: host, pid: pid, prev: prev)
        let line = record.canonicalLine
        guard line.count < AuditLog.maximumLineBytes else {
            throw AuditError(
                code: .recordTooLarge, message: "event \(event.event) makes a \(line.count)-byte line; the limit is \(AuditLog.maximumLineBytes)",
                path: directory
            )
        }
        bytes += line + [0x0a]

        let filePath = path(targetDay + ".jsonl")
        let fd = try AuditFile.open(filePath, O_WRONLY | O_APPEND | O_CREAT, mode: AuditLog.fileMode)
        defer { AuditFile.closeQuietly(fd) }
        if let removed = tail.tornBytes, tail.tornFile == targetDay + ".jsonl" {
            let size = try AuditFile.size(fd, path: filePath)
            try AuditFile.truncate(fd, to: size - removed, path: filePath)
        } else if let removed = tail.tornBytes, let tornFile = tail.tornFile {
            let tornPath = path(tornFile)
            let tfd = try AuditFile.open(tornPath, O_WRONLY)
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
        return record
    }

    /// What the newest day files end with.
    struct Tail {
        /// The newest day file's date, if any file exists.
        var newestDay: String?
        /// The last complete record of the log.
        var last: AuditRecord?
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
            let fd = try AuditFile.open(filePath, O_RDONLY)
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
