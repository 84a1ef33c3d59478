import AmanatArchive
import AmanatFormat
import Foundation
import GRDB

// STAND-IN (issue 15, records part): a minimal claim of a finished upload, until the uploads resource's own
// `UploadRows.claim(_:uploadID:ownerUID:)` lands. When merging, replace `UploadClaim.claim` by it (same checks,
// same refusals) and delete this file.

/// A finished upload taken over by an attachment: its row is gone, its file stays and is the attachment's.
struct ClaimedUpload {
    /// The file's name in the attachments directory (the upload id).
    var storage: String
    /// Its length in bytes.
    var length: UInt64
    /// SHA-256 of its bytes.
    var ciphertextSHA256: [UInt8]
}

enum UploadClaim {
    /// Claims upload `uploadID` of `ownerUID` inside the caller's transaction: checks that it exists for that uid
    /// and that every byte is durable and hashed, then deletes its row. Throws `unknownUpload` or
    /// `uploadIncomplete` otherwise; a rollback of the caller's transaction gives the upload back.
    static func claim(_ db: Database, uploadID: String, ownerUID: UInt32?) throws -> ClaimedUpload {
        let row = try Row.fetchOne(
            db.cachedStatement(
                sql: "SELECT owner_uid, length, durable_offset, ciphertext_sha256 FROM uploads WHERE upload_id = ?"
            ),
            arguments: [uploadID]
        )
        // Another uid's upload does not exist for this one: the same answer as an unknown id.
        guard let row, let ownerUID, let owner = row[0] as Int64?, owner == Int64(ownerUID) else {
            throw StoreError(.unknownUpload, "no upload of yours has the id \(uploadID): it expired, was deleted or was never made")
        }
        let length: Int64 = row[1]
        let offset: Int64 = row[2]
        let hash = try row.bytes(at: 3)
        guard offset == length, hash.count == 32 else {
            throw StoreError(.uploadIncomplete, "upload \(uploadID) has not received all its bytes: resume it, then send again")
        }
        try db.cachedStatement(sql: "DELETE FROM uploads WHERE upload_id = ?").execute(arguments: [uploadID])
        return ClaimedUpload(storage: uploadID, length: UInt64(length), ciphertextSHA256: hash)
    }
}
