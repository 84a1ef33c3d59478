import GRDB

/// The SQLite schema (docs/FORMAT.md, "SQLite schema"), as versioned migrations.
enum Schema {
    /// `PRAGMA application_id` of an amanat database: "AMNT".
    static let applicationID: Int32 = 0x414D_4E54

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE records (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    record_id BLOB NOT NULL UNIQUE
                        CHECK (typeof(record_id) = 'blob' AND length(record_id) = 16),
                    form_id TEXT NOT NULL,
                    form_version INTEGER NOT NULL CHECK (form_version >= 1),
                    received TEXT NOT NULL,
                    clear_json TEXT NOT NULL,
                    identity_envelope BLOB NOT NULL,
                    testimony_envelope BLOB NOT NULL
                );
                """)
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
        }
        return migrator
    }

    /// Pragmas for every connection. `synchronous` is set again on the writer after GRDB's WAL set-up,
    /// which lowers it to NORMAL.
    static func prepare(_ db: Database) throws {
        try db.execute(sql: "PRAGMA secure_delete = ON")
        try db.execute(sql: "PRAGMA foreign_keys = ON")
    }
}
