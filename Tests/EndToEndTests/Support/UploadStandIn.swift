import AmanatCrypto
import AmanatFormat
import AmanatJSON
import Foundation
import GRDB
import Glibc

// STAND-IN (issue 15): finished uploads made without the uploads endpoints, which another part of the issue
// builds. Each is a row in the live database's `uploads` table and a file in `attachments/` beside it, written
// as amanatd's uploads resource leaves them once the last byte is durable (FORMAT.md section 7.1). SQLite's
// locking lets this process write the row while amanatd runs. Once `POST/PATCH /v1/uploads` are in main, these
// tests can make their uploads through them instead.

/// A finished (or deliberately unfinished) upload in a running daemon's state directory.
struct StandInUpload {
    /// Its id, 32 lowercase hex digits: also its file's name.
    var id: String
    /// The original file's size, P.
    var plainSize: UInt64
    /// The stored bytes.
    var stream: [UInt8]
    /// SHA-256 of the stored bytes.
    var sha256: [UInt8]

    /// Makes an upload owned by `owner` whose stream is the stored size of a `plainSize`-byte file (or `length`
    /// bytes), with every byte durable and hashed unless `complete` is false.
    static func make(
        _ daemon: Daemon, plainSize: UInt64, owner: UInt32 = geteuid(), complete: Bool = true, length: UInt64? = nil
    ) async throws -> StandInUpload {
        let id = Hex.encode(randomBytes(16))
        let size = length ?? FileStreamLayout.storedSize(plainSize: plainSize)
        let stream = randomBytes(Int(size))
        let directory = daemon.attachmentsDirectory
        mkdir(directory, 0o700)
        let path = directory + "/" + id
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw HarnessError("cannot create \(path)") }
        _ = stream.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        let hash = try await sha256File(path)
        let queue = try DatabaseQueue(path: daemon.databasePath)
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO uploads (upload_id, owner_uid, length, durable_offset, ciphertext_sha256, expires)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    id, Int64(owner), Int64(size), complete ? Int64(size) : Int64(size / 2),
                    complete ? Data(hash) : nil, Int64(Date().timeIntervalSince1970) + 86_400,
                ]
            )
        }
        try queue.close()
        return StandInUpload(id: id, plainSize: plainSize, stream: stream, sha256: hash)
    }

    /// Marks an unfinished upload as finished, as the uploads resource does when its last byte is durable.
    func finish(_ daemon: Daemon) async throws {
        let queue = try DatabaseQueue(path: daemon.databasePath)
        try await queue.write { db in
            try db.execute(
                sql: "UPDATE uploads SET durable_offset = length, ciphertext_sha256 = ? WHERE upload_id = ?",
                arguments: [Data(sha256), id]
            )
        }
        try queue.close()
    }

    /// The `attachments` element naming this upload (PROTOCOL.md 2.10).
    func element(name: String, mediaType: String = "image/jpeg", sealedTo: String? = nil) -> JSONValue {
        var members: [String: JSONValue] = [
            "upload": .string(id), "name": .string(name), "media_type": .string(mediaType),
            "size": .number(String(plainSize)), "sha256": .string(Hex.encode(randomBytes(32))),
            "key": .string(Base64.encode(randomBytes(32))),
        ]
        if let sealedTo { members["sealed_to"] = .string(sealedTo) }
        return .object(members)
    }
}

/// SHA-256 of a file, by coreutils' sha256sum: a second implementation, not the daemon's.
func sha256File(_ path: String) async throws -> [UInt8] {
    let outcome = try await run("/usr/bin/sha256sum", [path])
    guard outcome.status == 0, let hex = outcome.stdoutText.split(separator: " ").first, let bytes = Hex.decode(hex)
    else { throw HarnessError("sha256sum \(path) failed: \(outcome.stderr)") }
    return bytes
}

extension Daemon {
    /// `attachments/` beside the database.
    var attachmentsDirectory: String { directory.file("attachments") }

    /// The names of the files in `attachments/`.
    var attachmentFiles: Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: attachmentsDirectory)) ?? [])
    }
}
