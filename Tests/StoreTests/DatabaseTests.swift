@testable import Store
import TestSupport
import Foundation
import Testing

@Suite struct DatabaseTests {
    /// A recorded approval or ledger step must survive a power loss: `synchronous=NORMAL` in WAL
    /// mode may drop the last commits, `FULL` syncs the WAL at every commit.
    @Test func everyConnectionSyncsEachCommit() throws {
        let dir = try TemporaryDirectory.make("db")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for _ in 0..<2 { // the creating connection and a later one
            let database = try Database(path: dir + "/frs.sqlite")
            #expect(try database.query("PRAGMA synchronous").first?.int(0) == 2) // 2 = FULL
            #expect(try database.query("PRAGMA journal_mode").first?.text(0) == "wal")
        }
    }

    /// A database that runs out of room says so, names the file and what would fix it, before
    /// SQLite's own words ("database or disk is full" alone reads as a bug in frs).
    @Test func aFullDatabaseSaysWhatFillsUpAndWhatToDo() throws {
        let dir = try TemporaryDirectory.make("db")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try Database(path: dir + "/frs.sqlite")
        try database.execute("CREATE TABLE t (v BLOB)")
        let pages = try database.query("PRAGMA page_count").first?.int(0) ?? 0
        try database.execute("PRAGMA max_page_count = \(pages + 2)") // the file may not grow further
        let error = #expect(throws: DatabaseError.self) {
            for _ in 0..<64 { try database.query("INSERT INTO t VALUES (?)", [.blob([UInt8](repeating: 7, count: 4096))]) }
        }
        let text = error.map { "\($0)" } ?? ""
        #expect(error?.code == 13) // SQLITE_FULL
        #expect(text.hasPrefix(dir + "/frs.sqlite is full: free space"), "\(text)")
        #expect(text.contains("database or disk is full"), "SQLite's own words follow: \(text)")
    }

    /// Conditions with no advice keep SQLite's message as it was.
    @Test func anOrdinaryErrorKeepsSQLitesMessage() throws {
        let dir = try TemporaryDirectory.make("db")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try Database(path: dir + "/frs.sqlite")
        let error = #expect(throws: DatabaseError.self) { try database.execute("SELECT * FROM missing") }
        #expect(error.map { "\($0)" }?.hasPrefix("database error 1: no such table: missing") == true)
    }
}
