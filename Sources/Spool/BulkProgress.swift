import Foundation
import Glibc
import Results
import SystemCalls

/// The probe records of a bulk job written so far, kept on disk so an interrupted overnight run
/// resumes where it stopped instead of starting over.
///
/// Records are appended to `state/bulk/<job>.jsonl`, one JSON line each, synced every
/// ``syncInterval`` records. Opening it again after a crash keeps every complete line (a torn
/// last line is cut off) and reports which probes are done. When the job is finished the file is
/// synced and renamed to `outbox/results/<job>.jsonl` in one step.
public final class BulkProgress {
    /// The progress file.
    public let path: String
    /// Records between `fsync`s: at most this many probes are searched again after a crash.
    public let syncInterval: Int
    /// The probes already recorded (as the job names them).
    public private(set) var done: Set<String>
    /// Records in the file.
    public private(set) var count: Int

    private let descriptor: FileDescriptor
    private var unsynced = 0

    /// Opens (creating if needed) the progress file and reads what an earlier attempt recorded.
    /// - Throws: ``SystemCallError``.
    public init(path: String, syncInterval: Int = 16) throws {
        self.path = path
        self.syncInterval = max(1, syncInterval)
        let fd = try FileDescriptor.open(path, flags: O_RDWR | O_CREAT | O_NOFOLLOW, mode: 0o640)
        do {
            let bytes = try fd.readAll()
            // Keep complete lines only; a crash may have torn the last one.
            let end = (bytes.lastIndex(of: 0x0a).map { $0 + 1 }) ?? 0
            var done = Set<String>()
            var count = 0
            for line in bytes[..<end].split(separator: 0x0a) {
                guard let record = try? ProbeRecord.decodeLine(Array(line)) else { break }
                done.insert(record.image)
                count += 1
            }
            if end < bytes.count {
                try fd.truncate(to: Int64(end))
            }
            try fd.seekToEnd()
            self.done = done
            self.count = count
            descriptor = fd
        } catch {
            fd.closeIgnoringErrors()
            throw error
        }
    }

    deinit {
        descriptor.closeIgnoringErrors()
    }

    /// Appends one probe's record.
    public func append(_ record: ProbeRecord) throws {
        try descriptor.writeAll(try record.encodedLine() + [0x0a])
        done.insert(record.image)
        count += 1
        unsynced += 1
        if unsynced >= syncInterval {
            try descriptor.sync()
            unsynced = 0
        }
    }

    /// Syncs the records and renames the file to `destination` (the job's `.jsonl` result).
    public func finish(to destination: String) throws {
        try descriptor.sync()
        try DurableFile.rename(path, to: destination)
    }
}
