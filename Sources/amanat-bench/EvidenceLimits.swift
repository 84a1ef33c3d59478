import AmanatCrypto
import AmanatFileSealing
import AmanatFormat
import AmanatKeys
import Foundation
import GRDB

/// The machine's limits for evidence files (issue 15), measured in the same run as the uploads: what one core
/// encrypts with secretstream, what SHA-256 hashes, and what the state directory's disk takes written and fsynced
/// in sequence, beside the same bytes stored as SQLite rows (the storage choice of FORMAT.md section 7.1).
enum EvidenceLimits {
    /// Bytes per second of wall time, and per second of the measuring thread's CPU time.
    struct Throughput {
        var bytesPerSecond: Double
        var bytesPerCPUSecond: Double
    }

    /// `crypto_secretstream_xchacha20poly1305_push` over 64 KiB chunks on one core, as amanat encrypts a file.
    static func streamEncryption(bytes: Int) throws -> Throughput {
        let encryptor = try FileStreamEncryptor(key: try SecretBytes.random(count: 32))
        let piece = [UInt8](repeating: 0x5A, count: FileStreamLayout.chunkBytes)
        var output = [UInt8](repeating: 0, count: FileStreamLayout.chunkBytes + FileStreamLayout.chunkOverhead)
        return try measure(bytes: bytes) { () throws in
            _ = try piece.withUnsafeBytes { piece in
                try output.withUnsafeMutableBytes { output in try encryptor.push(piece, final: false, into: output) }
            }
            return piece.count
        }
    }

    /// `crypto_secretstream_xchacha20poly1305_pull` over 64 KiB chunks on one core, as the key holder decrypts a
    /// file: 64 MiB of stream encrypted once, then decrypted again and again from its start.
    static func streamDecryption(bytes: Int) throws -> Throughput {
        let key = try SecretBytes.random(count: 32)
        let encryptor = try FileStreamEncryptor(key: key)
        let piece = [UInt8](repeating: 0x5A, count: FileStreamLayout.chunkBytes)
        let chunks = try (0..<1024).map { _ in try piece.withUnsafeBytes { try encryptor.push($0, final: false) } }
        var output = [UInt8](repeating: 0, count: FileStreamLayout.chunkBytes)
        var decryptor = try FileStreamDecryptor(key: key, preamble: encryptor.preamble)
        var next = 0
        return try measure(bytes: bytes) { () throws in
            if next == chunks.count {
                decryptor = try FileStreamDecryptor(key: key, preamble: encryptor.preamble)
                next = 0
            }
            let result = try chunks[next].withUnsafeBytes { chunk in
                try output.withUnsafeMutableBytes { output in try decryptor.pull(chunk, into: output) }
            }
            next += 1
            return result.count
        }
    }

    /// ``AmanatCrypto/SHA256`` over 64 KiB pieces on one core: amanat hashes a file's bytes, amanatd its stream.
    static func sha256(bytes: Int) throws -> Throughput {
        var hash = SHA256()
        let piece = [UInt8](repeating: 0xA5, count: FileStreamLayout.chunkBytes)
        let result = try measure(bytes: bytes) { () throws in
            hash.update(piece)
            return piece.count
        }
        _ = hash.finalize()
        return result
    }

    /// A new file of `bytes` bytes written in 1 MiB pieces in `directory`, fsynced every `syncEvery` bytes and at
    /// the end, as amanatd stores an upload; removed afterwards. Wall time only: the disk is the limit.
    static func fileWrite(directory: String, bytes: Int, syncEvery: Int) throws -> Throughput {
        let path = directory + "/disk-limit.bin"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw BenchError("cannot create \(path): errno \(errno)") }
        defer {
            close(fd)
            unlink(path)
        }
        let piece = [UInt8](repeating: 0x3C, count: 1 << 20)
        var sinceSync = 0
        let result = try measure(bytes: bytes) { () throws in
            let written = piece.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == piece.count else { throw BenchError("write failed: errno \(errno)") }
            sinceSync += written
            if sinceSync >= syncEvery {
                guard fsync(fd) == 0 else { throw BenchError("fsync failed: errno \(errno)") }
                sinceSync = 0
            }
            return written
        } finish: {
            guard fsync(fd) == 0 else { throw BenchError("fsync failed: errno \(errno)") }
        }
        return result
    }

    /// The same bytes as rows of 1 MiB in a SQLite database in WAL mode with `synchronous=FULL`, one transaction
    /// per `syncEvery` bytes, then a `wal_checkpoint(TRUNCATE)`: the alternative to files beside the database.
    static func sqliteRows(directory: String, bytes: Int, syncEvery: Int) throws -> Throughput {
        let path = directory + "/sqlite-limit.sqlite"
        defer {
            for suffix in ["", "-wal", "-shm", "-journal"] { unlink(path + suffix) }
        }
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "CREATE TABLE pieces (id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
        }
        let piece = Data(repeating: 0x3C, count: 1 << 20)
        let perTransaction = max(1, syncEvery / piece.count)
        var piecesLeft = 0
        var index = 0
        return try measure(bytes: bytes) { () throws in
            if piecesLeft == 0 { piecesLeft = perTransaction }
            let count = min(piecesLeft, max(1, (bytes - index * piece.count) / piece.count))
            try queue.write { db in
                for _ in 0..<count {
                    try db.execute(sql: "INSERT INTO pieces (id, data) VALUES (?, ?)", arguments: [index, piece])
                    index += 1
                }
            }
            piecesLeft -= count
            return count * piece.count
        } finish: {
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        }
    }

    /// Runs `step` until `bytes` have passed, then `finish`, and divides.
    private static func measure(
        bytes: Int, _ step: () throws -> Int, finish: () throws -> Void = {}
    ) throws -> Throughput {
        let start = now()
        let cpuStart = ProcStats.ownThreadCPUSeconds()
        var done = 0
        while done < bytes { done += try step() }
        try finish()
        let wall = now() - start
        let cpu = max(1e-9, ProcStats.ownThreadCPUSeconds() - cpuStart)
        return Throughput(bytesPerSecond: Double(done) / wall, bytesPerCPUSecond: Double(done) / cpu)
    }
}
