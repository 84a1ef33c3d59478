import AmanatCrypto
import AmanatArchive
import AmanatFormat
import AmanatIntake
import Foundation
import GRDB
import Logging
import Synchronization

/// Batches concurrent appends into one transaction: while one commit is on disk, new submissions queue
/// up and go together in the next. Each caller resumes only after its own transaction is durable.
///
/// No task of its own: the submitter that finds the writer idle leads. It takes every queued submission (its
/// own among them), commits them as one transaction, answers each, and hands the lead to the first submitter
/// that queued meanwhile. Commits therefore run inside request tasks, which the HTTP server lets finish before
/// it stops, and a submission travels event loop → request task → SQLite's writer queue → back, with no actor
/// or extra task between. The writes go through GRDB's callback API, which a cancelled request task cannot
/// interrupt: a graceful shutdown cancels connections, and the neighbours in a batch must not fail with them.
final class GroupCommitWriter: Sendable {
    /// A record, its token's keyed hash, and its ledger digest, computed by the submitter before it queues so
    /// that the serial transaction does no hashing; and its attachments, whose digests need the claimed uploads'
    /// hashes, known only in the transaction.
    struct Submission: Sendable {
        var record: StoredRecord
        var tokenHash: [UInt8]?
        var digest: [UInt8]
        var attachments: [NewAttachment] = []
        var uploadOwner: UInt32?
    }

    private struct State {
        var pending: [(submission: Submission, slot: Slot)] = []
        var leading = false
        var isShutDown = false
        /// Bytes of records committed since the writer last checkpointed the WAL.
        var bytesSinceCheckpoint = 0
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let pool: DatabasePool
    private let notary: any Notary
    private let logger: Logger
    private let state = Mutex(State())

    init(pool: DatabasePool, notary: any Notary, logger: Logger) {
        self.pool = pool
        self.notary = notary
        self.logger = logger
    }

    func submit(_ submission: Submission) async throws(StoreError) -> AppendedRecord {
        let slot = Slot()
        let leads = state.withLock { state -> Bool? in
            guard !state.isShutDown else { return nil }
            state.pending.append((submission, slot))
            defer { state.leading = true }
            return !state.leading
        }
        guard let leads else { throw StoreError(.closed, "the database is closed") }
        if !leads, case .done(let result) = await slot.outcome() {
            return try result.get()
        }
        // Leading: every queued submission, this one included, in one transaction.
        let batch = state.withLock { state in
            defer { state.pending = [] }
            return state.pending
        }
        await commit(batch)
        handOff()
        guard case .done(let result) = await slot.outcome() else {
            throw StoreError(.writeFailed, "write failed: the submission was not committed")
        }
        return try result.get()
    }

    /// Lets pending writes finish, then refuses new ones.
    func shutdown() async {
        let busy = state.withLock { state in
            state.isShutDown = true
            return state.leading
        }
        guard busy else { return }
        await withCheckedContinuation { waiter in
            let idle = state.withLock { state in
                if state.leading { state.idleWaiters.append(waiter) }
                return !state.leading
            }
            if idle { waiter.resume() }
        }
    }

    /// Gives the lead to the first submission that queued during the commit, or goes idle.
    private func handOff() {
        let (next, idleWaiters) = state.withLock { state -> (Slot?, [CheckedContinuation<Void, Never>]) in
            if let first = state.pending.first { return (first.slot, []) }
            state.leading = false
            defer { state.idleWaiters = [] }
            return (nil, state.idleWaiters)
        }
        next?.fulfil(.lead)
        for waiter in idleWaiters { waiter.resume() }
    }

    private func commit(_ batch: [(submission: Submission, slot: Slot)]) async {
        let key = notary
        do {
            let appended = try await write { db in try batch.map { try Self.insert($0.submission, db, key: key) } }
            // No log line per commit, even at debug: it would date the records in it (SECURITY.md).
            for (entry, landed) in zip(batch, appended) { entry.slot.fulfil(.done(.success(landed))) }
            let bytes = batch.reduce(0) { total, entry in
                let envelopes = entry.submission.attachments.reduce(0) { $0 + $1.envelope.count }
                return total + entry.submission.record.storedBytes + envelopes
            }
            let due = state.withLock { state in
                state.bytesSinceCheckpoint += bytes
                guard state.bytesSinceCheckpoint >= Self.checkpointAfterBytes else { return false }
                state.bytesSinceCheckpoint = 0
                return true
            }
            if due { checkpointWAL() }
        } catch {
            guard batch.count > 1 else {
                batch[0].slot.fulfil(.done(.failure(Self.storeError(error))))
                return
            }
            // One bad record must not fail its neighbours: retry each alone.
            for entry in batch {
                do {
                    let landed = try await write { db in try Self.insert(entry.submission, db, key: key) }
                    entry.slot.fulfil(.done(.success(landed)))
                } catch {
                    entry.slot.fulfil(.done(.failure(Self.storeError(error))))
                }
            }
        }
    }

    /// One transaction on SQLite's writer queue, awaited through a continuation that task cancellation does
    /// not reach (GRDB's async `write` would interrupt the commit of a cancelled task).
    private func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            pool.asyncWrite(updates) { _, result in continuation.resume(with: result) }
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
    private func checkpointWAL() {
        // Queued behind the commit on SQLite's writer queue; nobody waits for it.
        pool.asyncWriteWithoutTransaction { [logger] db in
            do {
                _ = try db.checkpoint(.passive)
            } catch {
                logger.warning("WAL checkpoint failed", metadata: ["error": "\(StoreError.reason(error))"])
            }
        }
    }

    /// Checkpoints fall only where they date nothing: where the records' received period changes, and every 100
    /// entries (FORMAT.md section 12.5).
    private static func insert(_ submission: Submission, _ db: Database, key: any Notary) throws -> AppendedRecord {
        let record = submission.record
        try LedgerTables.checkpointBeforeNewPeriod(db, received: record.received, key: key)
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
        let entry = try LedgerTables.append(db, kind: .record, recordID: record.recordID, digest: submission.digest)
        try LedgerTables.checkpointIfDue(db, key: key)
        // A refused upload throws, and the batch is retried submission by submission: only this one fails.
        let attachments = try submission.attachments.enumerated().map { index, attachment in
            try RecordStore.insert(
                attachment, recordID: record.recordID, position: Int64(index) + 1, uploadOwner: submission.uploadOwner,
                db, key: key
            )
        }
        return AppendedRecord(recordSeq: recordSeq, entry: entry, attachments: attachments)
    }

    private static func storeError(_ error: any Error) -> StoreError {
        RecordStore.writeError(error, "write")
    }
}

/// Where one submission's outcome meets its submitter: a one-shot value, set by the leader that committed it
/// (or that hands it the lead), awaited by the submitter.
private final class Slot: Sendable {
    enum Outcome: Sendable {
        case done(Result<AppendedRecord, StoreError>)
        /// The previous leader is done: this submitter commits the queue next.
        case lead
    }

    private enum State {
        case empty
        case waiting(CheckedContinuation<Outcome, Never>)
        case set(Outcome)
    }

    private let state = Mutex(State.empty)

    func fulfil(_ outcome: Outcome) {
        let waiter = state.withLock { state -> CheckedContinuation<Outcome, Never>? in
            if case .waiting(let waiter) = state {
                state = .set(outcome)
                return waiter
            }
            // A lead handed to a slot whose submission is committed already cannot happen: the leader takes
            // every queued submission, so only a queued one is handed the lead.
            state = .set(outcome)
            return nil
        }
        waiter?.resume(returning: outcome)
    }

    /// The outcome, once set. A `.lead` is consumed by reading it, so the slot can then take its result.
    func outcome() async -> Outcome {
        await withCheckedContinuation { waiter in
            let ready = state.withLock { state -> Outcome? in
                if case .set(let outcome) = state {
                    if case .lead = outcome { state = .empty }
                    return outcome
                }
                state = .waiting(waiter)
                return nil
            }
            if let ready { waiter.resume(returning: ready) }
        }
    }
}
