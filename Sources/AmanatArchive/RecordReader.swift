public import AmanatFormat
import Foundation
import GRDB
import AmanatCrypto

/// Reads a copy of an amanat database, read-only, in storage order. Used by the offline key holder.
public final class RecordReader {
    let queue: DatabaseQueue
    /// The database file.
    public let path: String
    /// A second read-only connection, for attachment streams read while ``forEach(evidence:_:)`` holds the first.
    private var streams: DatabaseQueue?

    /// Opens `path` read-only and checks that it is an amanat database of a known version.
    public init(path: String) throws(StoreError) {
        self.path = path
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "amanat.reader"
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.cannotOpen, "\(path): no such file")
        }
        do {
            queue = try DatabaseQueue(path: Self.openPath(path), configuration: configuration)
            let (applicationID, migrated, superseded) = try queue.read { db in
                (try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0,
                 try Schema.migrator(signingKey: nil).hasCompletedMigrations(db),
                 try Schema.migrator(signingKey: nil).hasBeenSuperseded(db))
            }
            guard applicationID == Schema.applicationID else {
                throw StoreError(.notAmanatDatabase, "\(path) is not an amanat database")
            }
            guard !superseded else {
                throw StoreError(.notAmanatDatabase, "\(path) has a schema this version does not know")
            }
            guard migrated else {
                throw StoreError(
                    .notAmanatDatabase,
                    "\(path) was written by an older amanatd (before the ledger, or before rewrap signers): start this version of "
                        + "amanatd on it once, then export again"
                )
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.cannotOpen, "cannot open database \(path): \(StoreError.reason(error))")
        }
    }

    /// What to hand SQLite. A copy whose WAL was checkpointed (a clean stop) opens as an immutable URI, so
    /// that reading it creates no `-shm` or `-wal` file beside it and works on read-only media. A copy that
    /// comes with a non-empty WAL must be opened normally, or the WAL's records would be missed; SQLite then
    /// needs to create a `-shm` file next to it.
    static func openPath(_ path: String) -> String {
        let walSize = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        guard walSize == 0 else { return path }
        let unreserved = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/".utf8)
        var encoded = ""
        for byte in path.utf8 {
            encoded += unreserved.contains(byte) ? String(UnicodeScalar(byte)) : "%" + Hex.encode([byte]).uppercased()
        }
        return "file:\(encoded)?mode=ro&immutable=1"
    }

    /// Calls `body` with each record in storage order, streaming rather than loading all of them. Withdrawn
    /// records come with `withdrawn` set and empty content.
    public func forEach(_ body: (StoredRecord) throws -> Void) throws {
        try forEach(evidence: false) { record, _ in try body(record) }
    }

    /// Calls `body` with each record in storage order and, when `evidence` is set, its attachments and addenda
    /// (each in position order; none for a database without them). Rows of either that cannot be read throw.
    public func forEach(evidence: Bool, _ body: (StoredRecord, RecordEvidence) throws -> Void) throws {
        try queue.read { db in
            let hasEvidence = try evidence && EvidenceTables.exist(db)
            let cursor = try Row.fetchCursor(db, sql: "\(StoredRecord.selectColumns) FROM records ORDER BY seq")
            while let row = try cursor.next() {
                let record: StoredRecord
                do {
                    record = try StoredRecord(row: row)
                } catch {
                    throw StoreError(.notAmanatDatabase, "\(path): a record is malformed (an id that is not 16 bytes, or a value of the wrong type)")
                }
                let found = hasEvidence ? try EvidenceTables.evidence(of: record.recordID, db) : RecordEvidence()
                try body(record, found)
            }
        }
    }

    /// The connection for attachment streams, opened on first use as the main one was.
    func streamQueue() throws -> DatabaseQueue {
        if let streams { return streams }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "amanat.reader.streams"
        let opened = try DatabaseQueue(path: Self.openPath(path), configuration: configuration)
        streams = opened
        return opened
    }

    /// Checks every row's shape before anything is written (docs/FORMAT.md 7.3 step 5): throws when a record id,
    /// form, version, date or withdrawn mark cannot be read, so that such a row stops a reader before its first
    /// record rather than part way. Verification checks this and more (``ArchiveVerifier``); `open --no-verify`
    /// calls it alone.
    public func checkRows() throws {
        try queue.read { db in try RecordShape.check(db, path: path) }
    }

    /// The number of records.
    public func count() throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM records") ?? 0 }
    }
}
