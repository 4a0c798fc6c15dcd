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

    /// Brings the database's schema up to date (``Store/Schema``: every table of the spool).
    public static func createSchema(_ database: Database) throws {
        try Schema.migrate(database)
    }
}
