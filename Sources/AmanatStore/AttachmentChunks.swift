import AmanatArchive
import AmanatFormat
import Foundation
import GRDB
import Glibc

/// How an export carries attachment streams (FORMAT.md section 12.7): each stream copied into `attachment_chunks` in
/// pieces of 1 MiB, its row's `storage` set to NULL, so the export is one self-contained SQLite file.
enum AttachmentChunks {
    /// Bytes per piece, but the last.
    static let pieceBytes = Schema.attachmentPieceBytes

    /// Copies the stream of every attachment whose `storage` names a file in `directory` into `attachment_chunks`,
    /// one piece in memory at a time, and sets its `storage` to NULL; one transaction per attachment. A stream that
    /// is missing, or not of its row's `stored_size`, fails the export: an archive without it would not verify.
    static func copyStreams(_ db: Database, from directory: String) throws {
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT attachment_id, storage, stored_size FROM attachments WHERE storage IS NOT NULL ORDER BY rowid"
        )
        var buffer = [UInt8](repeating: 0, count: pieceBytes)
        for row in rows {
            let attachmentID: Data = row[0]
            let storage: String = row[1]
            let storedSize: Int64 = row[2]
            guard RecordStore.isStorageName(storage) else {
                throw StoreError(.writeFailed, "an attachment row names a stream file that is not a storage id")
            }
            let fd = open(directory + "/" + storage, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else {
                throw StoreError(
                    .writeFailed, "cannot read attachment stream \(storage): \(String(cString: strerror(errno)))"
                )
            }
            defer { close(fd) }
            try db.inTransaction {
                var piece: Int64 = 0
                var copied: Int64 = 0
                while true {
                    let count = try readFull(fd, into: &buffer)
                    if count == 0 { break }
                    copied += Int64(count)
                    guard copied <= storedSize else { break }
                    try db.cachedStatement(
                        sql: "INSERT INTO attachment_chunks (attachment_id, piece, data) VALUES (?, ?, ?)"
                    ).execute(arguments: [attachmentID, piece, Data(buffer[0..<count])])
                    piece += 1
                    if count < buffer.count { break }
                }
                guard copied == storedSize else {
                    throw StoreError(
                        .writeFailed, "attachment stream \(storage) does not hold its \(storedSize) stored bytes"
                    )
                }
                try db.execute(
                    sql: "UPDATE attachments SET storage = NULL WHERE attachment_id = ?", arguments: [attachmentID]
                )
                return .commit
            }
        }
    }

    /// Reads until `buffer` is full or the file ends; returns the bytes read.
    private static func readFull(_ fd: Int32, into buffer: inout [UInt8]) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw StoreError(.writeFailed, "cannot read an attachment stream: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            filled += count
        }
        return filled
    }
}
