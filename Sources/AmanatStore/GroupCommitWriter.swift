import AmanatCrypto
import AmanatArchive
import AmanatFormat
import AmanatIntake
import Foundation
import GRDB
import Logging

/// Batches concurrent appends into one transaction: while one commit is on disk, new submissions queue
/// up and go together in the next. Each caller resumes only after its own transaction is durable.
actor GroupCommitWriter {
    private typealias Waiter = CheckedContinuation<AppendedRecord, any Error>
    typealias Submission = (record: StoredRecord, tokenHash: [UInt8]?)

    private let pool: DatabasePool
    private let notary: any Notary
    private let logger: Logger
    private var pending: [(submission: Submission, waiter: Waiter)] = []
    private var isWriting = false
    private var isShutDown = false
    /// Bytes of records committed since the writer last checkpointed the WAL.
    private var bytesSinceCheckpoint = 0
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    init(pool: DatabasePool, notary: any Notary, logger: Logger) {
        self.pool = pool
        self.notary = notary
        self.logger = logger
    }

    func submit(_ submission: Submission) async throws(StoreError) -> AppendedRecord {
        guard !isShutDown else { throw StoreError(.closed, "the database is closed") }
        do {
            return try await withCheckedThrowingContinuation { (waiter: Waiter) in
                pending.append((submission, waiter))
                if !isWriting {
                    isWriting = true
                    Task { await drain() }
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.writeFailed, "write failed: \(StoreError.reason(error))")
        }
    }

    /// Lets pending writes finish, then refuses new ones.
    func shutdown() async {
        isShutDown = true
        if isWriting {
            await withCheckedContinuation { idleWaiters.append($0) }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = pending
            pending = []
            await commit(batch)
        }
        isWriting = false
        for waiter in idleWaiters { waiter.resume() }
        idleWaiters = []
    }

    private func commit(_ batch: [(submission: Submission, waiter: Waiter)]) async {
        let key = notary
        do {
            let sequences = try await pool.write { db in
                let appended = try batch.map { try Self.insert($0.submission, db) }
                try LedgerTables.checkpointIfDue(db, key: key)
                return appended
            }
            for (entry, seq) in zip(batch, sequences) { entry.waiter.resume(returning: seq) }
            logger.debug("group commit", metadata: ["batch.size": "\(batch.count)"])
            bytesSinceCheckpoint += batch.reduce(0) { $0 + $1.submission.record.storedBytes }
            if bytesSinceCheckpoint >= Self.checkpointAfterBytes {
                bytesSinceCheckpoint = 0
                await checkpointWAL()
            }
        } catch {
            guard batch.count > 1 else {
                batch[0].waiter.resume(throwing: Self.storeError(error))
                return
            }
            // One bad record must not fail its neighbours: retry each alone.
            for entry in batch {
                do {
                    let seq = try await pool.write { db in
                        let appended = try Self.insert(entry.submission, db)
                        try LedgerTables.checkpointIfDue(db, key: key)
                        return appended
                    }
                    entry.waiter.resume(returning: seq)
                } catch {
                    entry.waiter.resume(throwing: Self.storeError(error))
                }
            }
        }
    }

    /// Inserts the row, its withdrawal token's hash and its ledger entry, in the caller's transaction. The
    /// statements are prepared once per connection (GRDB's statement cache), not once per record.
    /// Record bytes committed between two checkpoints of the WAL by the writer: about 250 pages of WAL, since a
    /// record's rows and the index and ledger pages it touches take about 2.8 times its bytes (28 testimonies of
    /// the example's size).
    static let checkpointAfterBytes = 384 * 1024

    /// Copies the WAL into the database file (PASSIVE: it waits for no reader), once the group that filled it
    /// has been answered. SQLite would otherwise do it inside the commit, while every submission of the group
    /// waits (RecordStore.swift: its own checkpoint is only a bound, at 1,000 pages). The records are durable in
    /// the WAL whatever happens here, so a failure is only logged.
    private func checkpointWAL() async {
        do {
            _ = try await pool.writeWithoutTransaction { db in try db.checkpoint(.passive) }
        } catch {
            logger.warning("WAL checkpoint failed", metadata: ["error": "\(StoreError.reason(error))"])
        }
    }

    private static func insert(_ submission: Submission, _ db: Database) throws -> AppendedRecord {
        let record = submission.record
        try db.cachedStatement(
            sql: """
                INSERT INTO records
                    (record_id, form_id, form_version, received, clear_json, identity_envelope, testimony_envelope)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                Data(record.recordID.bytes), record.formID, record.formVersion, record.received, record.clearJSON,
                Data(record.identityEnvelope), Data(record.testimonyEnvelope),
            ]
        )
        let recordSeq = db.lastInsertedRowID
        if let tokenHash = submission.tokenHash {
            try db.cachedStatement(sql: "INSERT INTO withdrawal_tokens (record_id, token_hash) VALUES (?, ?)").execute(
                arguments: [Data(record.recordID.bytes), Data(tokenHash)]
            )
        }
        let entry = try LedgerTables.append(db, kind: .record, recordID: record.recordID, digest: record.digest)
        return AppendedRecord(recordSeq: recordSeq, entry: entry)
    }

    private static func storeError(_ error: any Error) -> StoreError {
        RecordStore.writeError(error, "write")
    }
}
