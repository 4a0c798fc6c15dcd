@testable import Administration
@testable import Spool
import Audit
import Basics
import Foundation
import Glibc
import Policy
import Store
import SystemCalls
import SpoolTestSupport
import TestSupport
import Testing

/// Who can administer what (issue #19), each row of the table in ``Authority`` tried, and the CJIS
/// account controls: one account one person, no reuse within a year, idle accounts disabled.
@Suite("Administration: administrators, agency administrators, account controls")
struct SpoolAdministrationTests {
    static let adminUID: UInt32 = 3100, agencyAdminUID: UInt32 = 3101, auditorUID: UInt32 = 3102
    static let otherAgencyAdminUID: UInt32 = 3103, bobUID: UInt32 = 3104

    /// The test spool (SCPD: jdoe, sroe, mpoe) plus agency B with bob, a regional administrator, an
    /// agency administrator of each agency and a regional auditor, all added by root.
    func spool() throws -> (TestSpool, (UInt32) throws -> SpoolAdministration) {
        let spool = try TestSpool()
        let now = spool.now
        let root = try SpoolAdministration(layout: spool.layout, uid: 0, clock: { now })
        try root.addAgency(code: "B", name: "Agency B")
        func person(_ id: String, _ agency: String, _ role: String, _ uid: UInt32) -> UserRecord {
            UserRecord(id: id, name: id, agency: agency, role: role, uid: uid, vetted: "2025-01-10", trained: "2026-01-15")
        }
        try root.addUser(person("bob", "B", "analyst", Self.bobUID))
        try root.addUser(person("regina", "", "admin", Self.adminUID))        // regional: no agency
        try root.addUser(person("tac", "SCPD", "agency-admin", Self.agencyAdminUID))
        try root.addUser(person("btac", "B", "agency-admin", Self.otherAgencyAdminUID))
        try root.addUser(person("audrey", "", "auditor", Self.auditorUID))    // regional: no agency
        return (spool, { uid in try SpoolAdministration(layout: spool.layout, uid: uid, clock: { now }) })
    }

    func analyst(_ id: String, _ agency: String, uid: UInt32, role: String = "analyst") -> UserRecord {
        UserRecord(id: id, name: id, agency: agency, role: role, uid: uid, vetted: "2025-01-10", trained: "2026-01-15")
    }

    @Test("a regional administrator does everything from their own uid")
    func regionalAdministrator() throws {
        let (_, as_) = try spool()
        let regina = try as_(Self.adminUID)
        try regina.addAgency(code: "C", name: "Agency C")
        try regina.addUser(analyst("carl", "C", uid: 3200))
        try regina.addUser(analyst("tac2", "C", uid: 3201, role: "agency-admin"))
        try regina.setStatus(user: "carl", .suspended)
        try regina.train(user: "carl", date: "2026-05-01")
        #expect(try regina.listUsers(agency: nil).map(\.id).contains("bob"))
        #expect(try regina.listAgencies().map(\.code) == ["B", "C", "SCPD"])
        // Not their own entry.
        #expect(throws: AdministrationError.self) { try regina.setStatus(user: "regina", .suspended) }
    }

    @Test("an agency administrator manages their agency's people, and only them")
    func agencyAdministrator() throws {
        let (spool, as_) = try spool()
        let tac = try as_(Self.agencyAdminUID)
        try tac.addUser(analyst("newbie", "SCPD", uid: 3300))
        try tac.setStatus(user: "newbie", .suspended)
        try tac.setStatus(user: "newbie", .active)
        try tac.train(user: "newbie", date: "2026-05-20")
        try tac.vet(user: "newbie", date: "2026-05-19")
        #expect(try tac.listUsers(agency: "SCPD").map(\.id).contains("newbie"))
        #expect(try tac.listUsers(agency: nil).allSatisfy { $0.agency == "SCPD" })
        #expect(try tac.listAgencies().map(\.code) == ["SCPD"])
        // Refused, each audited as admin.refused: another agency (add, suspend, list), privileged roles, itself.
        for attempt: () throws -> Void in [
            { try tac.addUser(self.analyst("intruder", "B", uid: 3301)) },
            { try tac.setStatus(user: "bob", .suspended) },
            { _ = try tac.listUsers(agency: "B") },
            { try tac.addUser(self.analyst("boss", "SCPD", uid: 3302, role: "admin")) },
            { try tac.addUser(self.analyst("tac3", "SCPD", uid: 3303, role: "agency-admin")) },
            { try tac.addUser(self.analyst("aud2", "SCPD", uid: 3304, role: "auditor")) },
            { try tac.setStatus(user: "tac", .active) },
            { try tac.train(user: "tac", date: "2026-05-20") },
            { try tac.setStatus(user: "btac", .suspended) },
            { try tac.addAgency(code: "D", name: "D") },
        ] {
            #expect(throws: AdministrationError.self) { try attempt() }
        }
        let refusals = try AuditReader(directory: spool.layout.audit).records(from: nil)
            .filter { $0.event.event == "admin.refused" && $0.event.actor == "uid:\(Self.agencyAdminUID)" }
        #expect(refusals.count == 10)
        #expect(refusals.first?.event.details["message"]?.contains("agency administrator of SCPD") == true)
        // Everything it did is audited under its user id.
        let done = try AuditReader(directory: spool.layout.audit).records(from: nil).filter { $0.event.actor == "tac" }
        #expect(done.map(\.event.event) == ["user.added", "user.suspended", "user.reinstated", "user.trained", "user.vetted"])
    }

    @Test("supervisors and auditors list; analysts and strangers do not")
    func lists() throws {
        let (_, as_) = try spool()
        #expect(try as_(TestSpool.supervisorUID).listUsers(agency: nil).allSatisfy { $0.agency == "SCPD" })
        #expect(throws: AdministrationError.self) { try as_(TestSpool.supervisorUID).listUsers(agency: "B") }
        #expect(throws: AdministrationError.self) { try as_(TestSpool.supervisorUID).addUser(self.analyst("x", "SCPD", uid: 3400)) }
        #expect(try as_(Self.auditorUID).listUsers(agency: "B").map(\.id) == ["bob", "btac"])
        #expect(throws: AdministrationError.self) { try as_(Self.auditorUID).setStatus(user: "bob", .suspended) }
        #expect(throws: AdministrationError.self) { try as_(TestSpool.analystUID).listUsers(agency: nil) }
        #expect(throws: AdministrationError.self) { try as_(4242).listAgencies() }
        // A revoked administrator is no longer one.
        try as_(0).setStatus(user: "regina", .revoked)
        #expect(throws: AdministrationError.self) { try as_(Self.adminUID).addAgency(code: "E", name: "E") }
    }

    @Test("one account, one person of one agency; a revoked uid waits a year")
    func accountsAreNotShared() throws {
        let spool = try TestSpool()
        var now = spool.now
        let clock = { @Sendable [now] in now }
        let root = try SpoolAdministration(layout: spool.layout, uid: 0, clock: clock)
        try root.addAgency(code: "B", name: "Agency B")
        // jdoe's uid under another agency, or another role: refused.
        #expect(throws: AdministrationError.self) { try root.addUser(self.analyst("jdoe-b", "B", uid: TestSpool.analystUID)) }
        try root.setStatus(user: "jdoe", .revoked)
        #expect(throws: AdministrationError.self) { try root.addUser(self.analyst("jane2", "SCPD", uid: TestSpool.analystUID)) }
        now = now.addingTimeInterval(366 * 86_400)
        let later = try SpoolAdministration(layout: spool.layout, uid: 0, clock: { [now] in now })
        try later.addUser(analyst("jane2", "SCPD", uid: TestSpool.analystUID))
        #expect(try Registry(database: try SpoolDatabase.open(spool.layout)).users(uid: TestSpool.analystUID).count == 2)
        // A regional role needs no agency; others do.
        #expect(throws: AdministrationError.self) { try later.addUser(self.analyst("loose", "", uid: 3500)) }
    }

    @Test("idle accounts are disabled by the daily housekeeping, audited, and shown on the staff list")
    func inactivity() throws {
        let spool = try TestSpool()
        let database = try SpoolDatabase.open(spool.layout)
        let registry = Registry(database: database)
        let audit = try AuditLog(directory: spool.layout.audit)
        let policy = PolicyConfig.default.with(inactiveDisableDays: 90)
        // jdoe and sroe were registered at TestSpool.now; jdoe then submits a job 60 days later.
        try registry.recordActivity(uid: TestSpool.analystUID, now: spool.now.addingTimeInterval(60 * 86_400))
        func sweep(days: Double) throws -> [String] {
            try AccountHousekeeping.disableInactive(registry: registry, audit: audit, board: spool.layout.board,
                                                    policy: policy, now: spool.now.addingTimeInterval(days * 86_400)).map(\.id)
        }
        #expect(try sweep(days: 89) == [])
        #expect(try sweep(days: 90) == ["sroe"])            // 90 days since registration
        #expect(try sweep(days: 149) == [])
        #expect(try sweep(days: 150) == ["jdoe"])           // 90 days since the job
        #expect(try registry.user("sroe")?.status == "suspended")
        #expect(try registry.user("mpoe")?.status == "suspended")  // suspended before: not counted again
        let records = try AuditReader(directory: spool.layout.audit).records(from: nil).filter { $0.event.event == "user.disabled-inactive" }
        #expect(records.map { $0.event.details["user"] } == ["sroe", "jdoe"])
        // A reinstated account counts from its reinstatement.
        let now = spool.now.addingTimeInterval(151 * 86_400)
        try SpoolAdministration(layout: spool.layout, uid: 0, clock: { now }).setStatus(user: "sroe", .active)
        #expect(try sweep(days: 200) == [])
    }

    @Test("root's commands on the service's spool leave its files to the service (head, day file, board)",

          .enabled(if: Privileges.isRoot, "needs root: gives files to other uids"))
    func rootActsAsTheService() throws {
        guard getuid() == 0 else { return }
        let spool = try TestSpool()
        let service: UInt32 = 990
        try SpoolAdministration.giveSpool(spool.layout, to: try #require(Accounts.user("\(service)")))
        ServiceOwnership.actAsService(spoolRoot: spool.layout.root, uid: service)
        defer { ServiceOwnership.reset() }
        let root = try SpoolAdministration(layout: spool.layout, uid: 0, clock: { Date() })
        try root.addAgency(code: "B", name: "Agency B", group: Accounts.group("2002"))
        try root.addUser(analyst("bob", "B", uid: 3104))
        let head = AuditLog.anchorPath(forDirectory: spool.layout.audit)
        #expect(try FileStatus.of(head).owner == service)
        for name in try Directory.entries(spool.layout.audit) where name.hasSuffix(".jsonl") {
            #expect(try FileStatus.of(spool.layout.audit + "/" + name).owner == service)
        }
        let board = spool.layout.board.directory(agency: "B")
        #expect(try FileStatus.of(board).owner == service && FileStatus.of(board).group == 2002)
        #expect(try FileStatus.of(board).permissions == 0o2750)
        #expect(try FileStatus.of(spool.layout.board.staff(agency: "B")).owner == service)
        #expect(SpoolReadiness.check(spool.layout).isEmpty)
        // frs init again keeps a result's agency group.
        let result = spool.layout.resultFile("r1")
        try DurableFile.write(Array("{}".utf8), to: result, via: spool.layout.tmp, mode: 0o640, group: 2002)
        try SpoolAdministration.giveSpool(spool.layout, to: try #require(Accounts.user("\(service)")))
        #expect(try FileStatus.of(result).group == 2002 && FileStatus.of(result).owner == service)
    }

    @Test("status records missed while a board could not be written are published at the next start")
    func missedBoardRecordsArePublished() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("SCPD", "a.jpg", bytes: Array("face".utf8))
        _ = try spool.drop("j1", TestSpool.jobJSON(probes: [probe]))
        try spool.drain()
        let record = spool.layout.board.record(job: "j1", agency: "SCPD")
        #expect(FileStatus.exists(record))
        try DurableFile.remove(record)  // as if the board had been unwritable when the job finished
        let database = try SpoolDatabase.open(spool.layout)
        let now = spool.now
        let views = JobViews(layout: spool.layout, database: database,
                             evidence: EvidenceStore(root: spool.layout.evidence, maximumProbeBytes: 1 << 20),
                             policy: .default, logger: Logger(level: .error, sink: MemorySink()), clock: { now })
        #expect(try views.publishMissing(ledger: JobLedger(database: database), registry: Registry(database: database)) == 1)
        let restored = try #require(try spool.layout.board.read(job: "j1", agency: "SCPD"))
        #expect(restored.decision == "completed" && restored.requester == "jdoe")
        #expect(try views.publishMissing(ledger: JobLedger(database: database), registry: Registry(database: database)) == 0)
    }
}
