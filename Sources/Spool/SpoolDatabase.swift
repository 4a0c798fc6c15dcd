import Store

/// Opens the spool's database (`state/frs.sqlite`) with every table in place.
public enum SpoolDatabase {
    /// The schema version this build writes (`PRAGMA user_version`).
    public static let schemaVersion = 1

    /// Opens a new connection to the spool's database, creating missing tables.
    /// - Throws: `DatabaseError`.
    public static func open(_ layout: SpoolLayout) throws -> Database {
        let database = try Database(path: layout.database)
        try createSchema(database)
        return database
    }

    /// Creates every table if missing (idempotent).
    public static func createSchema(_ database: Database) throws {
        let version = try database.query("PRAGMA user_version").first?.int(0) ?? 0
        guard version < Int64(schemaVersion) else { return }
        try database.transaction {
            try Registry.createSchema(database)
            try JobLedger.createSchema(database)
            try database.execute("PRAGMA user_version = \(schemaVersion)")
        }
    }
}
