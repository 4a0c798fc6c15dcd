@testable import Store
import TestSupport
import Foundation
import Testing

/// The schema in one place (issue #24 item 6): a new database and a database of every earlier layout
/// end with the same tables and columns, with their rows kept.
@Suite("Schema: user_version and ordered migrations")
struct SchemaTests {
    func database() throws -> (Database, String) {
        let dir = try TemporaryDirectory.make("schema")
        return (try Database(path: dir + "/frs.sqlite"), dir)
    }

    /// Every table's columns (name, type, not-null, primary key), and the indexes: what the code relies on.
    func shape(_ database: Database) throws -> [String] {
        let tables = try database.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap { $0.text(0) }
        var lines: [String] = []
        for table in tables {
            for row in try database.query("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY name", [.text(table)]) {
                lines.append("\(table).\(row.text(0) ?? "") \(row.text(1) ?? "") notnull=\(row.int(2) ?? 0) pk=\(row.int(3) ?? 0)")
            }
        }
        lines += try database.query("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .compactMap { $0.text(0) }
        return lines
    }

    /// The layouts frs wrote before versions were kept, oldest first: the first release (no agency
    /// group, reviews without the examiner's uid, no request names, no identities), then with the
    /// agency group and peer review, then with every column but identities.
    static let legacyLayouts: [String] = [
        """
        CREATE TABLE agencies (code TEXT PRIMARY KEY, name TEXT NOT NULL, notice_date TEXT, added TEXT NOT NULL);
        CREATE TABLE users (id TEXT PRIMARY KEY, name TEXT NOT NULL, agency TEXT NOT NULL REFERENCES agencies(code),
            role TEXT NOT NULL, uid INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')), vetted TEXT, trained TEXT,
            added TEXT NOT NULL);
        CREATE TABLE admins (uid INTEGER PRIMARY KEY, added TEXT NOT NULL);
        CREATE TABLE jobs (id TEXT PRIMARY KEY, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, decision TEXT,
            last_error TEXT, approval TEXT CHECK (approval IN ('approved', 'rejected')), approver TEXT, approval_note TEXT,
            received TEXT NOT NULL, updated TEXT NOT NULL);
        CREATE TABLE reviews (id INTEGER PRIMARY KEY, job TEXT NOT NULL, face INTEGER NOT NULL, candidate TEXT NOT NULL,
            examiner TEXT NOT NULL,
            disposition TEXT NOT NULL CHECK (disposition IN ('possible-match', 'no-match', 'inconclusive')), note TEXT,
            request TEXT UNIQUE, recorded TEXT NOT NULL);
        INSERT INTO agencies VALUES ('SCPD', 'St. Charles PD', NULL, '2025-01-01T00:00:00Z');
        INSERT INTO users VALUES ('jdoe', 'Jane Doe', 'SCPD', 'analyst', 1000, 'active', '2025-01-10', '2026-01-15',
            '2025-01-11T00:00:00Z');
        INSERT INTO admins VALUES (0, '2025-01-01T00:00:00Z');
        INSERT INTO jobs (id, state, attempts, received, updated) VALUES ('job-1', 'finished', 1, 'x', 'y');
        INSERT INTO reviews (job, face, candidate, examiner, disposition, recorded)
            VALUES ('job-1', 1, 'S-1', 'eve', 'no-match', 'z');
        """,
        """
        CREATE TABLE agencies (code TEXT PRIMARY KEY, name TEXT NOT NULL, notice_date TEXT, added TEXT NOT NULL, gid INTEGER);
        CREATE TABLE users (id TEXT PRIMARY KEY, name TEXT NOT NULL, agency TEXT NOT NULL REFERENCES agencies(code),
            role TEXT NOT NULL, uid INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')), vetted TEXT, trained TEXT,
            added TEXT NOT NULL);
        CREATE TABLE admins (uid INTEGER PRIMARY KEY, added TEXT NOT NULL);
        CREATE TABLE gallery_subjects (id INTEGER PRIMARY KEY, subject TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL,
            removed_at TEXT, removal_reason TEXT);
        CREATE TABLE gallery_state (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
        INSERT INTO gallery_state VALUES (1, 7);
        INSERT INTO gallery_subjects (subject, created_at) VALUES ('S-1', '2025-01-01');
        INSERT INTO agencies VALUES ('SCPD', 'St. Charles PD', NULL, '2025-01-01T00:00:00Z', 2001);
        INSERT INTO users VALUES ('jdoe', 'Jane Doe', 'SCPD', 'analyst', 1000, 'revoked', '2025-01-10', '2026-01-15',
            '2025-01-11T00:00:00Z');
        """,
    ]

    @Test("a new database is at the current version")
    func fresh() throws {
        let (database, dir) = try database()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Schema.migrate(database)
        #expect(try Schema.version(of: database) == Schema.version)
        #expect(try shape(database).contains("users.last_active TEXT notnull=0 pk=0"))
        #expect(try shape(database).contains("users.agency TEXT notnull=0 pk=0"))
        // Opening it again changes nothing.
        let before = try shape(database)
        try Schema.migrate(database)
        #expect(try shape(database) == before)
    }

    @Test("every earlier layout migrates to the current schema, its rows kept", arguments: 0..<legacyLayouts.count)
    func fromEveryEarlierLayout(layout: Int) throws {
        let (fresh, freshDir) = try database()
        defer { try? FileManager.default.removeItem(atPath: freshDir) }
        try Schema.migrate(fresh)
        let (old, dir) = try database()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try old.execute(Self.legacyLayouts[layout])
        #expect(try Schema.version(of: old) == 0)
        try Schema.migrate(old)
        #expect(try Schema.version(of: old) == Schema.version)
        #expect(try shape(old) == shape(fresh))
        let jdoe = try #require(try Registry(database: old).user("jdoe"))
        #expect(jdoe.agency == "SCPD" && jdoe.uid == 1000 && jdoe.trained == "2026-01-15")
        #expect(try Registry(database: old).isAdmin(uid: 0) == (layout == 0))
        if layout == 1 { #expect(try GalleryStore(database: old).version() == 7) }
        // A regional person can be added now.
        try Registry(database: old).addUser(UserRecord(id: "aud", name: "Aud", agency: "", role: "auditor", uid: 1005,
                                                       vetted: nil, trained: nil), now: Date())
    }

    @Test("version 1 (before regional people) migrates to the current version")
    func fromVersionOne() throws {
        let (database, dir) = try database()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try database.transaction {
            try Schema.migrations[0].apply(database)
            try database.execute("PRAGMA user_version = 1")
        }
        try database.execute("""
            INSERT INTO agencies (code, name, added) VALUES ('SCPD', 'PD', 'x');
            INSERT INTO users VALUES ('jdoe', 'Jane Doe', 'SCPD', 'analyst', 1000, 'active', NULL, NULL, 'x');
            """)
        try Schema.migrate(database)
        #expect(try Schema.version(of: database) == Schema.version)
        #expect(try Registry(database: database).user("jdoe")?.agency == "SCPD")
    }

    @Test("a database of a later frs is refused, not changed")
    func newer() throws {
        let (database, dir) = try database()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try database.execute("PRAGMA user_version = \(Schema.version + 1)")
        #expect(throws: SchemaError.newer(Schema.version + 1)) { try Schema.migrate(database) }
    }
}
