public import AmanatCrypto
public import AmanatFormat
import Foundation
import GRDB

/// What verifying an archive found.
public struct VerificationReport: Sendable {
    /// The signing key the archive names for itself.
    public var siteKey: SigningPublicKey?
    /// Ledger entries.
    public var entries: Int64 = 0
    /// Record entries (stored records, withdrawn or not).
    public var records: Int64 = 0
    /// Withdrawal entries.
    public var withdrawals: Int64 = 0
    /// Rewrap entries.
    public var rewraps: Int64 = 0
    /// Attachment entries (of withdrawn records too, whose rows are gone).
    public var attachments: Int64 = 0
    /// Addendum entries (of withdrawn records too).
    public var addenda: Int64 = 0
    /// The stored bytes of the attachment rows.
    public var attachmentBytes: UInt64 = 0
    /// Whether each attachment's stream was read and hashed (``ArchiveVerifier/verify(_:pinned:watching:hashingStreams:)``).
    public var hashedStreams = false
    /// The digests of the attachment and addendum rows verified, for a reader that reads them again (a hostile file
    /// could answer the second read differently).
    public var verifiedEvidence: Set<DigestKey> = []
    /// Rewrap entries that name no signer (imported before rewrap files were signed).
    public var unsignedRewraps: Int64 = 0
    /// The keys that signed the rewraps, in the order of their first entry.
    public var rewrapSigners: [SigningPublicKey] = []
    /// Valid signed checkpoints.
    public var checkpoints: Int = 0
    /// The last entry a valid checkpoint covers.
    public var lastSignedSeq: Int64 = 0
    /// The records in ledger order, each with its verified digest.
    public var verified = VerifiedRecords()
    /// The last entry's hash (the genesis hash for an empty ledger).
    public var headHash: [UInt8] = []
    /// Rows in `withdrawal_tokens`: none in an export (docs/FORMAT.md 12.7). Some mean a copy of the live database,
    /// which is no failure of the ledger, but should not be passed on as an export.
    public var withdrawalTokens = 0
    /// The ledger entries the caller asked to see (``ArchiveVerifier/verify(_:pinned:watching:)``), read in the same
    /// pass as the chain they belong to: a receipt's or an expected head's entry.
    public var watched: [Int64: LedgerEntry] = [:]

    /// The head verified: the last entry's seq and hash.
    public var head: LedgerHead { LedgerHead(seq: entries, hash: headHash) }

    /// Record ids in ledger order (made on each call: for tests and small archives; the key holder reads
    /// ``verified``).
    public var recordIDs: [RecordID] { (0..<verified.count).map(verified.recordID(at:)) }

    /// The first inconsistency, if any: where the chain breaks and why.
    public var failure: String?

    /// Whether everything checked out.
    public var isIntact: Bool { failure == nil }
}

/// Each record's id and verified digest, in ledger order, for a reader that reads the rows again: a hostile file
/// could answer the second read differently, so each row is checked again as it is used.
///
/// Flat, 48 bytes a record, so that verifying and opening hundreds of thousands of records needs no object per
/// record (which would also scatter small allocations between the rows read, and keep their pages resident).
public struct VerifiedRecords: Sendable {
    /// 16 bytes a record.
    private(set) var ids: [UInt8] = []
    /// 32 bytes a record: the digest of its latest entry.
    private(set) var digests: [UInt8] = []

    /// The number of records.
    public var count: Int { ids.count / RecordID.length }

    mutating func reserve(_ records: Int) {
        ids.reserveCapacity(records * RecordID.length)
        digests.reserveCapacity(records * 32)
    }

    mutating func append(_ id: RecordID, digest: [UInt8]) {
        ids += id.bytes
        digests += digest
    }

    mutating func replaceDigest(at place: Int, with digest: [UInt8]) {
        digests.replaceSubrange(place * 32..<place * 32 + 32, with: digest)
    }

    /// The id of the record at `place`.
    public func recordID(at place: Int) -> RecordID {
        RecordID(bytes: Array(ids[place * RecordID.length..<(place + 1) * RecordID.length]))!
    }

    /// Whether the record at `place` has the id `id`.
    public func has(_ id: RecordID, at place: Int) -> Bool {
        place >= 0 && place < count && ids[place * RecordID.length..<(place + 1) * RecordID.length].elementsEqual(id.bytes)
    }

    /// The verified digest of the record at `place`.
    public func digest(at place: Int) -> [UInt8] {
        Array(digests[place * 32..<place * 32 + 32])
    }
}

/// A record id as a hash key held inline: no allocation a key.
public struct RecordKey: Hashable, Sendable {
    private let high: UInt64
    private let low: UInt64

    public init(_ id: RecordID) {
        (high, low) = id.bytes.withUnsafeBytes {
            ($0.loadUnaligned(fromByteOffset: 0, as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
    }
}

/// Recomputes an archive's hash chain from its rows and checks the checkpoints' signatures
/// (docs/FORMAT.md, "Verifying an archive").
///
/// It detects a deleted, injected, reordered or altered record, an envelope swapped between records, a record
/// copied in from another archive (its entry cannot join this chain without breaking the signed checkpoints)
/// and entries cut off after, or added beyond, the last checkpoint.
public struct ArchiveVerifier {

    /// Verifies the archive `reader` opened against `pinned`. Each checkpoint must be signed by the pinned key
    /// that matches the archive's own site key; when `pinned` is empty the archive's own key is used, which
    /// only proves internal consistency (the caller says so). The entries at `watching` that exist are kept in
    /// the report's ``VerificationReport/watched``, taken from the chain as it was verified. With `hashingStreams`,
    /// every attachment's stored bytes are read and hashed against the `ciphertext_sha256` its entry covers;
    /// without, only the rows are checked (`open`, which authenticates each stream it extracts as it decrypts it).
    public static func verify(
        _ reader: RecordReader, pinned: [SigningPublicKey], watching: Set<Int64> = [], hashingStreams: Bool = true
    ) throws -> VerificationReport {
        try reader.queue.read { db in
            try verify(
                db, pinned: pinned, watching: watching,
                attachmentsDirectory: hashingStreams ? reader.attachmentsDirectory : nil
            )
        }
    }

    static func verify(
        _ db: Database, pinned: [SigningPublicKey], watching: Set<Int64> = [], attachmentsDirectory: String? = nil
    ) throws -> VerificationReport {
        var report = VerificationReport()
        report.hashedStreams = attachmentsDirectory != nil
        func fail(_ message: String) -> VerificationReport {
            report.failure = message
            return report
        }
        // 0. The file holds amanat's tables and nothing that could answer differently from one read to the
        //    next (a view or trigger in a hostile file), and every value has its type and range.
        if let object = try String.fetchOne(
            db, sql: "SELECT type || ' ' || name FROM sqlite_master WHERE type NOT IN ('table', 'index') LIMIT 1"
        ) {
            return fail("the archive contains a \(object): an amanat archive has tables and indexes only")
        }
        for table in ["records", "ledger", "checkpoints", "site"] {
            guard try String.fetchOne(db, sql: "SELECT type FROM sqlite_master WHERE name = ?", arguments: [table]) == "table" else {
                return fail("the archive has no table \(table)")
            }
        }
        let malformed = try String.fetchOne(db, sql: """
            SELECT 'a record' FROM records WHERE \(RecordShape.unusableRow) OR \(RecordShape.inconsistentContent)
            UNION ALL SELECT 'a ledger entry' FROM ledger WHERE typeof(seq) != 'integer' OR typeof(kind) != 'integer'
                OR kind NOT IN (1, 2, 3, 4, 5) OR typeof(record_id) != 'blob' OR length(record_id) != 16
                OR typeof(content_digest) != 'blob' OR length(content_digest) != 32
                OR typeof(prev_hash) != 'blob' OR length(prev_hash) != 32
                OR typeof(entry_hash) != 'blob' OR length(entry_hash) != 32
                OR (signer IS NOT NULL AND (typeof(signer) != 'blob' OR length(signer) != 32 OR kind != 3))
            UNION ALL SELECT 'a checkpoint' FROM checkpoints WHERE typeof(ledger_seq) != 'integer' OR ledger_seq < 1
                OR typeof(head_hash) != 'blob' OR length(head_hash) != 32 OR typeof(record_count) != 'integer'
                OR record_count < 0 OR typeof(signature) != 'blob' OR length(signature) != 64
            LIMIT 1
            """)
        if let malformed = try malformed ?? malformedEvidence(db) {
            return fail("\(malformed) is malformed (a value of the wrong type, length or range, or content in a withdrawn record)")
        }
        if let position = try RecordShape.firstIllFormedText(db, columns: ["form_id", "received", "clear_json"]) {
            return fail("record \(position) is malformed: its form, date or clear fields are not well-formed UTF-8")
        }
        // One row, id 1, a 32-byte BLOB: a TEXT key would be read through a conversion, and two rows would leave
        // the choice of key to the reader.
        let site = try Row.fetchAll(
            db, sql: "SELECT typeof(id) = 'integer' AND id = 1, typeof(signing_key) = 'blob' AND length(signing_key) = 32 FROM site"
        )
        guard site.count == 1 else {
            return fail(site.isEmpty
                ? "the archive's site table is empty: it names no signing key"
                : "the archive's site table has \(site.count) rows: it must name exactly one signing key")
        }
        guard site[0][0] as Bool, site[0][1] as Bool else {
            return fail("the archive's site signing key is malformed (the site row must have id 1 and a 32-byte BLOB key)")
        }
        guard let siteKey = try LedgerTables.siteKey(db) else {
            return fail("the archive's site signing key is not a usable key (all zero)")
        }
        report.withdrawalTokens = try withdrawalTokens(db)
        report.siteKey = siteKey
        if !pinned.isEmpty && !pinned.contains(siteKey) {
            return fail("the archive is signed by \(siteKey.text), which is not a given --signing-key")
        }

        // 1. The chain, entry by entry.
        // Per record, by its place among the record entries: its id and latest digest (report.verified) and
        // whether it was withdrawn; a record's place by its id. Per entry a checkpoint names (read first, and
        // checked in step 2): its hash and the records up to it. Nothing else is kept per entry.
        // A capacity hint only: a hostile file full of rows outside the ledger must not make it reserve much.
        let expectedRecords = min(try Int.fetchOne(db, sql: "SELECT count(*) FROM records") ?? 0, 1 << 20)
        report.verified.reserve(expectedRecords)
        var places: [RecordKey: Int] = Dictionary(minimumCapacity: expectedRecords)
        var withdrawn: [Bool] = []
        withdrawn.reserveCapacity(expectedRecords)
        var evidence = EvidenceLedger()
        let checkpointed = Set(try Int64.fetchAll(db, sql: "SELECT ledger_seq FROM checkpoints"))
        var atCheckpoint: [Int64: (hash: [UInt8], records: Int64)] = [:]
        var previous = Ledger.genesis(siteKey)
        let entries = try Row.fetchCursor(
            db, sql: "SELECT seq, kind, record_id, content_digest, prev_hash, entry_hash, signer FROM ledger ORDER BY seq"
        )
        while let row = try entries.next() {
            let seq: Int64 = row[0]
            let expected = report.entries + 1
            guard seq == expected else {
                return fail("ledger entry \(expected) is missing (the next entry is \(seq)): entries were deleted")
            }
            guard let kind = (row[1] as Int?).flatMap({ UInt8(exactly: $0) }).flatMap(Ledger.Kind.init(rawValue:)),
                  let recordID = RecordID(bytes: try row.bytes(at: 2))
            else {
                return fail("ledger entry \(seq) is malformed")
            }
            let signerBytes = try row.bytes(at: 6)
            let signer = signerBytes.isEmpty ? nil : try? SigningPublicKey(bytes: signerBytes)
            guard signerBytes.isEmpty || signer != nil else { return fail("ledger entry \(seq) is malformed") }
            let entry = LedgerEntry(
                seq: seq, kind: kind, recordID: recordID, contentDigest: try row.bytes(at: 3),
                prevHash: try row.bytes(at: 4), entryHash: try row.bytes(at: 5), signer: signer
            )
            guard entry.prevHash == previous else {
                return fail("ledger entry \(seq) does not link to entry \(seq - 1): the chain was cut or spliced here")
            }
            let recomputed = Ledger.entryHash(
                seq: seq, kind: kind, recordID: recordID, contentDigest: entry.contentDigest, prevHash: entry.prevHash,
                signer: signer
            )
            guard constantTimeEqual(recomputed, entry.entryHash) else {
                return fail("ledger entry \(seq) has a wrong hash: the entry was altered")
            }
            guard entry.contentDigest.count == 32, entry.entryHash.count == 32 else {
                return fail("ledger entry \(seq) is malformed")
            }
            switch kind {
            case .record:
                guard places.updateValue(withdrawn.count, forKey: RecordKey(recordID)) == nil else {
                    return fail("ledger entry \(seq) stores record \(recordID) a second time")
                }
                report.verified.append(recordID, digest: entry.contentDigest)
                withdrawn.append(false)
                report.records += 1
            case .attachment, .addendum:
                // Added to a stored record that is not withdrawn; the record's own digest stays that of its row.
                guard let place = places[RecordKey(recordID)], !withdrawn[place] else {
                    return fail("ledger entry \(seq) adds an \(kind.name) to record \(recordID), which is not "
                        + "stored or was withdrawn")
                }
                evidence.add(seq: seq, kind: kind, recordID: recordID, place: place, digest: entry.contentDigest)
            case .rewrap, .withdrawal:
                guard let place = places[RecordKey(recordID)], !withdrawn[place] else {
                    return fail("ledger entry \(seq) \(kind == .rewrap ? "rewraps" : "withdraws") record \(recordID), which is not stored or was withdrawn")
                }
                report.verified.replaceDigest(at: place, with: entry.contentDigest)
                if kind == .withdrawal {
                    withdrawn[place] = true
                    report.withdrawals += 1
                } else {
                    report.rewraps += 1
                    evidence.setAside(place: place)
                    if let signer {
                        if !report.rewrapSigners.contains(signer) { report.rewrapSigners.append(signer) }
                    } else {
                        report.unsignedRewraps += 1
                    }
                }
            }
            report.entries = seq
            if checkpointed.contains(seq) { atCheckpoint[seq] = (entry.entryHash, report.records) }
            if watching.contains(seq) { report.watched[seq] = entry }
            previous = entry.entryHash
        }
        report.headHash = previous

        // 2. The checkpoints: signed, and over this chain.
        let checkpoints = try Row.fetchCursor(
            db, sql: "SELECT ledger_seq, head_hash, record_count, signature FROM checkpoints ORDER BY ledger_seq"
        )
        let key = pinned.first { $0 == siteKey } ?? siteKey
        while let row = try checkpoints.next() {
            let checkpoint = Checkpoint(
                ledgerSeq: row[0], headHash: try row.bytes(at: 1), recordCount: row[2],
                signature: try row.bytes(at: 3)
            )
            guard checkpoint.isSigned(by: key) else {
                return fail("the checkpoint at entry \(checkpoint.ledgerSeq) has an invalid signature")
            }
            guard checkpoint.ledgerSeq >= 1, checkpoint.ledgerSeq <= report.entries else {
                return fail("a signed checkpoint covers entry \(checkpoint.ledgerSeq), but the ledger ends at entry \(report.entries): entries were cut off")
            }
            // Every entry up to report.entries was walked, so each checkpoint within it has its place.
            guard let chain = atCheckpoint[checkpoint.ledgerSeq] else {
                return fail("the checkpoint at entry \(checkpoint.ledgerSeq) appeared after the ledger was read")
            }
            guard chain.hash == checkpoint.headHash else {
                return fail("the ledger differs from the signed checkpoint at entry \(checkpoint.ledgerSeq): entries up to it were rewritten")
            }
            guard chain.records == checkpoint.recordCount else {
                return fail("the signed checkpoint at entry \(checkpoint.ledgerSeq) counts \(checkpoint.recordCount) records, the ledger \(chain.records)")
            }
            report.checkpoints += 1
            report.lastSignedSeq = checkpoint.ledgerSeq
        }
        // 3. The rows against the chain: same records, same order, same content.
        var position = 0
        let rows = try Row.fetchCursor(db, sql: "\(StoredRecord.selectColumns) FROM records ORDER BY seq")
        while let row = try rows.next() {
            let record: StoredRecord
            do {
                record = try StoredRecord(row: row)
            } catch {
                return fail("record at position \(position + 1) is malformed")
            }
            guard places[RecordKey(record.recordID)] != nil else {
                return fail("record \(record.recordID) (position \(position + 1)) is not in the ledger: it was injected or copied in")
            }
            guard position < report.verified.count else {
                return fail("record \(record.recordID) appears twice")
            }
            guard report.verified.has(record.recordID, at: position) else {
                let expected = report.verified.recordID(at: position)
                if try !recordExists(db, expected) {
                    return fail("record \(expected) (position \(position + 1)) is in the ledger but missing: it was deleted")
                }
                return fail("record \(record.recordID) is at position \(position + 1), where the ledger has \(expected): records were reordered")
            }
            guard record.withdrawn == withdrawn[position] else {
                return fail("record \(record.recordID): its withdrawn mark does not match the ledger")
            }
            guard constantTimeEqual(record.digest, report.verified.digest(at: position)) else {
                return fail("record \(record.recordID) (position \(position + 1)) differs from its ledger entry: its clear fields, envelopes, form or date were altered")
            }
            position += 1
        }
        if position < report.verified.count {
            return fail("record \(report.verified.recordID(at: position)) (position \(position + 1)) is in the ledger but missing: it was deleted")
        }

        // 4. Attachments and addenda against their entries, and the streams against their hashes.
        if let failure = try verifyEvidence(
            db, ledger: &evidence, withdrawn: withdrawn, report: &report, attachmentsDirectory: attachmentsDirectory
        ) {
            return fail(failure)
        }

        if report.entries > report.lastSignedSeq {
            let unsignedRecords = report.records - (atCheckpoint[report.lastSignedSeq]?.records ?? 0)
            return fail(
                "ledger entries \(report.lastSignedSeq + 1) to \(report.entries) (\(unsignedRecords) records) are unsigned: "
                    + "no signed checkpoint covers them, so records after them could have been cut off"
            )
        }
        return report
    }

    /// The hash of ledger entry `seq` of the archive `reader` opened (the genesis hash for 0), nil if it has none.
    public static func entryHash(at seq: Int64, in reader: RecordReader) throws -> [UInt8]? {
        try reader.queue.read { db in
            if seq == 0 { return try LedgerTables.siteKey(db).map(Ledger.genesis) }
            return try Data.fetchOne(db, sql: "SELECT entry_hash FROM ledger WHERE seq = ?", arguments: [seq]).map { [UInt8]($0) }
        }
    }

    /// The rows of `withdrawal_tokens`, 0 when the table is missing (it holds nothing the ledger covers).
    private static func withdrawalTokens(_ db: Database) throws -> Int {
        guard try db.tableExists("withdrawal_tokens") else { return 0 }
        return try Int.fetchOne(db, sql: "SELECT count(*) FROM withdrawal_tokens") ?? 0
    }

    private static func recordExists(_ db: Database, _ recordID: RecordID) throws -> Bool {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM records WHERE record_id = ?", arguments: [Data(recordID.bytes)]) == 1
    }
}
