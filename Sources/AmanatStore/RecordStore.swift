public import AmanatModel
public import Logging
import Foundation
import GRDB

/// The daemon's database: one writer that group-commits submissions, durable before it answers.
///
/// Opened with WAL, `synchronous=FULL` (asserted), `secure_delete=ON` and `foreign_keys=ON`.
public final class RecordStore: Sendable {
    let pool: DatabasePool
    private let writer: GroupCommitWriter
    private let logger: Logger
    /// The database file.
    public let path: String

    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    public init(path: String, logger: Logger) throws(StoreError) {
        self.path = path
        self.logger = logger
        var configuration = Configuration()
        configuration.label = "amanat.store"
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in try Schema.prepare(db) }
        do {
            try Self.checkIsAmanatDatabase(path)
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            let migrator = Schema.migrator
            if try pool.read({ db in try migrator.hasBeenSuperseded(db) }) {
                throw StoreError(.notAmanatDatabase, "\(path) was written by a newer version of amanat")
            }
            try migrator.migrate(pool)
            try pool.writeWithoutTransaction { db in try Self.assertPragmas(db, path: path) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.cannotOpen, "cannot open database \(path): \(Self.reason(error))")
        }
        writer = GroupCommitWriter(pool: pool, logger: logger)
    }

    /// Refuses an existing file that belongs to someone else before opening it for writing, which would
    /// switch it to WAL mode for good.
    private static func checkIsAmanatDatabase(_ path: String) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size > 0 else { return }
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        let (applicationID, tables) = try queue.read { db in
            (try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0)
        }
        if applicationID != Schema.applicationID && !(applicationID == 0 && tables == 0) {
            throw StoreError(.notAmanatDatabase, "\(path) is not an amanat database")
        }
    }

    private static func assertPragmas(_ db: Database, path: String) throws {
        let journal = try String.fetchOne(db, sql: "PRAGMA journal_mode")
        let synchronous = try Int.fetchOne(db, sql: "PRAGMA synchronous")
        let secureDelete = try Int.fetchOne(db, sql: "PRAGMA secure_delete")
        let foreignKeys = try Int.fetchOne(db, sql: "PRAGMA foreign_keys")
        // synchronous 2 is FULL; anything weaker could lose an acknowledged testimony.
        guard journal == "wal", synchronous == 2, secureDelete == 1, foreignKeys == 1 else {
            throw StoreError(.cannotOpen, "\(path): SQLite refused the required durability settings")
        }
    }

    /// Durably appends `record`. Returns only once the transaction holding it is committed with
    /// `synchronous=FULL`; concurrent calls share one transaction.
    public func append(_ record: StoredRecord) async throws(StoreError) -> Int64 {
        try await writer.submit(record)
    }

    /// The number of stored records.
    public func count() throws(StoreError) -> Int {
        do {
            return try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM records") ?? 0 }
        } catch {
            throw StoreError(.writeFailed, "cannot read \(path): \(Self.reason(error))")
        }
    }

    /// Reads the current pragma values, for tests and start-up logs.
    public func pragmas() throws -> [String: String] {
        try pool.writeWithoutTransaction { db in
            var out: [String: String] = [:]
            for name in ["journal_mode", "synchronous", "secure_delete", "foreign_keys"] {
                out[name] = try String.fetchOne(db, sql: "PRAGMA \(name)")
            }
            return out
        }
    }

    /// Waits for pending writes, checkpoints the WAL into the main file and closes.
    public func close() async {
        await writer.shutdown()
        do {
            try await pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            try pool.close()
        } catch {
            logger.warning("database close failed", metadata: ["error": "\(Self.reason(error))"])
        }
    }

    /// SQLite's reason without the SQL or its arguments.
    static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "SQLite error \(error.resultCode.rawValue)"
        }
        return "\(error)"
    }
}

extension RecordStore {
    /// New envelopes for one record; nil leaves a section as it is.
    public struct EnvelopeReplacement: Sendable {
        /// The record.
        public var recordID: RecordID
        /// Its new identity envelope.
        public var identity: [UInt8]?
        /// Its new testimony envelope.
        public var testimony: [UInt8]?

        /// A replacement.
        public init(recordID: RecordID, identity: [UInt8]?, testimony: [UInt8]?) {
            self.recordID = recordID
            self.identity = identity
            self.testimony = testimony
        }
    }

    /// Replaces envelopes in one transaction: every record must exist, or nothing changes. Afterwards the
    /// WAL is checkpointed and truncated, so that the old envelopes leave it (secure_delete zeroes the pages
    /// they occupied in the main file).
    public func replaceEnvelopes(_ replacements: [EnvelopeReplacement]) async throws(StoreError) {
        do {
            try await pool.write { db in
                for (index, replacement) in replacements.enumerated() {
                    for (column, envelope) in [("identity_envelope", replacement.identity),
                                               ("testimony_envelope", replacement.testimony)] {
                        guard let envelope else { continue }
                        try db.execute(
                            sql: "UPDATE records SET \(column) = ? WHERE record_id = ?",
                            arguments: [Data(envelope), Data(replacement.recordID.bytes)]
                        )
                        guard db.changesCount == 1 else {
                            // Line numbers of the rewrap file: the header is line 1.
                            throw StoreError(.unknownRecord, "line \(index + 2) names a record this database does not hold")
                        }
                    }
                }
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw StoreError(.diskFull, "the disk is full")
        } catch {
            throw StoreError(.writeFailed, "replacing envelopes failed: \(Self.reason(error))")
        }
        // The replacement is committed; a failed checkpoint only delays the purge of the old envelopes from
        // the WAL until the next one, so it must not turn into an error answer.
        do {
            try await pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        } catch {
            logger.warning("checkpoint after replacing envelopes failed", metadata: ["error": "\(Self.reason(error))"])
        }
    }
}
