import Foundation
import GRDB
import Logging

/// Batches concurrent appends into one transaction: while one commit is on disk, new submissions queue
/// up and go together in the next. Each caller resumes only after its own transaction is durable.
actor GroupCommitWriter {
    private typealias Waiter = CheckedContinuation<Int64, any Error>

    private let pool: DatabasePool
    private let logger: Logger
    private var pending: [(record: StoredRecord, waiter: Waiter)] = []
    private var isWriting = false
    private var isShutDown = false
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    init(pool: DatabasePool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    func submit(_ record: StoredRecord) async throws(StoreError) -> Int64 {
        guard !isShutDown else { throw StoreError(.closed, "the database is closed") }
        do {
            return try await withCheckedThrowingContinuation { (waiter: Waiter) in
                pending.append((record, waiter))
                if !isWriting {
                    isWriting = true
                    Task { await drain() }
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.writeFailed, "write failed: \(RecordStore.reason(error))")
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

    private func commit(_ batch: [(record: StoredRecord, waiter: Waiter)]) async {
        do {
            let sequences = try await pool.write { db in
                try batch.map { try Self.insert($0.record, db) }
            }
            for (entry, seq) in zip(batch, sequences) { entry.waiter.resume(returning: seq) }
            logger.debug("group commit", metadata: ["batch.size": "\(batch.count)"])
        } catch {
            guard batch.count > 1 else {
                batch[0].waiter.resume(throwing: Self.storeError(error))
                return
            }
            // One bad record must not fail its neighbours: retry each alone.
            for entry in batch {
                do {
                    let seq = try await pool.write { db in try Self.insert(entry.record, db) }
                    entry.waiter.resume(returning: seq)
                } catch {
                    entry.waiter.resume(throwing: Self.storeError(error))
                }
            }
        }
    }

    private static func insert(_ record: StoredRecord, _ db: Database) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO records
                    (record_id, form_id, form_version, received, clear_json, identity_envelope, testimony_envelope)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                Data(record.recordID.bytes), record.formID, record.formVersion, record.received, record.clearJSON,
                Data(record.identityEnvelope), Data(record.testimonyEnvelope),
            ]
        )
        return db.lastInsertedRowID
    }

    private static func storeError(_ error: any Error) -> StoreError {
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_FULL {
            return StoreError(.diskFull, "the disk is full")
        }
        return StoreError(.writeFailed, "write failed: \(RecordStore.reason(error))")
    }
}
