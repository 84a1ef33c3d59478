public import AmanatCrypto
import AmanatArchive
public import AmanatFormat
public import AmanatIntake
public import Logging
import Dispatch
import Foundation
import GRDB
import Synchronization

/// The daemon's database: one writer that group-commits submissions, durable before it answers.
///
/// Opened with WAL, `synchronous=FULL` (asserted), `secure_delete=ON` and `foreign_keys=ON`.
public final class RecordStore: ArchiveWriter {
    let pool: DatabasePool
    private let writer: GroupCommitWriter
    let notary: any Notary
    let logger: Logger
    /// A WAL purge after an erasure failed and must be retried.
    let purgePending = Mutex(false)
    /// Rings once for each purge that failed, for ``runPurgeRetries()``.
    private let purgeFailures: AsyncStream<Void>
    private let purgeFailed: AsyncStream<Void>.Continuation
    /// The database file.
    public let path: String
    /// Exports copying attachment streams now, and the streams erased meanwhile, whose removal waits for them.
    let exportsRunning = Mutex(StreamsInUse())

    struct StreamsInUse {
        var running = 0
        var deferred: [String] = []
    }

    /// Opens (creating if needed) the database at `path` and migrates it to the current schema. The ledger
    /// is bound to `notary`'s key: a database whose ledger belongs to another key is refused.
    public init(path: String, notary: any Notary, logger: Logger) throws(StoreError) {
        self.path = path
        (purgeFailures, purgeFailed) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.notary = notary
        self.logger = logger
        var configuration = Configuration()
        configuration.label = "amanat.store"
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in try Schema.prepare(db) }
        do {
            try Self.checkIsAmanatDatabase(path)
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                // SQLite copies the WAL into the database file inside the commit that fills it, and every
                // submission of that group would wait meanwhile. The group commit writer checkpoints instead once
                // it has answered the group, about every 250 pages (GroupCommitWriter.checkpointAfterBytes; at
                // 32 clients one connection per request gained 3-22% in six A/B pairs, and p99.9 lost its stalls
                // of 60-120 ms; BENCHMARKS.md, fourth round). SQLite's own
                // checkpoint stays, at its default of 1,000 pages, as the bound for other writes and very large
                // testimonies.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 1000")
            }
            let migrator = Schema.migrator(signingKey: notary.publicKey)
            if try pool.read({ db in try migrator.hasBeenSuperseded(db) }) {
                throw StoreError(.notAmanatDatabase, "\(path) was written by a newer version of amanat")
            }
            try migrator.migrate(pool)
            try pool.writeWithoutTransaction { db in try Self.assertPragmas(db, path: path) }
            let siteKey = try pool.read { db in try LedgerTables.siteKey(db) }
            guard siteKey == notary.publicKey else {
                throw StoreError(
                    .keyMismatch,
                    "\(path): its ledger belongs to signing key \(siteKey?.fingerprint ?? "(none)"), but the receipt key "
                        + "file holds \(notary.publicKey.fingerprint); restore the receipt key that belongs to this database"
                )
            }
            // Entries a crash left unsigned are not signed now: a checkpoint at start-up would tell which records
            // came before the (logged) start. They are signed where their period ends, or 100 entries on.
            Self.removeStaleExports(of: path)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.cannotOpen, "cannot open database \(path): \(StoreError.reason(error))")
        }
        writer = GroupCommitWriter(pool: pool, notary: notary, logger: logger)
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

    /// Durably appends `record`, the keyed hash of its withdrawal token and its ledger entry. Returns only once
    /// the transaction holding them is committed with `synchronous=FULL`; concurrent calls share one transaction.
    public func append(_ record: StoredRecord, withdrawalTokenHash: [UInt8]? = nil) async throws(StoreError) -> AppendedRecord {
        try await append(record, withdrawalTokenHash: withdrawalTokenHash, attachments: [], uploadOwner: nil)
    }

    /// As ``append(_:withdrawalTokenHash:)``, with the record's attachments (rows and ledger entries after the
    /// record's, uploads of `uploadOwner` claimed) in the same transaction.
    public func append(
        _ record: StoredRecord, withdrawalTokenHash: [UInt8]?, attachments: [NewAttachment], uploadOwner: UInt32?
    ) async throws(StoreError) -> AppendedRecord {
        try await writer.submit(
            GroupCommitWriter.Submission(
                record: record, tokenHash: withdrawalTokenHash, digest: record.digest, attachments: attachments,
                uploadOwner: uploadOwner
            )
        )
    }

    /// The number of stored records.
    public func count() throws(StoreError) -> Int {
        do {
            return try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM records") ?? 0 }
        } catch {
            throw StoreError(.writeFailed, "cannot read \(path): \(StoreError.reason(error))")
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

    /// Waits for pending writes, signs the ledger's head, checkpoints the WAL into the main file and closes. The
    /// head is signed so that a copy of the stopped database verifies; ``removeStopCheckpoint(currentPeriod:)``
    /// takes that checkpoint back at the next start unless it dates nothing.
    public func close() async {
        await writer.shutdown()
        do {
            _ = try await pool.write { [notary] db in try LedgerTables.checkpoint(db, key: notary) }
            try await pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            try pool.close()
        } catch {
            logger.warning("database close failed", metadata: ["error": "\(StoreError.reason(error))"])
        }
    }

    /// A write's failure as a `StoreError`: a full disk is its own kind; anything else is `what` failed, with
    /// SQLite's reason. A `StoreError` thrown inside the write passes through.
    static func writeError(_ error: any Error, _ what: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_FULL {
            return StoreError(.diskFull, "the disk is full")
        }
        return StoreError(.writeFailed, "\(what) failed: \(StoreError.reason(error))")
    }
}

extension RecordStore {
    /// Replaces envelopes in one transaction: every record, attachment and addendum must exist as the file's copy
    /// held it, or nothing changes. Each record's `rewrap` entry is followed by an entry restating each of its
    /// attachments and addenda as they are now (FORMAT.md §12.3), so that the ledger covers their new envelopes.
    /// Afterwards the WAL is checkpointed and truncated, so that the old envelopes leave it (secure_delete zeroes
    /// the pages they occupied in the main file).
    public func replaceEnvelopes(_ replacements: [EnvelopeReplacement], signer: SigningPublicKey) async throws(StoreError) {
        let key = notary
        do {
            try await pool.write { db in
                let hasEvidence = try EvidenceTables.exist(db)
                for replacement in replacements {
                    // Line numbers of the rewrap file: the header is line 1.
                    let line = replacement.line.map { "line \($0)" } ?? "record \(replacement.recordID)"
                    if let expected = replacement.replaces {
                        let current = try Row.fetchOne(
                            db, sql: "\(StoredRecord.selectColumns) FROM records WHERE record_id = ?",
                            arguments: [Data(replacement.recordID.bytes)]
                        ).map { try StoredRecord(row: $0) }
                        guard let current else {
                            throw StoreError(.unknownRecord, "\(line) names a record this database does not hold")
                        }
                        guard constantTimeEqual(current.digest, expected) else {
                            throw StoreError(
                                .recordChanged,
                                "\(line): the record is not as it was in the copy the file was made from (it "
                                    + "was withdrawn or rewrapped since, the file was imported already, or the copy was altered)"
                            )
                        }
                    }
                    for (column, envelope) in [("identity_envelope", replacement.identity),
                                               ("testimony_envelope", replacement.testimony)] {
                        guard let envelope else { continue }
                        try db.execute(
                            sql: "UPDATE records SET \(column) = ? WHERE record_id = ? AND withdrawn = 0",
                            arguments: [Data(envelope), Data(replacement.recordID.bytes)]
                        )
                        guard db.changesCount == 1 else {
                            throw StoreError(
                                .unknownRecord,
                                "\(line) names a record this database does not hold or that was withdrawn"
                            )
                        }
                    }
                    for item in replacement.evidence {
                        try Self.replaceEvidence(item, of: replacement.recordID, hasEvidence: hasEvidence, db)
                    }
                    let row = try Row.fetchOne(
                        db, sql: "\(StoredRecord.selectColumns) FROM records WHERE record_id = ?",
                        arguments: [Data(replacement.recordID.bytes)]
                    )
                    guard let row else { throw StoreError(.unknownRecord, "a replaced record vanished") }
                    let record = try StoredRecord(row: row)
                    _ = try LedgerTables.append(
                        db, kind: .rewrap, recordID: record.recordID, digest: record.digest, signer: signer
                    )
                    // The rewrap entry sets the record's attachments and addenda aside in the ledger (FORMAT.md §12.8
                    // step 1); these entries name them again, new envelopes or old, in position order.
                    let evidence = hasEvidence ? try EvidenceTables.evidence(of: record.recordID, db) : RecordEvidence()
                    let restated = evidence.attachments.map { (Ledger.Kind.attachment, $0.digest) }
                        + evidence.addenda.map { (Ledger.Kind.addendum, $0.digest) }
                    for (kind, digest) in restated {
                        _ = try LedgerTables.append(db, kind: kind, recordID: record.recordID, digest: digest)
                    }
                    try LedgerTables.checkpointIfDue(db, key: key)
                }
            }
        } catch {
            throw Self.writeError(error, "replacing envelopes")
        }
        await purgeWAL(after: "replacing envelopes")
    }

    /// Replaces the envelope of an attachment or addendum of `recordID`, if its row is still as the file's copy held
    /// it (its ledger digest is the line's `replaces`). Its stream, position and everything else stay.
    private static func replaceEvidence(
        _ item: EvidenceReplacement, of recordID: RecordID, hasEvidence: Bool, _ db: Database
    ) throws {
        let kind = item.kind.rawValue
        let (table, column, select) = item.kind == .attachment
            ? ("attachments", "attachment_id", EvidenceTables.attachmentColumns)
            : ("addenda", "addendum_id", EvidenceTables.addendumColumns)
        let row = hasEvidence
            ? try Row.fetchOne(db, sql: "\(select) FROM \(table) WHERE \(column) = ?", arguments: [Data(item.id.bytes)])
            : nil
        let current: (recordID: RecordID, digest: [UInt8])? = try row.map { row in
            if item.kind == .attachment {
                let attachment = try AttachmentRow(row: row)
                return (attachment.recordID, attachment.digest)
            }
            let addendum = try AddendumRow(row: row)
            return (addendum.recordID, addendum.digest)
        }
        // A withdrawn record's rows are erased, so one that is gone and one never stored read alike.
        guard let current, current.recordID == recordID else {
            throw StoreError(
                .unknownRecord, "line \(item.line) names an \(kind) of record \(recordID) this database does not hold"
            )
        }
        guard constantTimeEqual(current.digest, item.replaces) else {
            throw StoreError(
                .recordChanged,
                "line \(item.line): the \(kind) is not as it was in the copy the file was made from (it was rewrapped "
                    + "since, the file was imported already, or the copy was altered)"
            )
        }
        try db.execute(
            sql: "UPDATE \(table) SET envelope = ? WHERE \(column) = ?",
            arguments: [Data(item.envelope), Data(item.id.bytes)]
        )
    }

    /// Checkpoints the WAL into the main file and truncates it, so erased bytes leave it (secure_delete zeroes
    /// the pages they occupied in the main file). The change is committed already, so a failure must not turn
    /// into an error answer: a reader holding an old snapshot (an export's backup, say) makes SQLite refuse
    /// the truncation. Then the purge is retried by ``runPurgeRetries()``, after 1, 2, 4 … 32 seconds, and on
    /// every checkpoint timer tick after that, until it succeeds.
    func purgeWAL(after what: String) async {
        if await tryPurgeWAL(after: what) { return }
        purgePending.withLock { $0 = true }
        purgeFailed.yield()
    }

    /// Retries each failed purge after 1, 2, 4 … 32 seconds, until the task running it is cancelled. amanatd's
    /// checkpoint service runs it, so that no task outlives the services.
    public func runPurgeRetries() async {
        for await _ in purgeFailures {
            for delay in [1, 2, 4, 8, 16, 32] {
                guard (try? await Task.sleep(for: .seconds(delay))) != nil else { return }
                if await retryPendingPurge() { break }
            }
        }
    }

    /// Retries a WAL purge that failed; true when none is pending any more.
    @discardableResult
    public func retryPendingPurge() async -> Bool {
        guard purgePending.withLock({ $0 }) else { return true }
        guard await tryPurgeWAL(after: "a retry") else { return false }
        purgePending.withLock { $0 = false }
        logger.notice("WAL purged after a delay")
        return true
    }

    /// Whether a purge failed and is waiting for a retry.
    public var isPurgePending: Bool { purgePending.withLock { $0 } }

    private func tryPurgeWAL(after what: String) async -> Bool {
        do {
            let frames = try await pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
            // TRUNCATE leaves an empty WAL: anything else means old frames are still in the file.
            guard frames.walFrameCount == 0 else {
                logger.warning("WAL not truncated; will retry", metadata: ["after": "\(what)"])
                return false
            }
            return true
        } catch {
            logger.warning("WAL purge failed; will retry", metadata: ["after": "\(what)", "error": "\(StoreError.reason(error))"])
            return false
        }
    }
}
