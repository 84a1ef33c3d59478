import AmanatCrypto
import AmanatArchive
public import AmanatFormat
public import AmanatIntake
import Foundation
import GRDB
import Glibc

extension RecordStore {
    /// The directory of attachment streams and uploads: `attachments` beside the database file (FORMAT.md section 7.1).
    // MERGE NOTE (issue 15): the uploads resource names this directory too; keep one definition.
    var attachmentsDirectory: String {
        let directory = (path as NSString).deletingLastPathComponent
        return (directory.isEmpty ? "." : directory) + "/attachments"
    }

    public func evidenceTarget(_ recordID: RecordID, token: [UInt8]) async throws(StoreError) -> EvidenceTarget? {
        let offered = try offeredTokenHash(token, for: recordID)
        do {
            return try await pool.read { db -> EvidenceTarget? in
                guard let form = try Self.recordForEvidence(db, recordID, offered: offered) else { return nil }
                let held = try Self.attachmentTotals(db, recordID)
                return EvidenceTarget(
                    formID: form.id, formVersion: form.version, attachmentCount: held.count, attachmentBytes: held.bytes
                )
            }
        } catch {
            throw Self.writeError(error, "looking up a record")
        }
    }

    public func attach(
        _ attachments: [NewAttachment], to recordID: RecordID, token: [UInt8], uploadOwner: UInt32?,
        limits: EvidenceLimits
    ) async throws(StoreError) -> [AppendedAttachment]? {
        let offered = try offeredTokenHash(token, for: recordID)
        let key = notary
        do {
            return try await pool.write { db -> [AppendedAttachment]? in
                guard try Self.recordForEvidence(db, recordID, offered: offered) != nil else { return nil }
                let held = try Self.attachmentTotals(db, recordID)
                let bytes = EvidenceLimits.total(held.bytes, adding: attachments.map(\.storedSize))
                guard limits.allow(count: held.count + attachments.count, bytes: bytes) else {
                    throw StoreError(
                        .recordTooLarge,
                        "a record may hold at most \(limits.maxAttachments) attachments of \(limits.maxBytes) stored "
                            + "bytes in all"
                    )
                }
                return try attachments.enumerated().map { index, attachment in
                    try Self.insert(
                        attachment, recordID: recordID, position: held.lastPosition + Int64(index) + 1,
                        uploadOwner: uploadOwner, db, key: key
                    )
                }
            }
        } catch {
            throw Self.writeError(error, "attaching")
        }
    }

    public func addAddendum(
        _ addendum: NewAddendum, to recordID: RecordID, token: [UInt8]
    ) async throws(StoreError) -> AppendedAddendum? {
        let offered = try offeredTokenHash(token, for: recordID)
        let key = notary
        do {
            return try await pool.write { db -> AppendedAddendum? in
                guard try Self.recordForEvidence(db, recordID, offered: offered) != nil else { return nil }
                let position = (try Int64.fetchOne(
                    db, sql: "SELECT max(position) FROM addenda WHERE record_id = ?", arguments: [Data(recordID.bytes)]
                ) ?? 0) + 1
                try db.execute(
                    sql: "INSERT INTO addenda (addendum_id, record_id, position, envelope) VALUES (?, ?, ?, ?)",
                    arguments: [
                        Data(addendum.addendumID.bytes), Data(recordID.bytes), position, Data(addendum.envelope),
                    ]
                )
                let digest = Ledger.addendumDigest(
                    recordID: recordID, addendumID: addendum.addendumID, position: position, envelope: addendum.envelope
                )
                let entry = try LedgerTables.append(db, kind: .addendum, recordID: recordID, digest: digest)
                try LedgerTables.checkpointIfDue(db, key: key)
                return AppendedAddendum(addendumID: addendum.addendumID, position: position, entry: entry)
            }
        } catch {
            throw Self.writeError(error, "adding an addendum")
        }
    }

    /// Claims `attachment`'s upload, inserts its row at `position` and appends its ledger entry, in the caller's
    /// transaction. An upload whose length is not the attachment's stored size is refused (and, by the rollback,
    /// left as it was).
    static func insert(
        _ attachment: NewAttachment, recordID: RecordID, position: Int64, uploadOwner: UInt32?, _ db: Database,
        key: any Notary
    ) throws -> AppendedAttachment {
        let claimed: UploadRows.ClaimedUpload
        do {
            // Another uid's upload does not exist for this one: the same answer as an unknown id.
            guard let uploadOwner else { throw UploadRows.ClaimError(kind: .unknownUpload) }
            claimed = try UploadRows.claim(db, uploadID: attachment.uploadID, ownerUID: uploadOwner)
        } catch let error as UploadRows.ClaimError {
            switch error.kind {
            case .unknownUpload:
                throw StoreError(
                    .unknownUpload,
                    "no upload of yours has the id \(attachment.uploadID): it expired, was deleted or was never made"
                )
            case .incomplete:
                throw StoreError(
                    .uploadIncomplete,
                    "upload \(attachment.uploadID) has not received all its bytes: resume it, then send again"
                )
            }
        }
        guard UInt64(claimed.length) == attachment.storedSize else {
            throw StoreError(
                .invalidAttachment,
                "upload \(attachment.uploadID) holds \(claimed.length) bytes, not the stored size of a file of the "
                    + "size given (\(attachment.storedSize) bytes): it is not that file's stream"
            )
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO attachments
                    (attachment_id, record_id, position, sealed_to, envelope, stored_size, ciphertext_sha256, storage)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                Data(attachment.attachmentID.bytes), Data(recordID.bytes), position, attachment.sealedTo.rawValue,
                Data(attachment.envelope), Int64(attachment.storedSize), Data(claimed.ciphertextSHA256),
                claimed.storage,
            ]
        )
        let digest = Ledger.attachmentDigest(
            recordID: recordID, attachmentID: attachment.attachmentID, position: position,
            sealedTo: attachment.sealedTo, envelope: attachment.envelope, storedSize: attachment.storedSize,
            ciphertextSHA256: claimed.ciphertextSHA256
        )
        let entry = try LedgerTables.append(db, kind: .attachment, recordID: recordID, digest: digest)
        try LedgerTables.checkpointIfDue(db, key: key)
        return AppendedAttachment(
            attachmentID: attachment.attachmentID, position: position, storedSize: attachment.storedSize, entry: entry
        )
    }

    /// The keyed hash of a token offered for `recordID`.
    func offeredTokenHash(_ token: [UInt8], for recordID: RecordID) throws(StoreError) -> [UInt8] {
        do {
            return try WithdrawalToken.hash(token, for: recordID, key: notary)
        } catch {
            throw StoreError(.writeFailed, "cannot hash the withdrawal token: \(error)")
        }
    }

    /// Whether `offered` is the keyed hash of the record's token. The comparison runs whether or not the id exists,
    /// so that timing says as little as the answer.
    static func tokenMatches(_ db: Database, _ recordID: RecordID, offered: [UInt8]) throws -> Bool {
        let stored = try Data.fetchOne(
            db, sql: "SELECT token_hash FROM withdrawal_tokens WHERE record_id = ?", arguments: [Data(recordID.bytes)]
        )
        let matches = constantTimeEqual(stored.map { [UInt8]($0) } ?? [UInt8](repeating: 0, count: 32), offered)
        return matches && stored != nil
    }

    /// The form of a record that is not withdrawn and whose token hash is `offered`; nil otherwise.
    private static func recordForEvidence(
        _ db: Database, _ recordID: RecordID, offered: [UInt8]
    ) throws -> (id: String, version: Int)? {
        guard try tokenMatches(db, recordID, offered: offered) else { return nil }
        guard let row = try Row.fetchOne(
            db, sql: "SELECT form_id, form_version FROM records WHERE record_id = ? AND withdrawn = 0",
            arguments: [Data(recordID.bytes)]
        ) else { return nil }
        return (row[0], row[1])
    }

    /// How many attachments a record has, their stored bytes in all, and the last position.
    private static func attachmentTotals(
        _ db: Database, _ recordID: RecordID
    ) throws -> (count: Int, bytes: UInt64, lastPosition: Int64) {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT count(*), coalesce(sum(stored_size), 0), coalesce(max(position), 0)
                FROM attachments WHERE record_id = ?
                """,
            arguments: [Data(recordID.bytes)]
        )
        guard let row else { return (0, 0, 0) }
        let bytes: Int64 = row[1]
        return (row[0], UInt64(max(0, bytes)), row[2])
    }

    /// Removes the stored streams of erased attachments, once the rows naming them are gone for good, and makes
    /// the removal durable. While an export is copying streams, the removal waits for it to end (the copy's rows
    /// still name them). A crash before this leaves files no row names, which the start-up sweep removes.
    func removeStreams(_ storage: [String]) {
        guard !storage.isEmpty else { return }
        let now = exportsRunning.withLock { state -> [String] in
            guard state.running > 0 else { return storage }
            state.deferred += storage
            return []
        }
        unlinkStreams(now)
    }

    /// An export begins: from now until ``endCopyingStreams()``, erased streams stay on disk.
    func beginCopyingStreams() {
        exportsRunning.withLock { $0.running += 1 }
    }

    /// An export ends: when it was the last one, the streams erased meanwhile are removed.
    func endCopyingStreams() {
        let erasedMeanwhile = exportsRunning.withLock { state -> [String] in
            state.running -= 1
            guard state.running == 0 else { return [] }
            defer { state.deferred = [] }
            return state.deferred
        }
        unlinkStreams(erasedMeanwhile)
    }

    /// Unlinks streams by name and syncs the directory.
    func unlinkStreams(_ storage: [String]) {
        guard !storage.isEmpty else { return }
        let directory = attachmentsDirectory
        for name in storage where Self.isStorageName(name) {
            if unlink(directory + "/" + name) != 0 && errno != ENOENT {
                let reason = String(cString: strerror(errno))
                logger.warning("cannot remove an erased attachment's stream", metadata: ["error": "\(reason)"])
            }
        }
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            Glibc.close(fd)
        }
    }

    /// A storage name as the schema allows it: 32 lowercase hex digits, never a path.
    static func isStorageName(_ name: String) -> Bool {
        name.utf8.count == 32 && name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
