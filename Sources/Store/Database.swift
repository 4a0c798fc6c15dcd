import CSQLite
import Foundation

/// A SQLite connection (WAL journal, `synchronous=FULL`, foreign keys on, a busy timeout for
/// several processes).
///
/// Durability: every connection runs with `synchronous=FULL`, so a committed transaction survives
/// a power loss (in WAL mode `NORMAL` may lose the last commits, e.g. a supervisor's recorded
/// approval or a ledger step the exactly-once protocol relies on). The registry, the job ledger
/// and the gallery share one database file, so they share the setting; a gallery enroll costs
/// one more `fsync` per transaction, which is negligible beside decoding and describing its images.
///
/// One connection is used by one thread at a time; the type is not `Sendable`. Open one per
/// thread or guard it with a lock. Statements are prepared per call; the hot paths of frs (the
/// face engine, matching) never touch SQLite.
public final class Database {
    private var handle: OpaquePointer?
    /// The file this connection opened.
    public let path: String

    /// Opens (creating if needed) the database at `path`.
    /// - Parameter busyTimeout: how long a write waits for another process's lock, in milliseconds.
    public init(path: String, busyTimeout: Int32 = 10_000) throws(DatabaseError) {
        self.path = path
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            handle = nil
            throw DatabaseError(code: rc, message: message, sql: "open \(path)", path: path)
        }
        sqlite3_busy_timeout(handle, busyTimeout)
        try execute("PRAGMA journal_mode=WAL")
        try execute("PRAGMA foreign_keys=ON")
        try execute("PRAGMA synchronous=FULL")
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws(DatabaseError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw DatabaseError(code: rc, message: text, sql: sql, path: path)
        }
    }

    /// Runs one statement with bound parameters (`?` placeholders) and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws(DatabaseError) -> [Row] {
        var rows: [Row] = []
        try forEachRow(sql, parameters) { rows.append($0) }
        return rows
    }

    /// Runs one statement with bound parameters and hands each row to `body` as it is stepped,
    /// without collecting them (for large reads such as every gallery descriptor).
    public func forEachRow(
        _ sql: String, _ parameters: [SQLValue] = [], _ body: (Row) -> Void
    ) throws(DatabaseError) {
        var statement: OpaquePointer?
        var rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK else { throw error(rc, sql) }
        defer { sqlite3_finalize(statement) }
        for (i, value) in parameters.enumerated() {
            let index = Int32(i + 1)
            switch value {
            case .null: rc = sqlite3_bind_null(statement, index)
            case .integer(let v): rc = sqlite3_bind_int64(statement, index, v)
            case .real(let v): rc = sqlite3_bind_double(statement, index, v)
            case .text(let v): rc = sqlite3_bind_text(statement, index, v, -1, csqlite_transient())
            case .blob(let v):
                rc = v.withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), csqlite_transient()) }
            }
            guard rc == SQLITE_OK else { throw error(rc, sql) }
        }
        while true {
            rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error(rc, sql) }
            let count = sqlite3_column_count(statement)
            var values: [SQLValue] = []
            values.reserveCapacity(Int(count))
            for c in 0..<count {
                switch sqlite3_column_type(statement, c) {
                case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(statement, c)))
                case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(statement, c)))
                case SQLITE_TEXT: values.append(.text(String(cString: sqlite3_column_text(statement, c))))
                case SQLITE_BLOB:
                    let n = Int(sqlite3_column_bytes(statement, c))
                    if n > 0, let p = sqlite3_column_blob(statement, c) {
                        values.append(.blob([UInt8](UnsafeRawBufferPointer(start: p, count: n))))
                    } else {
                        values.append(.blob([]))
                    }
                default: values.append(.null)
                }
            }
            body(Row(values: values))
        }
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// The rowid of the last INSERT.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT` (rolled back if it throws). IMMEDIATE takes
    /// the write lock up front, so two processes never deadlock upgrading a read lock.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        // Inside a transaction already (a caller's): its body is part of that one.
        guard sqlite3_get_autocommit(handle) != 0 else { return try body() }
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` inside a deferred (read) transaction, so several reads see one snapshot of
    /// the database (WAL readers never block the writer).
    public func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN DEFERRED")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private func error(_ rc: Int32, _ sql: String) -> DatabaseError {
        DatabaseError(code: rc, message: String(cString: sqlite3_errmsg(handle)), sql: sql, path: path)
    }
}

/// A value bound to or read from SQLite.
public enum SQLValue: Equatable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// One result row; columns by index in SELECT order.
public struct Row: Sendable {
    public var values: [SQLValue]

    public subscript(_ i: Int) -> SQLValue { values[i] }

    public func int(_ i: Int) -> Int64? {
        if case .integer(let v) = values[i] { return v }
        return nil
    }

    public func double(_ i: Int) -> Double? {
        switch values[i] {
        case .real(let v): return v
        case .integer(let v): return Double(v)
        default: return nil
        }
    }

    public func text(_ i: Int) -> String? {
        if case .text(let v) = values[i] { return v }
        return nil
    }

    public func blob(_ i: Int) -> [UInt8]? {
        if case .blob(let v) = values[i] { return v }
        return nil
    }
}

/// A SQLite error: its result code, message and the statement, and the database file.
///
/// Its description says first what it means for the person reading it and what would fix it,
/// for the conditions an operator can act on (a full disk, a read-only or unreachable file, a
/// lock held too long, a damaged file), then SQLite's own words.
public struct DatabaseError: Error, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var sql: String
    /// The database file, when known.
    public var path: String?

    public init(code: Int32, message: String, sql: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
        self.path = path
    }

    public var description: String {
        let raw = "database error \(code): \(message) (in: \(sql.prefix(200)))"
        guard let meaning else { return raw }
        return "\(meaning) [\(raw)]"
    }

    /// What the primary result code means and what would fix it; nil for the others.
    var meaning: String? {
        let file = path ?? "the database"
        let folder = path.map { ($0 as NSString).deletingLastPathComponent } ?? "its folder"
        switch code & 0xff {
        case SQLITE_FULL:
            return "\(file) is full: free space on the file system that holds it and try again (nothing of "
                + "this change was written; the daemon retries its own jobs once there is room)"
        case SQLITE_READONLY:
            return "\(file) is read-only here: this account (uid \(getuid())) may not write it, or its file "
                + "system is mounted read-only; the spool's database is the service account's"
        case SQLITE_CANTOPEN:
            return "cannot open \(file): check that \(folder) exists and that this account (uid \(getuid())) may "
                + "write there (frs init creates it)"
        case SQLITE_PERM, SQLITE_AUTH:
            return "permission denied on \(file) for this account (uid \(getuid()))"
        case SQLITE_BUSY, SQLITE_LOCKED:
            return "\(file) stayed locked by another process: wait for the other frs command to finish and try again"
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            return "\(file) is damaged or is not an frs database: restore it from a backup"
        case SQLITE_IOERR:
            return "reading or writing \(file) failed in the operating system (a full or failing disk?): "
                + "check the file system holding it"
        default:
            return nil
        }
    }
}
