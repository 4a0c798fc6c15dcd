/// The spool database's schema in one place: every table of every module (the registry, the job
/// ledger, the gallery, calibrations, reviews, resolutions and outcomes), and the ordered migrations
/// that bring a database of any earlier version to the current one, counted in SQLite's
/// `PRAGMA user_version`.
///
/// Version 0 is every database made before versions were kept: its tables are some subset of the
/// first migration's, each table with some of its columns (the layouts frs has written over time).
/// Migration 1 creates what is missing and adds each missing column, which brings every such layout
/// to one form; later migrations are ordinary steps. A new migration is appended to ``migrations``
/// (never changed once released), and `SchemaTests` migrates every earlier version to the current one.
///
/// Every type that works on the database calls ``migrate(_:)`` when it opens it: after the first
/// call on a database it is one read of `user_version`.
public enum Schema {
    /// One step: what it changes, and the change.
    public struct Migration: Sendable {
        public var summary: String
        let apply: @Sendable (Database) throws -> Void
    }

    /// The migrations in order; migration `i` (0-based) brings `user_version` `i` to `i + 1`.
    public static let migrations: [Migration] = [
        Migration(summary: "the tables of every module, and every column added to them before versions were kept",
                  apply: baseline),
        Migration(summary: "users: regional people (administrators, auditors, the booking feed) belong to no agency; "
                  + "each person's last activity and last change of status are kept (CJIS AC-2, IA-4)",
                  apply: usersRegionalAndActivity),
    ]

    /// The current version.
    public static var version: Int { migrations.count }

    /// The database's version (`PRAGMA user_version`).
    public static func version(of database: Database) throws -> Int {
        Int(try database.query("PRAGMA user_version").first?.int(0) ?? 0)
    }

    /// Brings `database` to ``version``: the missing migrations in order, in one immediate
    /// transaction (another process migrating at the same moment waits, then finds nothing to do).
    /// - Throws: `DatabaseError`; ``SchemaError/newer(_:)`` for a database of a later frs.
    public static func migrate(_ database: Database) throws {
        let current = try version(of: database)
        if current == version { return }
        guard current < version else { throw SchemaError.newer(current) }
        try database.transaction {
            let found = try version(of: database)
            guard found < version else { return }
            for migration in migrations[found...] { try migration.apply(database) }
            try database.execute("PRAGMA user_version = \(version)")
        }
    }

    // MARK: - Migration 1: the baseline

    static func baseline(_ database: Database) throws {
        try database.execute(registryTables + ledgerTables + galleryTables + calibrationTables + reviewTables + leadTables)
        for (table, column, type) in columnsAddedBeforeVersions {
            let present = try database.query("SELECT 1 FROM pragma_table_info(?) WHERE name = ?", [.text(table), .text(column)])
            if present.isEmpty { try database.execute("ALTER TABLE \(table) ADD COLUMN \(column) \(type)") }
        }
    }

    /// Columns added to tables before versions were kept: (table, column, type), each added where missing.
    static let columnsAddedBeforeVersions = [
        ("agencies", "gid", "INTEGER"),
        ("reviews", "examiner_uid", "INTEGER"), ("reviews", "request_name", "TEXT"),
        ("resolutions", "request_name", "TEXT"), ("outcomes", "request_name", "TEXT"),
        ("gallery_subjects", "name", "TEXT"), ("gallery_subjects", "date_of_birth", "TEXT"),
        ("gallery_images", "profile", "TEXT"), ("gallery_images", "pose", "TEXT"),
    ]

    /// The registry: agencies, authorized individuals, administrators (``Registry``).
    static let registryTables = """
        CREATE TABLE IF NOT EXISTS agencies (
            code        TEXT PRIMARY KEY,
            name        TEXT NOT NULL,
            notice_date TEXT,
            added       TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS users (
            id      TEXT PRIMARY KEY,
            name    TEXT NOT NULL,
            agency  TEXT NOT NULL REFERENCES agencies(code),
            role    TEXT NOT NULL,
            uid     INTEGER NOT NULL,
            status  TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')),
            vetted  TEXT,
            trained TEXT,
            added   TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS users_uid ON users(uid);
        CREATE TABLE IF NOT EXISTS admins (
            uid   INTEGER PRIMARY KEY,
            added TEXT NOT NULL
        );
        """

    /// The job ledger: attempts, decisions, approvals, and the file behind each job id (``Spool/JobLedger``).
    static let ledgerTables = """
        CREATE TABLE IF NOT EXISTS jobs (
            id        TEXT PRIMARY KEY,
            state     TEXT NOT NULL,
            attempts  INTEGER NOT NULL DEFAULT 0,
            decision  TEXT,
            last_error TEXT,
            approval  TEXT CHECK (approval IN ('approved', 'rejected')),
            approver  TEXT,
            approval_note TEXT,
            received  TEXT NOT NULL,
            updated   TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS job_files (
            id          TEXT PRIMARY KEY,
            inode       INTEGER NOT NULL,
            owner       INTEGER NOT NULL,
            name        TEXT NOT NULL,
            agency      TEXT,
            held_sha256 TEXT,
            taken_in    INTEGER NOT NULL DEFAULT 0,
            first_seen  TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS job_files_owner ON job_files(owner);
        """

    /// The gallery: subjects, images, faces, removals, its version (``GalleryStore``).
    static let galleryTables = """
        CREATE TABLE IF NOT EXISTS gallery_subjects (
            id INTEGER PRIMARY KEY,
            subject TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            removed_at TEXT,
            removal_reason TEXT
        );
        CREATE TABLE IF NOT EXISTS gallery_images (
            id INTEGER PRIMARY KEY,
            subject_id INTEGER NOT NULL REFERENCES gallery_subjects(id),
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL UNIQUE,
            source TEXT,
            captured TEXT,
            enrolled_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS gallery_images_subject ON gallery_images(subject_id);
        CREATE TABLE IF NOT EXISTS gallery_faces (
            id INTEGER PRIMARY KEY,
            image_id INTEGER NOT NULL REFERENCES gallery_images(id) ON DELETE CASCADE,
            box_left INTEGER NOT NULL,
            box_top INTEGER NOT NULL,
            box_right INTEGER NOT NULL,
            box_bottom INTEGER NOT NULL,
            landmarks BLOB NOT NULL,
            descriptor BLOB NOT NULL
        );
        CREATE INDEX IF NOT EXISTS gallery_faces_image ON gallery_faces(image_id);
        CREATE TABLE IF NOT EXISTS gallery_removals (
            id INTEGER PRIMARY KEY,
            subject_id INTEGER NOT NULL REFERENCES gallery_subjects(id),
            removed_at TEXT NOT NULL,
            reason TEXT NOT NULL,
            images INTEGER NOT NULL,
            faces INTEGER NOT NULL,
            version INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS gallery_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL
        );
        INSERT OR IGNORE INTO gallery_state (id, version) VALUES (1, 0);
        """

    /// Gallery calibrations (``CalibrationStore``).
    static let calibrationTables = """
        CREATE TABLE IF NOT EXISTS gallery_calibrations (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            gallery_version INTEGER NOT NULL,
            gallery_faces INTEGER NOT NULL,
            target_fpir REAL NOT NULL,
            threshold REAL,
            curves TEXT NOT NULL
        );
        """

    /// Examiners' reviews (``Reviews/ReviewLog``).
    static let reviewTables = """
        CREATE TABLE IF NOT EXISTS reviews (
            id          INTEGER PRIMARY KEY,
            job         TEXT NOT NULL,
            face        INTEGER NOT NULL,
            candidate   TEXT NOT NULL,
            examiner    TEXT NOT NULL,
            disposition TEXT NOT NULL CHECK (disposition IN ('possible-match', 'no-match', 'inconclusive')),
            note        TEXT,
            request     TEXT UNIQUE,
            recorded    TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS reviews_job ON reviews(job);
        """

    /// Supervisors' resolutions and the outcomes recorded on leads (``Reviews/LeadLog``).
    static let leadTables = """
        CREATE TABLE IF NOT EXISTS resolutions (
            id             INTEGER PRIMARY KEY,
            job            TEXT NOT NULL,
            face           INTEGER NOT NULL,
            candidate      TEXT NOT NULL,
            supervisor     TEXT NOT NULL,
            supervisor_uid INTEGER,
            disposition    TEXT NOT NULL CHECK (disposition IN ('possible-match', 'no-match', 'inconclusive')),
            note           TEXT NOT NULL,
            request        TEXT UNIQUE,
            recorded       TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS resolutions_job ON resolutions(job);
        CREATE TABLE IF NOT EXISTS outcomes (
            id            INTEGER PRIMARY KEY,
            job           TEXT NOT NULL,
            face          INTEGER NOT NULL,
            candidate     TEXT NOT NULL,
            recorded_by   TEXT NOT NULL,
            recorder_uid  INTEGER,
            action        TEXT NOT NULL CHECK (action IN ('none', 'interviewed', 'arrested', 'charged')),
            corroboration TEXT,
            request       TEXT UNIQUE,
            recorded      TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS outcomes_job ON outcomes(job);
        """

    // MARK: - Migration 2

    /// `users.agency` may be empty (no NOT NULL: a table rebuild, SQLite cannot drop a constraint),
    /// with `last_active` and `status_changed`.
    static func usersRegionalAndActivity(_ database: Database) throws {
        let present = try database.query("SELECT 1 FROM pragma_table_info('users') WHERE name = 'last_active'")
        guard present.isEmpty else { return }  // made in that form already (a spool of a development build)
        try database.execute("""
            CREATE TABLE users_rebuilt (\(usersColumns));
            INSERT INTO users_rebuilt (id, name, agency, role, uid, status, vetted, trained, added)
                SELECT id, name, agency, role, uid, status, vetted, trained, added FROM users;
            DROP TABLE users;
            ALTER TABLE users_rebuilt RENAME TO users;
            CREATE INDEX IF NOT EXISTS users_uid ON users(uid);
            """)
    }

    /// The `users` table's columns from version 2. `agency` is empty for regional people;
    /// `last_active` is the day of the person's last request (or of their registration);
    /// `status_changed` the day their status last changed.
    static let usersColumns = """
        id      TEXT PRIMARY KEY,
        name    TEXT NOT NULL,
        agency  TEXT REFERENCES agencies(code),
        role    TEXT NOT NULL,
        uid     INTEGER NOT NULL,
        status  TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')),
        vetted  TEXT,
        trained TEXT,
        added   TEXT NOT NULL,
        last_active TEXT,
        status_changed TEXT
        """
}

/// A database the schema cannot work with.
public enum SchemaError: Error, Equatable, CustomStringConvertible {
    /// The database was made by a later frs (its `user_version`).
    case newer(Int)

    public var description: String {
        switch self {
        case .newer(let found):
            "the spool's database is of schema version \(found), newer than this frs knows (\(Schema.version)): "
                + "run the frs that made it, or a later one"
        }
    }
}
