import AmanatIntake
import Foundation
package import GRDB

/// The SQL of the `uploads` table (FORMAT.md, migration v4), in one place: the upload store's and the binding's.
package enum UploadRows {
    static let columns = "upload_id, owner_uid, length, durable_offset, ciphertext_sha256"

    static func status(_ row: Row) -> UploadStatus? {
        guard let id = UploadID(hex: row["upload_id"]) else { return nil }
        let hash: Data? = row["ciphertext_sha256"]
        return UploadStatus(
            id: id, ownerUID: UInt32(truncatingIfNeeded: row["owner_uid"] as Int64), length: row["length"],
            offset: row["durable_offset"], ciphertextSHA256: hash.map { [UInt8]($0) }
        )
    }

    static func fetch(_ db: Database, _ id: UploadID) throws -> UploadStatus? {
        try Row.fetchOne(db, sql: "SELECT \(columns) FROM uploads WHERE upload_id = ?", arguments: [id.hex])
            .flatMap(status)
    }

    /// An upload bound to a record (see ``claim(_:uploadID:ownerUID:)``).
    package struct ClaimedUpload: Sendable, Equatable {
        /// The name of its file in `attachments/`: the attachment row's `storage`.
        package var storage: String
        /// Its length in bytes: the attachment's `stored_size`.
        package var length: Int
        /// SHA-256 of its bytes: the attachment's `ciphertext_sha256`.
        package var ciphertextSHA256: [UInt8]
    }

    /// Why an upload could not be claimed.
    package struct ClaimError: Error, Equatable {
        package enum Kind: Sendable, Equatable {
            /// No upload has this id for this uid (malformed, unknown, another uid's, expired or removed).
            case unknownUpload
            /// The upload's bytes are not all durable yet.
            case incomplete
        }

        package let kind: Kind
    }

    /// Binds a finished upload to a record: call it inside the record's transaction, once per attachment, with the
    /// writer's `db`. It checks that the upload is `ownerUID`'s and complete, and deletes its row; its file stays
    /// where it is, `attachments/<storage>`, and becomes the attachment's stream, so the attachment row must name
    /// `storage`. If the transaction rolls back, the row comes back and the upload can be bound by a retry.
    ///
    /// A concurrent DELETE, expiry or append cannot take the file away meanwhile: they remove a file only after
    /// deleting its row in a transaction of their own, and SQLite runs one writer at a time; a complete upload is
    /// never written again.
    package static func claim(_ db: Database, uploadID: String, ownerUID: UInt32) throws -> ClaimedUpload {
        guard let id = UploadID(hex: uploadID), let upload = try fetch(db, id), upload.ownerUID == ownerUID else {
            throw ClaimError(kind: .unknownUpload)
        }
        guard upload.isComplete, let hash = upload.ciphertextSHA256 else { throw ClaimError(kind: .incomplete) }
        try db.execute(sql: "DELETE FROM uploads WHERE upload_id = ?", arguments: [id.hex])
        return ClaimedUpload(storage: id.hex, length: upload.length, ciphertextSHA256: hash)
    }
}
