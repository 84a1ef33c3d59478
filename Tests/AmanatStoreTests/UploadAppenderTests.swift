import AmanatCrypto
import AmanatFormat
import AmanatIntake
import AmanatStore
import Foundation
import Testing

/// The upload appender's pipeline (a batch written and hashed while the next gathers; small pieces copied
/// together, large ones kept as they came): whatever the pieces, the file holds exactly the bytes in order, the
/// recorded offset only ever names fsynced bytes, and the SHA-256 recorded at the end is that of the file.
@Suite("Upload appender") struct UploadAppenderTests {
    /// Pieces of every kind: drips of one byte, pieces just under and over the small-piece size, large ones, and a
    /// run long enough to cross several batches and sync points.
    static func pieces() -> [[UInt8]] {
        var sizes: [Int] = Array(repeating: 1, count: 300)
        sizes += [32 << 10 - 1, 32 << 10, 32 << 10 + 1, 65_553, 3, 200_000, 1 << 20, 7]
        sizes += Array(repeating: 65_553, count: 40)
        sizes += Array(repeating: 17, count: 100)
        var pieces: [[UInt8]] = []
        for (index, size) in sizes.enumerated() {
            pieces.append((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) })
        }
        return pieces
    }

    static func store(_ directory: TemporaryDirectory, syncBytes: Int) throws -> (RecordStore, UploadFileStore) {
        let records = try RecordStore(
            path: directory.file("amanat.sqlite"), notary: StoreTesting.signingKey, logger: StoreTesting.logger
        )
        let uploads = try UploadFileStore(
            store: records, syncBytes: syncBytes, expirySeconds: 3600, logger: StoreTesting.logger
        )
        return (records, uploads)
    }

    @Test func theFileHoldsEveryPieceInOrderAndItsHashIsRecorded() async throws {
        try await withTemporaryDirectory { directory in
            let (records, uploads) = try Self.store(directory, syncBytes: 65_536)
            let pieces = Self.pieces()
            let all = pieces.flatMap { $0 }
            let created = try #require(try await uploads.create(ownerUID: 1000, length: all.count, maxPerOwner: 8))
            let appender = try #require(try await uploads.appender(for: created))
            for piece in pieces { try await appender.write(piece) }
            let status = try await appender.finish()
            appender.close()
            #expect(status.offset == all.count)
            #expect(status.isComplete)
            var hash = SHA256()
            all.withUnsafeBytes { hash.update($0) }
            #expect(status.ciphertextSHA256 == hash.finalize())
            let stored = try #require(FileManager.default.contents(atPath: uploads.directoryPath + "/" + created.id.hex))
            #expect(Array(stored) == all)
            #expect(try await uploads.status(created.id) == status)
            await records.close()
        }
    }

    /// An append ended midway (the body was cut) keeps what it took, durable and recorded; the next append goes on
    /// from there and the whole hashes right, also when its prefix hash must be read back from the file.
    @Test func aCutAppendKeepsWhatArrivedAndTheNextGoesOn() async throws {
        try await withTemporaryDirectory { directory in
            let (records, uploads) = try Self.store(directory, syncBytes: 1 << 30)
            let pieces = Self.pieces()
            let all = pieces.flatMap { $0 }
            let created = try #require(try await uploads.create(ownerUID: 1000, length: all.count, maxPerOwner: 8))
            let first = try #require(try await uploads.appender(for: created))
            let cut = pieces.count / 2
            for piece in pieces[..<cut] { try await first.write(piece) }
            let middle = try await first.finish()
            first.close()
            let sent = pieces[..<cut].reduce(0) { $0 + $1.count }
            #expect(middle.offset == sent, "a finish makes every byte taken durable, even far from a sync point")
            #expect(middle.ciphertextSHA256 == nil)
            #expect(try await uploads.status(created.id)?.offset == sent)

            // A second store over the same database: no prefix hash in memory, so it is read from the file.
            let (_, reopened) = try Self.store(directory, syncBytes: 1 << 30)
            let resumed = try #require(try await uploads.status(created.id))
            let second = try #require(try await reopened.appender(for: resumed))
            for piece in pieces[cut...] { try await second.write(piece) }
            let status = try await second.finish()
            second.close()
            var hash = SHA256()
            all.withUnsafeBytes { hash.update($0) }
            #expect(status.ciphertextSHA256 == hash.finalize())
            let stored = try #require(FileManager.default.contents(atPath: uploads.directoryPath + "/" + created.id.hex))
            #expect(Array(stored) == all)
            await records.close()
        }
    }
}
