import Foundation
import AmanatModel
import GRDB

/// Reads a copy of an amanat database, read-only, in storage order. Used by the offline key holder.
public final class RecordReader {
    private let queue: DatabaseQueue
    /// The database file.
    public let path: String

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
            queue = try DatabaseQueue(path: path, configuration: configuration)
            let (applicationID, migrated) = try queue.read { db in
                (try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0,
                 try Schema.migrator.hasCompletedMigrations(db))
            }
            guard applicationID == Schema.applicationID else {
                throw StoreError(.notAmanatDatabase, "\(path) is not an amanat database")
            }
            guard migrated else {
                throw StoreError(.notAmanatDatabase, "\(path) has a schema this version does not know")
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.cannotOpen, "cannot open database \(path): \(RecordStore.reason(error))")
        }
    }

    /// Calls `body` with each record in storage order, streaming rather than loading all of them.
    public func forEach(_ body: (StoredRecord) throws -> Void) throws {
        try queue.read { db in
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT record_id, form_id, form_version, received, clear_json, identity_envelope, testimony_envelope
                    FROM records ORDER BY seq
                    """
            )
            while let row = try cursor.next() {
                let idBytes = [UInt8]((row[0] as Data?) ?? Data())
                guard let recordID = RecordID(bytes: idBytes) else {
                    throw StoreError(.notAmanatDatabase, "\(path): a record has a malformed id")
                }
                try body(
                    StoredRecord(
                        recordID: recordID, formID: row[1], formVersion: row[2], received: row[3], clearJSON: row[4],
                        identityEnvelope: [UInt8]((row[5] as Data?) ?? Data()),
                        testimonyEnvelope: [UInt8]((row[6] as Data?) ?? Data())
                    )
                )
            }
        }
    }

    /// The number of records.
    public func count() throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM records") ?? 0 }
    }
}
