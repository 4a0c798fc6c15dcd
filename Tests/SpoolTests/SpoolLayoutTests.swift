@testable import Spool
import Administration
import Foundation
import Glibc
import Store
import SystemCalls
import SpoolTestSupport
import TestSupport
import Testing

@Suite("SpoolLayout and init")
struct SpoolLayoutTests {
    @Test func initCreatesEveryDirectoryWithItsModeAndIsIdempotent() throws {
        let spool = try TestSpool()
        let layout = spool.layout
        let expected: [String: UInt32] = [
            layout.root: 0o711, layout.tmp: 0o1733, layout.incoming: 0o1733, layout.active: 0o700,
            layout.held: 0o700, layout.done: 0o700, layout.failed: 0o700, layout.evidence: 0o700,
            layout.outbox: 0o711, layout.results: 0o711, layout.audit: 0o2750, layout.statusBoard: 0o755,
            layout.state: 0o700,
        ]
        for (path, mode) in expected {
            let status = try FileStatus.of(path)
            #expect(status.isDirectory, "\(path)")
            #expect(status.permissions == mode, "\(path): \(String(status.permissions, radix: 8))")
        }
        // A second init (by another uid) changes nothing: the first admin stays the only one.
        chmod(layout.incoming, 0o700)
        let report = try SpoolAdministration.initialize(layout: layout, uid: 5555, now: spool.now)
        #expect(report == .init(createdDatabase: false, addedAdmin: false))
        #expect(try FileStatus.of(layout.incoming).permissions == 0o1733)
        let registry = Registry(database: try SpoolDatabase.open(layout))
        #expect(try registry.isAdmin(uid: 0))
        #expect(try !registry.isAdmin(uid: 5555))
        #expect(try registry.adminCount() == 1)
        let events = try spool.records().map(\.event.event)
        #expect(events.filter { $0 == "spool.initialized" }.count == 1)
        #expect(events.filter { $0 == "admin.added" }.count == 1)
        #expect(events.contains("user.added"))
        #expect(events.contains("user.suspended"))
    }

    @Test func administrativeChangesNeedAnAdminAndAreAudited() throws {
        let spool = try TestSpool()
        let outsider = try SpoolAdministration(layout: spool.layout, uid: TestSpool.analystUID)
        #expect(throws: AdministrationError.notAdmin(TestSpool.analystUID)) {
            try outsider.addAgency(code: "EVIL", name: "Not an agency")
        }
        let admin = try SpoolAdministration(layout: spool.layout, uid: 0)
        try admin.terminateAgency(code: "SCPD", noticeDate: "2026-05-01")
        #expect(throws: AdministrationError.invalidDate("2026-13-01")) {
            try admin.terminateAgency(code: "SCPD", noticeDate: "2026-13-01")
        }
        #expect(throws: RegistryError.duplicate("agency SCPD")) { try admin.addAgency(code: "SCPD", name: "again") }
        let records = try spool.records()
        #expect(records.contains { $0.event.event == "admin.refused" && $0.event.actor == "uid:\(TestSpool.analystUID)" })
        #expect(records.contains { $0.event.event == "agency.terminated" && $0.event.agency == "SCPD" })
        let agency = try Registry(database: try SpoolDatabase.open(spool.layout)).policyAgency("SCPD")
        #expect(agency?.terminationNotice != nil)
    }

    @Test func ledgerFinishesOnceAndCountsAttempts() throws {
        let spool = try TestSpool()
        let ledger = JobLedger(database: try SpoolDatabase.open(spool.layout))
        #expect(try ledger.beginAttempt("j1", now: spool.now) == (1, true))
        #expect(try ledger.beginAttempt("j1", now: spool.now) == (2, false))
        #expect(try ledger.markFinished("j1", decision: "completed", now: spool.now))
        #expect(try !ledger.markFinished("j1", decision: "denied", now: spool.now))
        let entry = try ledger.entry("j1")
        #expect(entry?.state == .finished)
        #expect(entry?.decision == "completed")
        #expect(entry?.attempts == 2)
    }
}

@Suite("SpoolJanitor")
struct SpoolJanitorTests {
    func age(_ path: String, by seconds: Int) {
        var times = [timeval(tv_sec: time(nil) - seconds, tv_usec: 0), timeval(tv_sec: time(nil) - seconds, tv_usec: 0)]
        _ = lutimes(path, &times)
    }

    @Test func sweepsAbandonedTemporariesAndFoldersAndQuarantinesStrayFiles() throws {
        let spool = try TestSpool()
        let layout = spool.layout
        let old = try DurableFile.writeTemporary([1], in: layout.tmp, name: "old")
        let fresh = try DurableFile.writeTemporary([1], in: layout.tmp, name: "fresh")
        age(old, by: 2 * 86_400)
        try Directory.create(layout.dropFolder(for: "orphan"), mode: 0o711)
        try DurableFile.write([1], to: layout.dropFolder(for: "orphan") + "/a.jpg", via: layout.dropFolder(for: "orphan"))
        age(layout.dropFolder(for: "orphan"), by: 2 * 86_400)
        // A folder whose job is queued stays, however old.
        try Directory.create(layout.dropFolder(for: "queued"), mode: 0o711)
        age(layout.dropFolder(for: "queued"), by: 2 * 86_400)
        try spool.drop("queued", "{}")
        try DurableFile.write([1], to: layout.incoming + "/notes.txt", via: layout.tmp)
        age(layout.incoming + "/notes.txt", by: 2 * 86_400)

        let report = try SpoolJanitor(layout: layout).sweep()
        #expect(report.removedTemporaries == [DurableFile.baseName(old)])
        #expect(report.removedImageFolders == ["orphan.d"])
        #expect(report.quarantined == ["notes.txt"])
        #expect(FileStatus.exists(fresh))
        #expect(FileStatus.exists(layout.dropFolder(for: "queued")))
        #expect(FileStatus.exists(layout.failed + "/notes.txt"))
        #expect(FileStatus.exists(layout.failed + "/notes.txt.reason"))
        #expect(try SpoolJanitor(layout: layout).sweep() == SpoolJanitor.Report())
    }

    /// The janitor goes on past what it cannot move: one stuck entry never holds up the others.
    @Test func anEntryTheJanitorCannotMoveDoesNotStopTheSweep() throws {
        let spool = try TestSpool()
        let layout = spool.layout
        // A stale directory whose quarantine is in the way (a directory where its .reason would go),
        // a stale directory with a name too long for `.reason`, and a stale stray file.
        for name in ["a-stuck", String(repeating: "b", count: 250), "c-notes.txt"] {
            let path = layout.incoming + "/" + name
            if name.hasSuffix(".txt") {
                try DurableFile.write([1], to: path, via: layout.tmp)
            } else {
                try Directory.create(path, mode: 0o700)
            }
            age(path, by: 2 * 86_400)
        }
        try Directory.create(layout.failed + "/a-stuck.reason", mode: 0o700)
        let report = try SpoolJanitor(layout: layout).sweep()
        #expect(report.skipped.map(\.name) == ["a-stuck"])
        #expect(Set(report.quarantined) == [String(repeating: "b", count: 250), "c-notes.txt"])
        #expect(FileStatus.exists(layout.incoming + "/a-stuck"))
        #expect(FileStatus.exists(layout.failed + "/c-notes.txt.reason"))
        let long = try #require(try Directory.entries(layout.failed).first { $0.hasPrefix("longname-") && !$0.hasSuffix(".reason") })
        let reason = String(decoding: try DurableFile.read(layout.failed + "/" + long + ".reason"), as: UTF8.self)
        #expect(reason.contains("250 bytes long"))
        // The next sweep still reports the stuck one, and only it.
        #expect(try SpoolJanitor(layout: layout).sweep().skipped.map(\.name) == ["a-stuck"])
    }
}

@Suite("Status board")
struct StatusBoardTests {
    /// A board file that is not a readable record is named with its reason, not passed over, and
    /// the readable records are still listed.
    @Test func aDamagedRecordIsReportedNotSkipped() throws {
        let spool = try TestSpool()
        let board = spool.layout.board
        let record = JobStatusRecord(job: "job-1", requester: "ana", uid: 3001, agency: "A", purpose: "active-investigation",
                                     caseNumber: "24-1", state: .finished, decision: "completed", updated: spool.now)
        try board.publish(record, group: nil)
        let directory = board.directory(agency: "A")
        try Data("{\"job\": \"job-2\", \"requ".utf8).write(to: URL(fileURLWithPath: directory + "/job-2.json"))
        try Data("{\"job\": \"job-3\"}".utf8).write(to: URL(fileURLWithPath: directory + "/job-3.json"))
        let listing = try board.records(agency: "A")
        #expect(listing.records == [record])
        #expect(listing.unreadable.map(\.name) == ["job-2.json", "job-3.json"])
        #expect(listing.unreadable[0].reason.hasPrefix("not a status record (damaged JSON"), "\(listing.unreadable[0].reason)")
        #expect(listing.unreadable[1].reason == "not a status record (no \"requester\")", "\(listing.unreadable[1].reason)")
    }

    /// Names people cannot take: a job named `staff` gets its own record and leaves the staff list.
    @Test func aJobNamedStaffDoesNotOverwriteTheStaffList() throws {
        let spool = try TestSpool()
        let board = spool.layout.board
        let before = [StaffEntry(uid: 3001, user: "ana", role: "analyst", status: "active"),
                      StaffEntry(uid: 3002, user: "sup", role: "supervisor", status: "active")]
        try board.publishStaff(before, agency: "SCPD", group: nil)
        // The daemon publishes the record of a job named `staff`.
        try board.publish(JobStatusRecord(job: "staff", requester: "ana", uid: 3001, agency: "SCPD",
                                          purpose: "active-investigation", caseNumber: "24-1", state: .finished,
                                          decision: "completed", updated: spool.now), group: nil)
        #expect(try board.readStaff(agency: "SCPD") == before)
        #expect(try board.read(job: "staff", agency: "SCPD")?.job == "staff")
        let listing = try board.records(agency: "SCPD")
        #expect(listing.records.map(\.job) == ["staff"])
        #expect(listing.unreadable.isEmpty)
        // A board of an older version: its staff list in staff.json is read, then replaced by .staff.json.
        let directory = board.directory(agency: "SCPD")
        try FileManager.default.removeItem(atPath: directory + "/" + StatusBoard.staffFile)
        try FileManager.default.removeItem(atPath: directory + "/staff.json")
        try Data(try JSONEncoder().encode(before)).write(to: URL(fileURLWithPath: directory + "/staff.json"))
        #expect(try board.readStaff(agency: "SCPD") == before)
        #expect(try board.records(agency: "SCPD").records.isEmpty && board.records(agency: "SCPD").unreadable.isEmpty)
        try board.publishStaff(before, agency: "SCPD", group: nil)
        #expect(!FileStatus.exists(directory + "/staff.json"))
        #expect(try board.readStaff(agency: "SCPD") == before)
    }
}
