import AmanatCrypto
import AmanatArchive
public import AmanatFormat
public import AmanatIntake
import Dispatch
import Foundation
import GRDB
import Glibc

extension RecordStore {
    /// Erases a record's clear fields and envelopes if `token` is its withdrawal token, appends a withdrawal
    /// entry and purges the WAL. A wrong token and an unknown id get `refused` alike, so that the answer tells
    /// nobody which ids exist. The token's keyed hash stays in `withdrawal_tokens` beside the withdrawn row, as its
    /// tombstone: the same token offered again gets `alreadyWithdrawn` (FORMAT.md 7.1). An export empties the table.
    public func withdraw(_ recordID: RecordID, token: [UInt8]) async throws(StoreError) -> WithdrawalOutcome {
        let key = notary
        let offered: [UInt8]
        do {
            offered = try WithdrawalToken.hash(token, for: recordID, key: key)
        } catch {
            throw StoreError(.writeFailed, "cannot hash the withdrawal token: \(error)")
        }
        // The streams of the record's attachments: removed once the rows that name them are gone for good.
        let outcome: (WithdrawalOutcome, erased: [String])
        do {
            outcome = try await pool.write { db -> (WithdrawalOutcome, erased: [String]) in
                guard try Self.tokenMatches(db, recordID, offered: offered) else { return (.refused, []) }
                guard let row = try Row.fetchOne(
                    db, sql: "\(StoredRecord.selectColumns) FROM records WHERE record_id = ? AND withdrawn = 0",
                    arguments: [Data(recordID.bytes)]
                ) else {
                    // The token matched a tombstone: only a row withdrawn before keeps its token's hash.
                    return (.alreadyWithdrawn, [])
                }
                var record = try StoredRecord(row: row)
                try db.execute(
                    sql: """
                        UPDATE records SET clear_json = NULL, identity_envelope = NULL, testimony_envelope = NULL,
                            withdrawn = 1
                        WHERE record_id = ?
                        """,
                    arguments: [Data(recordID.bytes)]
                )
                let storage = try String.fetchAll(
                    db, sql: "SELECT storage FROM attachments WHERE record_id = ? AND storage IS NOT NULL",
                    arguments: [Data(recordID.bytes)]
                )
                // secure_delete zeroes the envelopes' pages; the WAL is purged below.
                try db.execute(sql: "DELETE FROM attachments WHERE record_id = ?", arguments: [Data(recordID.bytes)])
                try db.execute(sql: "DELETE FROM addenda WHERE record_id = ?", arguments: [Data(recordID.bytes)])
                record.withdrawn = true
                _ = try LedgerTables.append(db, kind: .withdrawal, recordID: recordID, digest: record.digest)
                try LedgerTables.checkpointIfDue(db, key: key)
                return (.withdrawn, storage)
            }
        } catch {
            throw Self.writeError(error, "withdrawal")
        }
        guard outcome.0 == .withdrawn else { return outcome.0 }
        removeStreams(outcome.erased)
        await purgeWAL(after: "a withdrawal")
        return .withdrawn
    }

    /// Signs the ledger's head if entries were added since the last checkpoint. Returns the checkpoint
    /// covering the head (nil for an empty ledger).
    @discardableResult
    public func signCheckpoint() async throws(StoreError) -> Checkpoint? {
        let key = notary
        do {
            return try await pool.write { db in try LedgerTables.checkpoint(db, key: key) }
        } catch {
            throw Self.writeError(error, "signing a checkpoint")
        }
    }

    /// Signs the last record's entry once the received period it was stamped in (`received` values look like
    /// `currentPeriod`) is over, if it is unsigned. amanatd's checkpoint timer calls it; returns whether it signed.
    @discardableResult
    public func signEndedPeriod(currentPeriod: String) async throws(StoreError) -> Bool {
        let key = notary
        do {
            return try await pool.write { db in try LedgerTables.checkpointEndedPeriod(db, currentPeriod: currentPeriod, key: key) }
        } catch {
            throw Self.writeError(error, "signing a checkpoint")
        }
    }

    /// Removes the checkpoint the last clean stop signed, unless it dates nothing (FORMAT.md section 12.5). amanatd
    /// calls it once at start-up, before it takes any request; returns whether it removed one.
    @discardableResult
    public func removeStopCheckpoint(currentPeriod: String) throws(StoreError) -> Bool {
        let key = notary
        do {
            return try pool.write { db in try LedgerTables.removeStopCheckpoint(db, currentPeriod: currentPeriod, key: key) }
        } catch {
            throw Self.writeError(error, "settling the stop checkpoint")
        }
    }

    /// The ledger's length and the sequence number of the last checkpoint.
    public func ledgerStatus() throws(StoreError) -> (entries: Int64, lastCheckpoint: Int64) {
        do {
            return try pool.read { db in (try LedgerTables.head(db).seq, try LedgerTables.lastCheckpointSeq(db)) }
        } catch {
            throw StoreError(.writeFailed, "cannot read \(path): \(StoreError.reason(error))")
        }
    }

    /// A consistent snapshot for the offline machine, made with SQLite's online backup while intake goes on:
    /// records, clear fields, ciphertext, the ledger, its checkpoints and the site key, plus a fresh checkpoint
    /// over the snapshot's head. Server-only secrets (withdrawal-token hashes) and live uploads are removed and the
    /// file is vacuumed so that no free page keeps them; then each attachment's stream is copied into the file, in
    /// pieces (`attachment_chunks`).
    ///
    /// The file is created next to the database (mode 0600) and handed to the caller, who removes it.
    public func exportSnapshot() async throws(StoreError) -> ExportedSnapshot {
        let directory = (path as NSString).deletingLastPathComponent
        let name = Self.exportPrefix(of: path) + Hex.encode(randomBytes(8)) + ".tmp"
        let snapshotPath = (directory.isEmpty ? "." : directory) + "/" + name
        let key = notary
        let pool = self.pool
        let streams = attachmentsDirectory
        // From before the backup until the streams are copied, erased streams stay on disk: the copy's rows name them.
        beginCopyingStreams()
        let result: Result<ExportedSnapshot, StoreError> = await withCheckedContinuation { continuation in
            // The backup blocks its thread for as long as it copies; keep it off the cooperative pool.
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(returning: Result { () throws(StoreError) in
                    try Self.writeSnapshot(from: pool, to: snapshotPath, streams: streams, key: key)
                })
            }
        }
        endCopyingStreams()
        switch result {
        case .success(let snapshot):
            // Its checkpoint stays in the copy only. In the live ledger it would say which records came before the
            // export's moment, which the admin's shell and the client's logs know (FORMAT.md section 12.7).
            return snapshot
        case .failure(let error):
            unlink(snapshotPath)
            throw error
        }
    }

    private static func writeSnapshot(
        from pool: DatabasePool, to snapshotPath: String, streams: String, key: any Notary
    ) throws(StoreError) -> ExportedSnapshot {
        let fd = open(snapshotPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError(.writeFailed, "cannot create an export file in the database's directory: \(String(cString: strerror(errno)))")
        }
        Glibc.close(fd)
        do {
            var configuration = Configuration()
            configuration.label = "amanat.export"
            configuration.prepareDatabase { db in try Schema.prepare(db) }
            let snapshot = try DatabaseQueue(path: snapshotPath, configuration: configuration)
            try pool.backup(to: snapshot)
            let checkpoint = try snapshot.writeWithoutTransaction { db -> Checkpoint in
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
                var checkpoint: Checkpoint?
                try db.inTransaction {
                    try db.execute(sql: "DELETE FROM withdrawal_tokens")
                    // Uploads are live state of this host only (FORMAT.md section 7.1): an export holds none.
                    try db.execute(sql: "DELETE FROM uploads")
                    checkpoint = try LedgerTables.checkpoint(db, key: key)
                    return .commit
                }
                try db.execute(sql: "VACUUM")
                try AttachmentChunks.copyStreams(db, from: streams)
                return checkpoint ?? Checkpoint(ledgerSeq: 0, headHash: [], recordCount: 0, signature: [])
            }
            try snapshot.close()
            let descriptor = open(snapshotPath, O_RDONLY | O_CLOEXEC)
            if descriptor >= 0 {
                fsync(descriptor)
                Glibc.close(descriptor)
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: snapshotPath)[.size] as? Int) ?? 0
            return ExportedSnapshot(path: snapshotPath, size: size, checkpoint: checkpoint)
        } catch {
            throw Self.writeError(error, "export")
        }
    }

    /// Export files start with this name in the database's directory.
    static func exportPrefix(of path: String) -> String {
        ((path as NSString).lastPathComponent) + ".export-"
    }

    /// Removes export files a crash left behind.
    static func removeStaleExports(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let prefix = exportPrefix(of: path)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
        // The snapshot and any -journal, -wal or -shm file SQLite left beside it.
        for name in names where name.hasPrefix(prefix) {
            unlink((directory.isEmpty ? "." : directory) + "/" + name)
        }
    }
}
