import AmanatArchive
import AmanatCrypto
import AmanatFileSealing
import AmanatFormat
import AmanatForms
import AmanatJSON
import AmanatKeys
import AmanatSealing
import AmanatSigning
import AmanatStore
import Foundation
import GRDB
import Logging
import Testing

/// A small archive with attachments and addenda, built row by row from the foundation's functions as amanatd and
/// amanat would make them (Envelope.seal, FileStreamEncryptor, the ledger's digests), for the reader, verifier and
/// extractor tests. The file key and the plaintext are kept, so that a test can check what comes out.
final class EvidenceArchive {
    let directory: String
    let path: String
    let signingKey: SigningKey
    let recipient: RecipientSecretKey
    /// Record ids in storage order.
    private(set) var records: [RecordID] = []

    /// One attachment as stored, with what went into it.
    struct Attachment {
        var row: AttachmentRow
        var plaintext: [UInt8]
        var stream: [UInt8]
    }

    /// A new archive of `count` records whose sections are sealed to ``recipient``, in a new temporary directory.
    init(records count: Int = 3) async throws {
        try Sodium.initialise()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-evidence-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        path = directory + "/archive.sqlite"
        let seed = try SecretBytes(count: 32)
        seed.withUnsafeMutableBytes { bytes in for index in 0..<32 { bytes[index] = UInt8(index + 11) } }
        signingKey = try SigningKey(seed: seed)
        recipient = try RecipientSecretKey.generate()
        let store = try RecordStore(
            path: path, notary: signingKey, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        for index in 0..<count {
            let id = RecordID.random()
            let identity = try Envelope.seal(
                JSONValue.object(["full_name": .string("witness \(index)")]).canonicalBytes(), name: .identity,
                recordID: id, recipients: [recipient.publicKey]
            )
            let testimony = try Envelope.seal(
                JSONValue.object(["narrative": .string("account \(index)")]).canonicalBytes(), name: .testimony,
                recordID: id, recipients: [recipient.publicKey]
            )
            _ = try await store.append(StoredRecord(
                recordID: id, formID: "testimony", formVersion: 1, received: "2026-12-07",
                clearJSON: #"{"n":\#(index)}"#, identityEnvelope: identity.encoded(), testimonyEnvelope: testimony.encoded()
            ))
            records.append(id)
        }
        await store.close()
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `plaintext` as a stream under `key`: the preamble, then 64 KiB chunks of the Padmé-padded plaintext (padded
    /// with `padding` bytes), the last one final unless `finalTag` is false.
    static func stream(_ plaintext: [UInt8], key: SecretBytes, finalTag: Bool = true, padding: UInt8 = 0) throws -> [UInt8] {
        let padded = FileStreamLayout.paddedSize(plainSize: UInt64(plaintext.count))
        let chunks = FileStreamLayout.chunkCount(paddedSize: padded)
        let whole = plaintext + [UInt8](repeating: padding, count: Int(padded) - plaintext.count)
        let encryptor = try FileStreamEncryptor(key: key)
        var stream = encryptor.preamble
        for index in 0..<chunks {
            let start = Int(index) * FileStreamLayout.chunkBytes
            let end = min(whole.count, start + FileStreamLayout.chunkBytes)
            let final = index == chunks - 1 && finalTag
            stream += try whole[start..<end].withUnsafeBytes { try encryptor.push($0, final: final) }
        }
        #expect(UInt64(stream.count) == FileStreamLayout.storedSize(plainSize: UInt64(plaintext.count)))
        return stream
    }

    /// The sealed metadata's plaintext.
    static func metadata(
        id: EvidenceID, key: SecretBytes, name: String, size: Int, sha256: [UInt8], extra: [String: JSONValue] = [:]
    ) -> [UInt8] {
        var object: [String: JSONValue] = [
            "attachment_id": .string(id.hex), "chunk_bytes": .number("65536"),
            "key": .string(key.withUnsafeBytes { Base64.encode(Array($0)) }), "media_type": .string("image/jpeg"),
            "name": .string(name), "sha256": .string(Hex.encode(sha256)), "size": .number(String(size)), "v": .number("1"),
        ]
        object.merge(extra) { $1 }
        return JSONValue.object(object).canonicalBytes()
    }

    /// Adds an attachment of `plaintext` to record `record` at `position`: its row, its stream (in
    /// `attachment_chunks`, or with `storage` in `attachments/STORAGE` beside the database) and its ledger entry
    /// (unless `ledger` is false), then signs a checkpoint. `metadata` replaces the sealed metadata's plaintext.
    @discardableResult
    func attach(
        _ plaintext: [UInt8], to record: Int, position: Int64 = 1, name: String = "scan.jpg", storage: String? = nil,
        ledger: Bool = true, metadata: ((EvidenceID, SecretBytes, [UInt8]) -> [UInt8])? = nil,
        stream makeStream: ((SecretBytes) throws -> [UInt8])? = nil
    ) throws -> Attachment {
        let id = EvidenceID.random()
        let key = try SecretBytes.random(count: 32)
        let sha = SHA256.hash(plaintext)
        let stream = try makeStream?(key) ?? Self.stream(plaintext, key: key)
        let sealedMetadata = metadata?(id, key, sha)
            ?? Self.metadata(id: id, key: key, name: name, size: plaintext.count, sha256: sha)
        let envelope = try Envelope.seal(
            sealedMetadata, name: .attachment, recordID: records[record], recipients: [recipient.publicKey],
            minimumPaddedSize: 1024
        ).encoded()
        let row = AttachmentRow(
            attachmentID: id, recordID: records[record], position: position, sealedTo: .identity, envelope: envelope,
            storedSize: UInt64(stream.count), ciphertextSHA256: SHA256.hash(stream), storage: storage
        )
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO attachments (attachment_id, record_id, position, sealed_to, envelope, stored_size,
                        ciphertext_sha256, storage) VALUES (?, ?, ?, 'identity', ?, ?, ?, ?)
                    """,
                arguments: [Data(id.bytes), Data(row.recordID.bytes), position, Data(envelope), stream.count,
                            Data(row.ciphertextSHA256), storage]
            )
            if storage == nil {
                try Self.storePieces(stream, id: id, db)
            }
            if ledger {
                _ = try LedgerTables.append(db, kind: .attachment, recordID: row.recordID, digest: row.digest)
                try LedgerTables.checkpoint(db, key: signingKey)
            }
        }
        if let storage {
            let folder = directory + "/attachments"
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            try Data(stream).write(to: URL(fileURLWithPath: folder + "/" + storage))
        }
        return Attachment(row: row, plaintext: plaintext, stream: stream)
    }

    /// Writes `stream` into `attachment_chunks` as 1 MiB pieces, replacing any.
    static func storePieces(_ stream: [UInt8], id: EvidenceID, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM attachment_chunks WHERE attachment_id = ?", arguments: [Data(id.bytes)])
        var piece = 0
        var start = 0
        while start < stream.count {
            let end = min(stream.count, start + (1 << 20))
            try db.execute(
                sql: "INSERT INTO attachment_chunks (attachment_id, piece, data) VALUES (?, ?, ?)",
                arguments: [Data(id.bytes), piece, Data(stream[start..<end])]
            )
            piece += 1
            start = end
        }
    }

    /// Adds an addendum of `content` (its JSON members other than the id and version) to record `record`, with its
    /// ledger entry, then signs a checkpoint.
    @discardableResult
    func addendum(_ content: [String: JSONValue], to record: Int, position: Int64 = 1) throws -> AddendumRow {
        let id = EvidenceID.random()
        var object = content
        object["addendum_id"] = .string(id.hex)
        object["v"] = .number("1")
        let envelope = try Envelope.seal(
            JSONValue.object(object).canonicalBytes(), name: .addendum, recordID: records[record],
            recipients: [recipient.publicKey], minimumPaddedSize: 512
        ).encoded()
        let row = AddendumRow(addendumID: id, recordID: records[record], position: position, envelope: envelope)
        try write { db in
            try db.execute(
                sql: "INSERT INTO addenda (addendum_id, record_id, position, envelope) VALUES (?, ?, ?, ?)",
                arguments: [Data(id.bytes), Data(row.recordID.bytes), position, Data(envelope)]
            )
            _ = try LedgerTables.append(db, kind: .addendum, recordID: row.recordID, digest: row.digest)
            try LedgerTables.checkpoint(db, key: signingKey)
        }
        return row
    }

    /// Withdraws record `record` as amanatd does: its content and its attachments and addenda erased, a
    /// `withdrawal` entry appended and signed.
    func withdraw(_ record: Int) throws {
        let id = Data(records[record].bytes)
        try write { db in
            try db.execute(sql: """
                UPDATE records SET clear_json = NULL, identity_envelope = NULL, testimony_envelope = NULL, withdrawn = 1
                WHERE record_id = ?
                """, arguments: [id])
            try db.execute(sql: """
                DELETE FROM attachment_chunks WHERE attachment_id IN (SELECT attachment_id FROM attachments WHERE record_id = ?)
                """, arguments: [id])
            try db.execute(sql: "DELETE FROM attachments WHERE record_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM addenda WHERE record_id = ?", arguments: [id])
            let digest = Ledger.withdrawnDigest(
                recordID: records[record], formID: "testimony", formVersion: 1, received: "2026-12-07"
            )
            _ = try LedgerTables.append(db, kind: .withdrawal, recordID: records[record], digest: digest)
            try LedgerTables.checkpoint(db, key: signingKey)
        }
    }

    /// Runs `body` in a write transaction on the database.
    func write(_ body: (Database) throws -> Void) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write(body)
        try queue.close()
    }

    /// The archive verified against its own site key, streams hashed.
    func verify(hashingStreams: Bool = true) throws -> VerificationReport {
        try ArchiveVerifier.verify(try RecordReader(path: path), pinned: [signingKey.publicKey], hashingStreams: hashingStreams)
    }

    /// Bytes that look random, from a seed.
    static func bytes(_ count: Int, seed: UInt8 = 1) -> [UInt8] {
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }
}
