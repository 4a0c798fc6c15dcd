import Store

/// Opens the spool's database (`state/frs.sqlite`) with every table in place.
public enum SpoolDatabase {
    /// Opens a new connection to the spool's database, creating missing tables.
    /// - Throws: `DatabaseError`.
    public static func open(_ layout: SpoolLayout) throws -> Database {
        let database = try Database(path: layout.database)
        try createSchema(database)
        return database
    }

    /// Creates the spool's tables if missing (idempotent; the gallery keeps its own tables in
    /// the same file, see `Store.GalleryStore`).
    public static func createSchema(_ database: Database) throws {
        try database.transaction {
            try Registry.createSchema(database)
            try JobLedger.createSchema(database)
        }
    }
}
