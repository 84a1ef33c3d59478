public import AmanatFormat
public import AmanatForms
import Foundation
package import GRDB

/// One `attachments` row (docs/FORMAT.md section 7.1): an evidence file's sealed metadata and where its
/// stream is. Read as stored; nothing here is trusted until verification or opening checks it.
public struct AttachmentRow: Sendable, Equatable {
    /// The attachment's random id.
    public var attachmentID: EvidenceID
    /// The record it belongs to.
    public var recordID: RecordID
    /// 1, 2, 3 … in the order the record's attachments were stored.
    public var position: Int64
    /// The section whose recipients the metadata is sealed to.
    public var sealedTo: Section
    /// The attachment envelope, encoded.
    public var envelope: [UInt8]
    /// The stream's length in bytes.
    public var storedSize: UInt64
    /// SHA-256 of the stream, as amanatd computed it when it stored it.
    public var ciphertextSHA256: [UInt8]
    /// The stream's file name in `attachments/` beside a live database (32 hex digits); nil in an export, whose
    /// stream is in `attachment_chunks`.
    public var storage: String?

    /// A row with these values.
    public init(
        attachmentID: EvidenceID, recordID: RecordID, position: Int64, sealedTo: Section, envelope: [UInt8],
        storedSize: UInt64, ciphertextSHA256: [UInt8], storage: String?
    ) {
        self.attachmentID = attachmentID
        self.recordID = recordID
        self.position = position
        self.sealedTo = sealedTo
        self.envelope = envelope
        self.storedSize = storedSize
        self.ciphertextSHA256 = ciphertextSHA256
        self.storage = storage
    }

    /// The ledger digest of the row (`attachment` entry, docs/FORMAT.md section 12.4).
    public var digest: [UInt8] {
        Ledger.attachmentDigest(
            recordID: recordID, attachmentID: attachmentID, position: position, sealedTo: sealedTo,
            envelope: envelope, storedSize: storedSize, ciphertextSHA256: ciphertextSHA256
        )
    }
}

/// One `addenda` row: a sealed text the witness added to a record later.
public struct AddendumRow: Sendable, Equatable {
    /// The addendum's random id.
    public var addendumID: EvidenceID
    /// The record it belongs to.
    public var recordID: RecordID
    /// 1, 2, 3 … in the order the record's addenda were stored.
    public var position: Int64
    /// The addendum envelope, encoded.
    public var envelope: [UInt8]

    /// A row with these values.
    public init(addendumID: EvidenceID, recordID: RecordID, position: Int64, envelope: [UInt8]) {
        self.addendumID = addendumID
        self.recordID = recordID
        self.position = position
        self.envelope = envelope
    }

    /// The ledger digest of the row (`addendum` entry, docs/FORMAT.md section 12.4).
    public var digest: [UInt8] {
        Ledger.addendumDigest(recordID: recordID, addendumID: addendumID, position: position, envelope: envelope)
    }
}

/// A record's attachments and addenda, each in position order.
public struct RecordEvidence: Sendable, Equatable {
    public var attachments: [AttachmentRow] = []
    public var addenda: [AddendumRow] = []

    /// No attachment and no addendum.
    public var isEmpty: Bool { attachments.isEmpty && addenda.isEmpty }

    public init(attachments: [AttachmentRow] = [], addenda: [AddendumRow] = []) {
        self.attachments = attachments
        self.addenda = addenda
    }
}

/// Reading the `attachments` and `addenda` tables. A database from before migration v4 has neither: it reads as
/// having no evidence.
package enum EvidenceTables {
    /// The `SELECT` list that ``AttachmentRow/init(row:)`` reads.
    package static let attachmentColumns = """
        SELECT attachment_id, record_id, position, sealed_to, envelope, stored_size, ciphertext_sha256, storage
        """

    /// The `SELECT` list that ``AddendumRow/init(row:)`` reads.
    package static let addendumColumns = "SELECT addendum_id, record_id, position, envelope"

    /// SQL true for an `attachments` row no reader can use: a value of the wrong type, length or range. The schema's
    /// CHECKs say the same, but a hostile file need not have them.
    package static let unusableAttachment = """
        typeof(attachment_id) != 'blob' OR length(attachment_id) != 16 OR typeof(record_id) != 'blob'
            OR length(record_id) != 16 OR typeof(position) != 'integer' OR position < 1
            OR typeof(sealed_to) != 'text' OR sealed_to NOT IN ('identity', 'testimony') OR typeof(envelope) != 'blob'
            OR typeof(stored_size) != 'integer' OR stored_size < 302 OR typeof(ciphertext_sha256) != 'blob'
            OR length(ciphertext_sha256) != 32
            OR (storage IS NOT NULL AND (typeof(storage) != 'text' OR length(CAST(storage AS BLOB)) != 32
                                         OR storage GLOB '*[^0-9a-f]*'))
        """

    /// SQL true for an `addenda` row no reader can use.
    package static let unusableAddendum = """
        typeof(addendum_id) != 'blob' OR length(addendum_id) != 16 OR typeof(record_id) != 'blob'
            OR length(record_id) != 16 OR typeof(position) != 'integer' OR position < 1 OR typeof(envelope) != 'blob'
        """

    /// Whether `db` has the evidence tables (migration v4).
    package static func exist(_ db: Database) throws -> Bool {
        try db.tableExists("attachments") && db.tableExists("addenda")
    }

    /// The attachments and addenda of `recordID`, each in position order; none when the tables do not exist.
    /// Throws when a row cannot be read.
    package static func evidence(of recordID: RecordID, _ db: Database) throws -> RecordEvidence {
        var evidence = RecordEvidence()
        let id = Data(recordID.bytes)
        let attachments = try Row.fetchCursor(
            db.cachedStatement(sql: "\(attachmentColumns) FROM attachments WHERE record_id = ? ORDER BY position"),
            arguments: [id]
        )
        while let row = try attachments.next() { evidence.attachments.append(try AttachmentRow(row: row)) }
        let addenda = try Row.fetchCursor(
            db.cachedStatement(sql: "\(addendumColumns) FROM addenda WHERE record_id = ? ORDER BY position"),
            arguments: [id]
        )
        while let row = try addenda.next() { evidence.addenda.append(try AddendumRow(row: row)) }
        return evidence
    }
}

extension AttachmentRow {
    /// Reads a row selected with ``EvidenceTables/attachmentColumns``. Its id and record id must be 16 bytes, its
    /// name a section's, its size and position in range; the storage name, when there is one, 32 lowercase hex
    /// digits (it becomes a file name).
    package init(row: Row) throws {
        do {
            guard let attachmentID = EvidenceID(bytes: try row.bytes(at: 0)),
                  let recordID = RecordID(bytes: try row.bytes(at: 1)),
                  let position = try row.decode(Int64?.self, atIndex: 2), position >= 1,
                  let sealedText = try row.utf8Text(at: 3), let sealedTo = Section(rawValue: sealedText),
                  Section.sealed.contains(sealedTo),
                  let size = try row.decode(Int64?.self, atIndex: 5), size >= 302
            else { throw StoreError(.notAmanatDatabase, "") }
            var storage: String?
            if !row.hasNull(atIndex: 7) {
                guard let name = try row.utf8Text(at: 7), name.utf8.count == 32,
                      name.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
                else { throw StoreError(.notAmanatDatabase, "") }
                storage = name
            }
            let hash = try row.bytes(at: 6)
            guard hash.count == 32 else { throw StoreError(.notAmanatDatabase, "") }
            self.init(
                attachmentID: attachmentID, recordID: recordID, position: position, sealedTo: sealedTo,
                envelope: try row.bytes(at: 4), storedSize: UInt64(size), ciphertextSHA256: hash, storage: storage
            )
        } catch {
            throw StoreError(.notAmanatDatabase, "an attachment row is malformed (a value of the wrong type, "
                + "length or range)")
        }
    }
}

extension AddendumRow {
    /// Reads a row selected with ``EvidenceTables/addendumColumns``.
    package init(row: Row) throws {
        do {
            guard let addendumID = EvidenceID(bytes: try row.bytes(at: 0)),
                  let recordID = RecordID(bytes: try row.bytes(at: 1)),
                  let position = try row.decode(Int64?.self, atIndex: 2), position >= 1
            else { throw StoreError(.notAmanatDatabase, "") }
            self.init(addendumID: addendumID, recordID: recordID, position: position, envelope: try row.bytes(at: 3))
        } catch {
            throw StoreError(.notAmanatDatabase, "an addendum row is malformed (a value of the wrong type, "
                + "length or range)")
        }
    }
}
