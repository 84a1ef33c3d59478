import AmanatCrypto
import AmanatFormat
import Foundation
import GRDB

/// A 32-byte digest as a hash key held inline: no allocation a key.
public struct DigestKey: Hashable, Sendable {
    private let a: UInt64, b: UInt64, c: UInt64, d: UInt64

    /// `digest` must have 32 bytes.
    public init(_ digest: [UInt8]) {
        precondition(digest.count == 32)
        (a, b, c, d) = digest.withUnsafeBytes {
            ($0.loadUnaligned(fromByteOffset: 0, as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
             $0.loadUnaligned(fromByteOffset: 16, as: UInt64.self), $0.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }
    }
}

/// The `attachment` and `addendum` entries of a ledger (docs/FORMAT.md section 12.4), gathered while the chain
/// is walked, then matched against the rows: each row must match an entry of its record by digest, no two rows
/// one entry, and each entry of a record that is not withdrawn must have its row.
struct EvidenceLedger {
    /// One entry (or several with the same digest, which only a replay makes): what still waits for a row.
    private struct Entry {
        var seq: Int64
        var kind: Ledger.Kind
        var place: Int
        var record: RecordKey
        var unmatched: Int
    }

    private var entries: [DigestKey: Entry] = [:]
    /// The digests of each record's entries (by its place), for ``setAside(place:)``.
    private var digests: [Int: [DigestKey]] = [:]
    /// `attachment` entries, then `addendum` entries, not counting those a rewrap set aside.
    private(set) var attachments: Int64 = 0
    private(set) var addenda: Int64 = 0

    /// Adds entry `seq` of `kind` for the record at `place`.
    mutating func add(seq: Int64, kind: Ledger.Kind, recordID: RecordID, place: Int, digest: [UInt8]) {
        if kind == .attachment { attachments += 1 } else { addenda += 1 }
        let entry = Entry(seq: seq, kind: kind, place: place, record: RecordKey(recordID), unmatched: 0)
        let key = DigestKey(digest)
        entries[key, default: entry].unmatched += 1
        digests[place, default: []].append(key)
    }

    /// A `rewrap` entry of the record at `place`: its earlier `attachment` and `addendum` entries no longer name rows
    /// (their envelopes may have been replaced); the entries that follow the rewrap name them as they are now.
    mutating func setAside(place: Int) {
        for key in digests.removeValue(forKey: place) ?? [] {
            // A digest covers the record id, so an entry under it is this record's.
            guard let entry = entries.removeValue(forKey: key) else { continue }
            if entry.kind == .attachment {
                attachments -= Int64(entry.unmatched)
            } else {
                addenda -= Int64(entry.unmatched)
            }
        }
    }

    /// Matches a row of `kind` of record `recordID` with digest `digest`; the failure when it matches no entry of
    /// that record, or belongs to a withdrawn record (whose rows are deleted).
    mutating func match(
        _ kind: Ledger.Kind, recordID: RecordID, digest: [UInt8], what: String, withdrawn: [Bool]
    ) -> String? {
        let key = DigestKey(digest)
        guard var entry = entries[key], entry.kind == kind, entry.record == RecordKey(recordID) else {
            return "\(what) matches no \(kind.name) entry of the ledger: it was injected or altered"
        }
        guard entry.unmatched > 0 else {
            return "\(what) matches the \(kind.name) entry \(entry.seq), which another row matches already: it "
                + "was copied"
        }
        guard !withdrawn[entry.place] else {
            return "\(what) belongs to a withdrawn record, whose attachments and addenda are erased: it was "
                + "left or put back"
        }
        entry.unmatched -= 1
        entries[key] = entry
        return nil
    }

    /// The first entry of a record that is not withdrawn that no row matched, as a failure.
    func unmatched(withdrawn: [Bool], recordID: (Int) -> RecordID) -> String? {
        let missing = entries.values.filter { $0.unmatched > 0 && !withdrawn[$0.place] }.min { $0.seq < $1.seq }
        return missing.map {
            "ledger entry \($0.seq) (\($0.kind.name) of record \(recordID($0.place))) has no row: the "
                + "\($0.kind.name) was deleted"
        }
    }
}

extension ArchiveVerifier {
    /// SQL for the first malformed `attachments` or `addenda` row and `attachment_chunks` piece ("an attachment",
    /// …), when the tables exist; appended to step 0's query.
    static func malformedEvidence(_ db: Database) throws -> String? {
        guard try EvidenceTables.exist(db) else { return nil }
        var found = try String.fetchOne(db, sql: """
            SELECT 'an attachment' FROM attachments WHERE \(EvidenceTables.unusableAttachment)
            UNION ALL SELECT 'an addendum' FROM addenda WHERE \(EvidenceTables.unusableAddendum)
            LIMIT 1
            """)
        if found == nil, try db.tableExists("attachment_chunks") {
            found = try String.fetchOne(db, sql: """
                SELECT 'an attachment piece' FROM attachment_chunks WHERE typeof(attachment_id) != 'blob'
                    OR length(attachment_id) != 16 OR typeof(piece) != 'integer' OR piece < 0 OR typeof(data) != 'blob'
                LIMIT 1
                """)
        }
        return found
    }

    /// Step 4: the attachment and addendum rows against the ledger's entries, and (with `attachmentsDirectory`)
    /// each attachment's stream against its size and ciphertext hash. Counts them in `report`; returns the first
    /// failure.
    static func verifyEvidence(
        _ db: Database, ledger: inout EvidenceLedger, withdrawn: [Bool], report: inout VerificationReport,
        attachmentsDirectory: String?
    ) throws -> String? {
        report.attachments = ledger.attachments
        report.addenda = ledger.addenda
        guard try EvidenceTables.exist(db) else {
            return ledger.unmatched(withdrawn: withdrawn, recordID: report.verified.recordID(at:))
        }
        /// Matches a row with its entry and keeps its digest as verified; the failure, if any.
        func match(_ kind: Ledger.Kind, recordID: RecordID, digest: [UInt8], what: String) -> String? {
            if let failure = ledger.match(kind, recordID: recordID, digest: digest, what: what, withdrawn: withdrawn) {
                return failure
            }
            report.verifiedEvidence.insert(DigestKey(digest))
            return nil
        }
        let attachments = try Row.fetchCursor(db, sql: "\(EvidenceTables.attachmentColumns) FROM attachments "
            + "ORDER BY rowid")
        while let row = try attachments.next() {
            let attachment = try AttachmentRow(row: row)
            let what = "attachment \(attachment.attachmentID.hex) (record \(attachment.recordID), position "
                + "\(attachment.position))"
            if let failure = match(.attachment, recordID: attachment.recordID, digest: attachment.digest, what: what) {
                return failure
            }
            report.attachmentBytes += attachment.storedSize
            guard let attachmentsDirectory else { continue }
            var hash = SHA256()
            do {
                try AttachmentStream.read(attachment, db, attachmentsDirectory: attachmentsDirectory) { hash.update($0) }
            } catch let error as AttachmentStreamError {
                return "\(what): \(error.description.dropFirst("attachment \(attachment.attachmentID.hex): ".count))"
            }
            guard constantTimeEqual(hash.finalize(), attachment.ciphertextSHA256) else {
                return "\(what): its stream does not hash to the ciphertext_sha256 its ledger entry covers: the "
                    + "stored bytes were altered"
            }
        }
        let addenda = try Row.fetchCursor(db, sql: "\(EvidenceTables.addendumColumns) FROM addenda ORDER BY rowid")
        while let row = try addenda.next() {
            let addendum = try AddendumRow(row: row)
            let what = "addendum \(addendum.addendumID.hex) (record \(addendum.recordID), position "
                + "\(addendum.position))"
            if let failure = match(.addendum, recordID: addendum.recordID, digest: addendum.digest, what: what) { return failure }
        }
        if let failure = ledger.unmatched(withdrawn: withdrawn, recordID: report.verified.recordID(at:)) { return failure }
        if try db.tableExists("attachment_chunks"), try Int.fetchOne(db, sql: """
            SELECT count(*) FROM attachment_chunks
            WHERE attachment_id NOT IN (SELECT attachment_id FROM attachments WHERE storage IS NULL)
            """) ?? 0 > 0 {
            return "attachment_chunks holds pieces of no attachment stored in the archive: they were left or injected"
        }
        return nil
    }
}
