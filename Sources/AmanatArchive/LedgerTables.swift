package import AmanatCrypto
package import AmanatFormat
import Foundation
package import GRDB

extension StoredRecord {
    /// The `SELECT` list that ``init(row:)`` reads.
    package static let selectColumns = """
        SELECT record_id, form_id, form_version, received, clear_json, identity_envelope, testimony_envelope, withdrawn
        """

    /// Reads a `records` row selected as `record_id, form_id, form_version, received, clear_json,
    /// identity_envelope, testimony_envelope[, withdrawn]`.
    ///
    /// Texts are read as the bytes stored and must be well-formed UTF-8 (docs/FORMAT.md 7.3): GRDB's `String`
    /// decoding would put U+FFFD in place of ill-formed bytes and stop at a NUL byte, so a digest computed from
    /// it would not be of the stored bytes. An ill-formed `form_id` or `received` makes the row malformed; an
    /// ill-formed `clear_json` only keeps the clear section from opening (``StoredRecord/clearJSONIsWellFormed``).
    package init(row: Row) throws {
        guard let recordID = RecordID(bytes: try row.bytes(at: 0)) else {
            throw StoreError(.notAmanatDatabase, "a record has a malformed id")
        }
        // Decoded with errors, not GRDB's trapping subscript: with --no-verify nothing has checked the types. GRDB's
        // decoding error describes the whole row, clear fields included, so it is replaced by one that names none.
        let formID: String?, received: String?, clearJSON: String?
        do {
            formID = try row.utf8Text(at: 1)
            received = try row.utf8Text(at: 3)
            clearJSON = row.hasNull(atIndex: 4) ? "" : try row.utf8Text(at: 4)
            self.init(
                recordID: recordID, formID: formID ?? "", formVersion: try row.decode(atIndex: 2),
                received: received ?? "", clearJSON: clearJSON ?? "", identityEnvelope: try row.bytes(at: 5),
                testimonyEnvelope: try row.bytes(at: 6)
            )
            if row.count > 7 { withdrawn = try row.decode(Int?.self, atIndex: 7) == 1 }
        } catch {
            throw StoreError(.notAmanatDatabase, "record \(recordID) has a value of the wrong type")
        }
        guard formID != nil, received != nil else {
            throw StoreError(.notAmanatDatabase, "record \(recordID) has a form or date that is not well-formed UTF-8")
        }
        clearJSONIsWellFormed = clearJSON != nil
    }
}

extension Row {
    /// The blob (or text) in column `index`, copied once out of SQLite's buffer; empty for NULL.
    package func bytes(at index: Int) throws -> [UInt8] {
        try withUnsafeData(atIndex: index) { data in data.map { [UInt8]($0) } ?? [] }
    }

    /// The TEXT in column `index` from its stored bytes, nil if they are not well-formed UTF-8. Throws when the
    /// value is not TEXT (NULL included).
    package func utf8Text(at index: Int) throws -> String? {
        guard case .string = (self[index] as DatabaseValue).storage else {
            throw StoreError(.notAmanatDatabase, "not text")
        }
        return String(validating: try bytes(at: index), as: UTF8.self)
    }
}

/// Reads and appends ledger entries and checkpoints inside a caller's transaction.
package enum LedgerTables {
    /// Entries from the last checkpoint on after which amanatd signs a new one.
    package static let checkpointEvery: Int64 = 100

    /// The site's signing key recorded in the database.
    package static func siteKey(_ db: Database) throws -> SigningPublicKey? {
        guard let data = try Data.fetchOne(db, sql: "SELECT signing_key FROM site WHERE id = 1") else { return nil }
        return try? SigningPublicKey(bytes: [UInt8](data))
    }

    /// The last entry's sequence number and hash; (0, genesis) for an empty ledger.
    package static func head(_ db: Database) throws -> (seq: Int64, hash: [UInt8]) {
        if let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, entry_hash FROM ledger ORDER BY seq DESC LIMIT 1")) {
            return (row[0], try row.bytes(at: 1))
        }
        guard let key = try siteKey(db) else { throw StoreError(.notAmanatDatabase, "the database has no site key") }
        return (0, Ledger.genesis(key))
    }

    /// Appends an entry after the current head; a `rewrap` entry names the key that signed the rewrap file.
    package static func append(
        _ db: Database, kind: Ledger.Kind, recordID: RecordID, digest: [UInt8], signer: SigningPublicKey? = nil
    ) throws -> LedgerEntry {
        let head = try head(db)
        let entry = LedgerEntry(
            seq: head.seq + 1, kind: kind, recordID: recordID, contentDigest: digest, prevHash: head.hash, signer: signer
        )
        var arguments: StatementArguments = [
            entry.seq, Int(kind.rawValue), Data(recordID.bytes), Data(entry.contentDigest), Data(entry.prevHash),
            Data(entry.entryHash),
        ]
        // The signer column only when there is a signer: migration v2 appends entries before v3 adds the column.
        var columns = "seq, kind, record_id, content_digest, prev_hash, entry_hash"
        if let signer {
            columns += ", signer"
            arguments += [Data(signer.bytes)]
        }
        let marks = Array(repeating: "?", count: signer == nil ? 6 : 7).joined(separator: ", ")
        try db.cachedStatement(sql: "INSERT INTO ledger (\(columns)) VALUES (\(marks))").execute(arguments: arguments)
        return entry
    }

    /// The sequence number of the last signed checkpoint, 0 when there is none.
    package static func lastCheckpointSeq(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(ledger_seq) FROM checkpoints")) ?? 0
    }

    /// Signs the current head unless a checkpoint covers it already. Returns the checkpoint covering the head,
    /// nil for an empty ledger.
    @discardableResult
    package static func checkpoint(_ db: Database, key: any Notary) throws -> Checkpoint? {
        let head = try head(db)
        guard head.seq > 0 else { return nil }
        return try checkpoint(db, through: head.seq, hash: head.hash, key: key)
    }

    /// Signs entry `seq` (whose hash is `hash`) unless a checkpoint covers it already.
    private static func checkpoint(_ db: Database, through seq: Int64, hash: [UInt8], key: any Notary) throws -> Checkpoint {
        if let row = try Row.fetchOne(
            db, sql: "SELECT head_hash, record_count, signature FROM checkpoints WHERE ledger_seq = ?", arguments: [seq]
        ) {
            return Checkpoint(
                ledgerSeq: seq, headHash: try row.bytes(at: 0), recordCount: row[1], signature: try row.bytes(at: 2)
            )
        }
        // The previous checkpoint's count plus the records since: no scan of the whole ledger.
        let previous = try Row.fetchOne(
            db, sql: "SELECT ledger_seq, record_count FROM checkpoints WHERE ledger_seq < ? ORDER BY ledger_seq DESC LIMIT 1",
            arguments: [seq]
        )
        let (since, base): (Int64, Int64) = previous.map { ($0[0], $0[1]) } ?? (0, 0)
        let count = base + (try Int64.fetchOne(
            db, sql: "SELECT count(*) FROM ledger WHERE seq > ? AND seq <= ? AND kind = ?",
            arguments: [since, seq, Int(Ledger.Kind.record.rawValue)]
        ) ?? 0)
        let checkpoint = Checkpoint(signing: key, ledgerSeq: seq, headHash: hash, recordCount: count)
        try insert(checkpoint, db)
        return checkpoint
    }

    /// The last stored record's `record` entry and `received` value; nil before the first record.
    package static func lastRecord(_ db: Database) throws -> (seq: Int64, hash: [UInt8], received: String)? {
        guard let record = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT record_id, received FROM records ORDER BY seq DESC LIMIT 1")
        ) else { return nil }
        let recordID: Data = record[0]
        guard let entry = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT seq, entry_hash FROM ledger WHERE record_id = ? AND kind = ?"),
            arguments: [recordID, Int(Ledger.Kind.record.rawValue)]
        ) else { return nil }
        return (entry[0], try entry.bytes(at: 1), record[1])
    }

    /// Before a record received in `received` is appended: signs the head if the last record was received in
    /// another period and something is unsigned. The checkpoint then falls where the records' `received` values
    /// change, which says nothing they do not say already; a checkpoint at any time of day would date the records
    /// around it (FORMAT.md section 12.5).
    package static func checkpointBeforeNewPeriod(_ db: Database, received: String, key: any Notary) throws {
        guard let last = try lastRecord(db), last.received != received else { return }
        if try lastCheckpointSeq(db) < head(db).seq { try checkpoint(db, key: key) }
    }

    /// Signs the last record's entry (not what came after it) if it is unsigned and the received period it was
    /// stamped in is no longer `currentPeriod`: the day (or hour, or month) is over, so signing says only that its
    /// records came before its end. Returns whether it signed.
    @discardableResult
    package static func checkpointEndedPeriod(_ db: Database, currentPeriod: String, key: any Notary) throws -> Bool {
        guard let last = try lastRecord(db), last.received != currentPeriod,
              try lastCheckpointSeq(db) < last.seq
        else { return false }
        _ = try checkpoint(db, through: last.seq, hash: last.hash, key: key)
        return true
    }

    /// At start-up: removes the checkpoint that the last clean stop signed over the head, unless it would stand
    /// anyway (100 entries after the one before it, or over the last record of a period that is over). Kept,
    /// it would tell which of the period's records came before the stop and which after the next start, both of
    /// which journald logs. Returns whether it removed one.
    @discardableResult
    package static func removeStopCheckpoint(_ db: Database, currentPeriod: String, key: any Notary) throws -> Bool {
        let head = try head(db)
        let latest = try Int64.fetchAll(db, sql: "SELECT ledger_seq FROM checkpoints ORDER BY ledger_seq DESC LIMIT 2")
        guard let last = latest.first, last == head.seq else { return false }
        if head.seq - (latest.count > 1 ? latest[1] : 0) >= checkpointEvery { return false }
        if let record = try lastRecord(db), record.seq == head.seq, record.received != currentPeriod { return false }
        try db.execute(sql: "DELETE FROM checkpoints WHERE ledger_seq = ?", arguments: [head.seq])
        try checkpointEndedPeriod(db, currentPeriod: currentPeriod, key: key)
        return true
    }

    package static func insert(_ checkpoint: Checkpoint, _ db: Database) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO checkpoints (ledger_seq, head_hash, record_count, signature) VALUES (?, ?, ?, ?)",
            arguments: [checkpoint.ledgerSeq, Data(checkpoint.headHash), checkpoint.recordCount, Data(checkpoint.signature)]
        )
    }

    /// Signs a checkpoint when `checkpointEvery` entries have gone unsigned. Writers call it after every entry, so
    /// that count checkpoints fall every 100 entries exactly, not at the end of whichever transaction passed 100:
    /// a transaction's end would tell which records were committed together.
    package static func checkpointIfDue(_ db: Database, key: any Notary) throws {
        let head = try head(db)
        if head.seq - (try lastCheckpointSeq(db)) >= checkpointEvery {
            try checkpoint(db, key: key)
        }
    }
}
