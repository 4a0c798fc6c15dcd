@testable import Spool
import Administration
import Audit
import Basics
import Foundation
import Glibc
import Hashing
import Policy
import Results
import Store
import SystemCalls
import Testing

extension TestSpool {
    /// Drops a job file under any name (even one too long for `tmp/`'s temporary names) owned by
    /// `uid`, and returns its inode.
    @discardableResult
    func dropNamed(_ name: String, _ text: String, uid: UInt32 = TestSpool.analystUID) throws -> UInt64 {
        let temporary = try DurableFile.writeTemporary(Array(text.utf8), in: layout.tmp, name: "named", mode: 0o644)
        try SystemCall.run("chown", path: temporary) { chown(temporary, uid, uid) }
        let target = layout.incoming + "/" + name
        try DurableFile.rename(temporary, to: target)
        return try FileStatus.of(target).inode
    }

    /// The ledger, read through a fresh connection.
    func ledgerEntry(_ id: String) throws -> LedgerEntry? {
        try JobLedger(database: try SpoolDatabase.open(layout)).entry(id)
    }

    /// Registers another agency with an analyst, for cross-agency tests.
    func addOtherAgency(uid: UInt32 = 1006) throws {
        let now = self.now
        let admin = try SpoolAdministration(layout: layout, uid: 0, clock: { now })
        try admin.addAgency(code: "OTHER", name: "Other County Sheriff")
        try admin.addUser(UserRecord(id: "oana", name: "Oana Other", agency: "OTHER", role: "analyst", uid: uid,
                                     vetted: "2025-01-10", trained: "2026-01-15"))
    }

    /// A drain with a policy of `policy` (JSON).
    @discardableResult
    func drain(policy: String, workers: Int = 1) throws -> SpoolDaemon.Summary {
        let now = self.now
        let config = try PolicyConfig.load(jsonBytes: Array(policy.utf8))
        let daemon = SpoolDaemon(layout: layout, searcher: FakeSearcher(), gate: PolicyGate(config: config),
                                 configuration: .init(workers: workers, once: true),
                                 logger: Logger(level: .error, sink: MemorySink()), clock: { now })
        return try daemon.run()
    }
}

/// Job files that try to escape the exactly-once rule or borrow another job's identity: names a
/// result cannot carry, ids already used, files the daemon cannot open, floods.
@Suite("Hostile drops: names, squatting, unreadable files, floods")
struct HostileDropTests {

}
