@testable import Store
import Foundation
import Testing

@Suite struct DatabaseTests {
    /// A recorded approval or ledger step must survive a power loss: `synchronous=NORMAL` in WAL
    /// mode may drop the last commits, `FULL` syncs the WAL at every commit.
    @Test func everyConnectionSyncsEachCommit() throws {
        let dir = NSTemporaryDirectory() + "frs-db-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for _ in 0..<2 { // the creating connection and a later one
            let database = try Database(path: dir + "/frs.sqlite")
            #expect(try database.query("PRAGMA synchronous").first?.int(0) == 2) // 2 = FULL
            #expect(try database.query("PRAGMA journal_mode").first?.text(0) == "wal")
        }
    }
}
