import AmanatFormat
package import AmanatCrypto
import Foundation
package import GRDB

/// The SQLite schema (docs/FORMAT.md, "SQLite schema"), as versioned migrations.
package enum Schema {
    /// `PRAGMA application_id` of an amanat database: "AMNT".
    package static let applicationID: Int32 = 0x414D_4E54

    /// The migrations. `signingKey` binds the ledger to the site when "v2" adds it to an existing archive;
    /// readers that only ask which migrations ran pass nil.
    package static func migrator(signingKey: SigningPublicKey?) -> DatabaseMigrator {
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
        // The ledger, checkpoints, withdrawal and the site's signing key.
        migrator.registerMigration("v2") { db in
            guard let signingKey else { throw StoreError(.cannotOpen, "migrating needs the site's signing key") }
            try db.execute(sql: """
                CREATE TABLE records_v2 (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    record_id BLOB NOT NULL UNIQUE
                        CHECK (typeof(record_id) = 'blob' AND length(record_id) = 16),
                    form_id TEXT NOT NULL,
                    form_version INTEGER NOT NULL CHECK (form_version >= 1),
                    received TEXT NOT NULL,
                    clear_json TEXT,
                    identity_envelope BLOB,
                    testimony_envelope BLOB,
                    withdrawn INTEGER NOT NULL DEFAULT 0 CHECK (withdrawn IN (0, 1)),
                    CHECK ((withdrawn = 0 AND clear_json IS NOT NULL AND identity_envelope IS NOT NULL
                                AND testimony_envelope IS NOT NULL)
                        OR (withdrawn = 1 AND clear_json IS NULL AND identity_envelope IS NULL
                                AND testimony_envelope IS NULL))
                );
                INSERT INTO records_v2
                    (seq, record_id, form_id, form_version, received, clear_json, identity_envelope, testimony_envelope)
                    SELECT seq, record_id, form_id, form_version, received, clear_json, identity_envelope,
                        testimony_envelope FROM records ORDER BY seq;
                DROP TABLE records;
                ALTER TABLE records_v2 RENAME TO records;
                CREATE TABLE site (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    signing_key BLOB NOT NULL CHECK (typeof(signing_key) = 'blob' AND length(signing_key) = 32)
                );
                CREATE TABLE ledger (
                    seq INTEGER PRIMARY KEY CHECK (seq >= 1),
                    kind INTEGER NOT NULL CHECK (kind IN (1, 2, 3)),
                    record_id BLOB NOT NULL CHECK (typeof(record_id) = 'blob' AND length(record_id) = 16),
                    content_digest BLOB NOT NULL CHECK (typeof(content_digest) = 'blob' AND length(content_digest) = 32),
                    prev_hash BLOB NOT NULL CHECK (typeof(prev_hash) = 'blob' AND length(prev_hash) = 32),
                    entry_hash BLOB NOT NULL CHECK (typeof(entry_hash) = 'blob' AND length(entry_hash) = 32)
                );
                CREATE INDEX ledger_record_id ON ledger (record_id);
                CREATE TABLE checkpoints (
                    ledger_seq INTEGER PRIMARY KEY CHECK (ledger_seq >= 1),
                    head_hash BLOB NOT NULL CHECK (typeof(head_hash) = 'blob' AND length(head_hash) = 32),
                    record_count INTEGER NOT NULL CHECK (record_count >= 0),
                    signature BLOB NOT NULL CHECK (typeof(signature) = 'blob' AND length(signature) = 64)
                );
                CREATE TABLE withdrawal_tokens (
                    record_id BLOB PRIMARY KEY CHECK (typeof(record_id) = 'blob' AND length(record_id) = 16),
                    token_hash BLOB NOT NULL CHECK (typeof(token_hash) = 'blob' AND length(token_hash) = 32)
                ) WITHOUT ROWID;
                """)
            try db.execute(sql: "INSERT INTO site (id, signing_key) VALUES (1, ?)", arguments: [Data(signingKey.bytes)])
            // Records stored before the ledger existed get their entries now, in storage order. They carry no
            // withdrawal token: a token is shown only once, when the record is stored.
            let rows = try Row.fetchAll(db, sql: """
                SELECT record_id, form_id, form_version, received, clear_json, identity_envelope, testimony_envelope
                FROM records ORDER BY seq
                """)
            for row in rows {
                let record = try StoredRecord(row: row)
                _ = try LedgerTables.append(db, kind: .record, recordID: record.recordID, digest: record.digest)
            }
        }
        // The key holder's key that signed a rewrap, named by its ledger entry (FORMAT.md §12.3). Rewrap entries
        // written before keep NULL, and are hashed without it.
        migrator.registerMigration("v3") { db in
            try db.execute(sql: """
                ALTER TABLE ledger ADD COLUMN signer BLOB
                    CHECK (signer IS NULL OR (typeof(signer) = 'blob' AND length(signer) = 32 AND kind = 3));
                """)
        }
        // Evidence files and addenda (FORMAT.md sections 7.1, 12.3, 13 and 14): their tables, the uploads in
        // progress, and the ledger rebuilt to allow kinds 4 (attachment) and 5 (addendum), rows unchanged.
        migrator.registerMigration("v4") { db in
            try db.execute(sql: """
                CREATE TABLE ledger_v4 (
                    seq INTEGER PRIMARY KEY CHECK (seq >= 1),
                    kind INTEGER NOT NULL CHECK (kind IN (1, 2, 3, 4, 5)),
                    record_id BLOB NOT NULL CHECK (typeof(record_id) = 'blob' AND length(record_id) = 16),
                    content_digest BLOB NOT NULL CHECK (typeof(content_digest) = 'blob' AND length(content_digest) = 32),
                    prev_hash BLOB NOT NULL CHECK (typeof(prev_hash) = 'blob' AND length(prev_hash) = 32),
                    entry_hash BLOB NOT NULL CHECK (typeof(entry_hash) = 'blob' AND length(entry_hash) = 32),
                    signer BLOB
                        CHECK (signer IS NULL OR (typeof(signer) = 'blob' AND length(signer) = 32 AND kind = 3))
                );
                INSERT INTO ledger_v4 (seq, kind, record_id, content_digest, prev_hash, entry_hash, signer)
                    SELECT seq, kind, record_id, content_digest, prev_hash, entry_hash, signer FROM ledger ORDER BY seq;
                DROP TABLE ledger;
                ALTER TABLE ledger_v4 RENAME TO ledger;
                CREATE INDEX ledger_record_id ON ledger (record_id);
                CREATE TABLE attachments (
                    attachment_id BLOB PRIMARY KEY
                        CHECK (typeof(attachment_id) = 'blob' AND length(attachment_id) = 16),
                    record_id BLOB NOT NULL CHECK (typeof(record_id) = 'blob' AND length(record_id) = 16),
                    position INTEGER NOT NULL CHECK (position >= 1),
                    sealed_to TEXT NOT NULL CHECK (sealed_to IN ('identity', 'testimony')),
                    envelope BLOB NOT NULL CHECK (typeof(envelope) = 'blob'),
                    stored_size INTEGER NOT NULL CHECK (stored_size >= \(FileStreamLayout.minimumStoredSize)),
                    ciphertext_sha256 BLOB NOT NULL
                        CHECK (typeof(ciphertext_sha256) = 'blob' AND length(ciphertext_sha256) = 32),
                    storage TEXT CHECK (storage IS NULL OR (length(storage) = 32 AND storage NOT GLOB '*[^0-9a-f]*')),
                    UNIQUE (record_id, position)
                );
                CREATE TABLE attachment_chunks (
                    attachment_id BLOB NOT NULL
                        CHECK (typeof(attachment_id) = 'blob' AND length(attachment_id) = 16),
                    piece INTEGER NOT NULL CHECK (piece >= 0),
                    data BLOB NOT NULL CHECK (typeof(data) = 'blob'),
                    PRIMARY KEY (attachment_id, piece)
                );
                CREATE TABLE addenda (
                    addendum_id BLOB PRIMARY KEY CHECK (typeof(addendum_id) = 'blob' AND length(addendum_id) = 16),
                    record_id BLOB NOT NULL CHECK (typeof(record_id) = 'blob' AND length(record_id) = 16),
                    position INTEGER NOT NULL CHECK (position >= 1),
                    envelope BLOB NOT NULL CHECK (typeof(envelope) = 'blob'),
                    UNIQUE (record_id, position)
                );
                CREATE TABLE uploads (
                    upload_id TEXT PRIMARY KEY
                        CHECK (length(upload_id) = 32 AND upload_id NOT GLOB '*[^0-9a-f]*'),
                    owner_uid INTEGER NOT NULL,
                    length INTEGER NOT NULL CHECK (length >= 0),
                    durable_offset INTEGER NOT NULL CHECK (durable_offset >= 0 AND durable_offset <= length),
                    ciphertext_sha256 BLOB CHECK (ciphertext_sha256 IS NULL
                        OR (typeof(ciphertext_sha256) = 'blob' AND length(ciphertext_sha256) = 32)),
                    expires INTEGER NOT NULL
                );
                """)
        }
        return migrator
    }

    /// The bytes of a stored attachment stream in an export's `attachment_chunks` are cut into pieces of this size.
    package static let attachmentPieceBytes = 1 << 20

    /// Pragmas for every connection. `synchronous` is set again on the writer after GRDB's WAL set-up,
    /// which lowers it to NORMAL.
    package static func prepare(_ db: Database) throws {
        try db.execute(sql: "PRAGMA secure_delete = ON")
        try db.execute(sql: "PRAGMA foreign_keys = ON")
    }
}
