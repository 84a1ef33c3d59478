import AmanatFormat
import Foundation
package import GRDB
import Glibc

/// Why an attachment's stored bytes cannot be read as its row says: missing, of another size, or in pieces that
/// are not the export's 1 MiB ones. The message names the attachment and the problem, never content.
public struct AttachmentStreamError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ row: AttachmentRow, _ problem: String) {
        description = "attachment \(row.attachmentID.hex): \(problem)"
    }
}

/// The stored bytes of one attachment (its stream, docs/FORMAT.md section 13), read piece by piece, never
/// whole: from `attachment_chunks` in an export, or from `attachments/STORAGE` beside a copy of the live database.
package enum AttachmentStream {
    /// The size of an export's pieces (all but the last).
    package static var pieceBytes: Int { Schema.attachmentPieceBytes }

    /// The directory of stream files beside the database at `databasePath`.
    package static func directory(besideDatabase databasePath: String) -> String {
        let parent = (databasePath as NSString).deletingLastPathComponent
        return (parent.isEmpty ? "." : parent) + "/attachments"
    }

    /// Calls `body` with the stream of `row` in order, in pieces of at most 1 MiB, and checks that it has exactly
    /// `row.storedSize` bytes: an export's pieces must be numbered 0, 1, 2 … and each but the last 1 MiB; a file
    /// must be a regular file (not followed if a symbolic link) of that size. Throws ``AttachmentStreamError``
    /// when not, before `body` sees a byte beyond the stored size; errors from `body` pass through.
    package static func read(
        _ row: AttachmentRow, _ db: Database, attachmentsDirectory: String,
        _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        if let storage = row.storage {
            try readFile(row, path: attachmentsDirectory + "/" + storage, body)
        } else {
            try readPieces(row, db, body)
        }
    }

    private static func readPieces(_ row: AttachmentRow, _ db: Database, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        // The size first, from the pieces' lengths alone, so that a cut stream is refused before a byte is used.
        let stored = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT coalesce(sum(length(data)), 0) FROM attachment_chunks WHERE "
                + "attachment_id = ?"),
            arguments: [Data(row.attachmentID.bytes)]
        ) ?? 0
        guard stored == row.storedSize else {
            throw AttachmentStreamError(
                row, stored == 0 ? "its stream is missing (no piece in attachment_chunks)"
                    : "attachment_chunks holds \(stored) bytes, not its \(row.storedSize) stored bytes: the "
                        + "stream was cut or extended"
            )
        }
        // length(data) is read before data: SQLite knows a blob's length from the record header, so a hostile
        // piece of a gigabyte is refused before it is loaded.
        let pieces = try Row.fetchCursor(
            db.cachedStatement(sql: """
                SELECT piece, typeof(data) = 'blob', length(data), data FROM attachment_chunks
                WHERE attachment_id = ? ORDER BY piece
                """),
            arguments: [Data(row.attachmentID.bytes)]
        )
        var expected: Int64 = 0
        var total: UInt64 = 0
        var previousWasShort = false
        while let piece = try pieces.next() {
            guard let number = try? piece.decode(Int64?.self, atIndex: 0), number == expected else {
                throw AttachmentStreamError(row, "its piece \(expected) is missing in attachment_chunks")
            }
            guard try piece.decode(Bool?.self, atIndex: 1) == true, let length = try piece.decode(Int64?.self, atIndex: 2),
                  length > 0, length <= pieceBytes
            else {
                throw AttachmentStreamError(row, "its piece \(number) in attachment_chunks is not a blob of 1 "
                    + "to 1048576 bytes")
            }
            guard !previousWasShort else {
                throw AttachmentStreamError(row, "its piece \(number - 1) in attachment_chunks is shorter than "
                    + "1048576 bytes but not the last")
            }
            total += UInt64(length)
            guard total <= row.storedSize else {
                throw AttachmentStreamError(row, "attachment_chunks holds more than its \(row.storedSize) stored bytes")
            }
            try piece.withUnsafeData(atIndex: 3) { data in
                guard let data, data.count == length else {
                    throw AttachmentStreamError(row, "its piece \(number) changed while it was read")
                }
                try data.withUnsafeBytes { try body($0) }
            }
            previousWasShort = length < pieceBytes
            expected += 1
        }
        guard total == row.storedSize else {
            throw AttachmentStreamError(
                row, expected == 0 ? "its stream is missing (no piece in attachment_chunks)"
                    : "attachment_chunks holds \(total) of its \(row.storedSize) stored bytes: the stream was cut"
            )
        }
    }

    private static func readFile(_ row: AttachmentRow, path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = errno
            throw AttachmentStreamError(
                row, reason == ENOENT ? "its stream file \(path) is missing"
                    : "cannot open its stream file \(path): \(String(cString: strerror(reason)))"
            )
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw AttachmentStreamError(row, "its stream \(path) is not a regular file")
        }
        guard UInt64(info.st_size) == row.storedSize else {
            throw AttachmentStreamError(row, "its stream file has \(info.st_size) bytes, not the "
                + "\(row.storedSize) stored: it was cut or extended")
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: pieceBytes, alignment: 16)
        defer { buffer.deallocate() }
        var total: UInt64 = 0
        while total < row.storedSize {
            let wanted = Int(min(UInt64(pieceBytes), row.storedSize - total))
            let got = Glibc.read(descriptor, buffer.baseAddress!, wanted)
            if got < 0 {
                if errno == EINTR { continue }
                throw AttachmentStreamError(row, "cannot read its stream file \(path): "
                    + "\(String(cString: strerror(errno)))")
            }
            guard got > 0 else {
                throw AttachmentStreamError(row, "its stream file ended after \(total) of \(row.storedSize) "
                    + "bytes: it was cut")
            }
            total += UInt64(got)
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
        }
    }
}

extension RecordReader {
    /// The directory of stream files beside this database (used for a copy of the live database only).
    public var attachmentsDirectory: String { AttachmentStream.directory(besideDatabase: path) }

    /// Calls `body` with the stored bytes of `row` in order, in pieces of at most 1 MiB, on a connection of its
    /// own, so that it may be called while ``forEach(evidence:_:)`` is reading. Throws ``AttachmentStreamError``
    /// when the stream is missing, of another size than `row.storedSize`, or malformed in pieces.
    public func readStream(_ row: AttachmentRow, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try streamQueue().read { db in
            try AttachmentStream.read(row, db, attachmentsDirectory: attachmentsDirectory, body)
        }
    }
}
