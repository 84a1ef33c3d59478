import AmanatArchive
import AmanatCrypto
import AmanatFormat
import AmanatForms
import AmanatJSON
import AmanatKeys
import AmanatReports
import Foundation
import GRDB
@testable import amanat_keyholder
import Testing

/// Reading, verifying and extracting attachments and addenda (docs/FORMAT.md sections 7.1, 8.4, 12.8, 13 and 14), on
/// archives built row by row (EvidenceArchive.swift).
@Suite("attachments and addenda: reader, verifier, extraction") struct EvidenceTests {
    /// A new directory for extracted files inside the archive's.
    static func outputDirectory(_ archive: EvidenceArchive) throws -> String {
        let path = archive.directory + "/out-\(UUID())"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    /// What `open` does for record `record`: its rows read, its attachments' metadata and addenda opened on the
    /// worker side, then each attachment extracted into `directory`.
    static func open(
        _ archive: EvidenceArchive, record: Int, into directory: String
    ) throws -> OpenedRecord {
        let reader = try RecordReader(path: archive.path)
        var found: (StoredRecord, RecordEvidence)?
        try reader.forEach(evidence: true) { stored, evidence in
            if stored.recordID == archive.records[record] { found = (stored, evidence) }
        }
        let (stored, evidence) = try #require(found)
        let opened = KeyHolder.Open.openEvidence(
            evidence, of: stored, with: KeyRing(keys: [archive.recipient]), requested: Section.sealed,
            directory: directory
        )
        var result = OpenedRecord(recordID: stored.recordID.text, formID: stored.formID, formVersion: 1, received: stored.received)
        result.attachments = opened.attachments
        result.addenda = opened.addenda
        _ = try KeyHolder.Open.extract(
            opened.pending, of: &result, with: AttachmentExtractor(reader: reader), progress: ProgressBar(total: 0, terminal: false)
        )
        return result
    }

    /// The SHA-256 of the file at `path`, nil when there is none: compared rather than the bytes, so that a failure
    /// prints two lines, not a megabyte.
    static func digest(ofFile path: String) -> String? {
        FileManager.default.contents(atPath: path).map { Hex.encode(SHA256.hash([UInt8]($0))) }
    }

    static func files(in directory: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }

    // MARK: - Good archives

    @Test func goodAttachmentsOpenByteIdentical() async throws {
        let archive = try await EvidenceArchive()
        // Over 1 MiB (two pieces in attachment_chunks, 21 chunks), one chunk, and an empty file.
        let large = EvidenceArchive.bytes(1_300_000, seed: 3)
        let small = EvidenceArchive.bytes(100, seed: 4)
        try archive.attach(large, to: 0, position: 1, name: "interview.mp4")
        try archive.attach(small, to: 0, position: 2, name: "scan.jpg")
        try archive.attach([], to: 0, position: 3, name: "empty.txt")
        try archive.addendum(["text": .string("My brother was moved to another camp.")], to: 0)

        let report = try archive.verify()
        #expect(report.isIntact, "\(report.failure ?? "")")
        #expect(report.attachments == 3 && report.addenda == 1)
        #expect(report.attachmentBytes == [large, small, []].reduce(0) { $0 + FileStreamLayout.storedSize(plainSize: UInt64($1.count)) })

        let directory = try Self.outputDirectory(archive)
        let opened = try Self.open(archive, record: 0, into: directory)
        #expect(opened.status == .opened)
        #expect(opened.attachments.map(\.position) == [1, 2, 3])
        for (attachment, plaintext) in zip(opened.attachments, [large, small, []]) {
            let path = try #require(attachment.path)
            #expect(Self.digest(ofFile: path) == Hex.encode(SHA256.hash(plaintext)))
            #expect(attachment.sha256 == Hex.encode(SHA256.hash(plaintext)))
            #expect(attachment.size == UInt64(plaintext.count))
            var info = stat()
            #expect(lstat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        }
        #expect(opened.attachments[0].path == "\(directory)/\(archive.records[0].text)-1-interview.mp4")
        #expect(opened.addenda.first?.text == "My brother was moved to another camp.")
        let line = String(decoding: opened.json.canonicalBytes(), as: UTF8.self)
        #expect(line.contains(#""addenda":[{"addendum_id":"#) && line.contains(#""media_type":"image/jpeg","name":"scan.jpg""#))
    }

    /// A copy of the live database: the streams are files in attachments/ beside it.
    @Test func aLiveCopyReadsItsStreamsFromTheAttachmentsDirectory() async throws {
        let archive = try await EvidenceArchive()
        let plaintext = EvidenceArchive.bytes(200_000, seed: 5)
        let storage = Hex.encode(EvidenceArchive.bytes(16, seed: 6))
        try archive.attach(plaintext, to: 1, storage: storage)
        #expect(try archive.verify().isIntact)
        let directory = try Self.outputDirectory(archive)
        let opened = try Self.open(archive, record: 1, into: directory)
        #expect(Self.digest(ofFile: try #require(opened.attachments.first?.path)) == Hex.encode(SHA256.hash(plaintext)))

        // The file cut by one byte: verify and open both refuse it.
        let file = archive.directory + "/attachments/" + storage
        #expect(truncate(file, off_t(FileStreamLayout.storedSize(plainSize: 200_000) - 1)) == 0)
        #expect(try archive.verify().failure?.contains("it was cut or extended") == true)
        let cut = try Self.open(archive, record: 1, into: try Self.outputDirectory(archive))
        #expect(cut.attachments.first?.failure?.detail.contains("cut or extended") == true)
        #expect(cut.attachments.first?.path == nil)
    }

    // MARK: - Damaged streams

    /// Replaces attachment `attachment`'s stored stream with `change(stream)`, keeping its row.
    static func damage(_ archive: EvidenceArchive, _ attachment: EvidenceArchive.Attachment, _ change: ([UInt8]) -> [UInt8]) throws {
        try archive.write { db in try EvidenceArchive.storePieces(change(attachment.stream), id: attachment.row.attachmentID, db) }
    }

    /// Chunk `index` (from 0) of `stream`: its range.
    static func chunk(_ index: Int, of stream: [UInt8]) -> Range<Int> {
        let length = FileStreamLayout.chunkBytes + FileStreamLayout.chunkOverhead
        let start = FileStreamLayout.preambleBytes + index * length
        return start..<min(stream.count, start + length)
    }

    /// Opens record 0 of `archive` and returns its first attachment's failure, checking that no file was left.
    static func openFailure(_ archive: EvidenceArchive) throws -> String {
        let directory = try outputDirectory(archive)
        let opened = try open(archive, record: 0, into: directory)
        #expect(files(in: directory).isEmpty, "a file that did not authenticate was left")
        #expect(opened.status == .tampered)
        return opened.attachments.first?.failure?.detail ?? "(opened)"
    }

    @Test func aFlippedBitIsDetected() async throws {
        let archive = try await EvidenceArchive()
        let attachment = try archive.attach(EvidenceArchive.bytes(150_000, seed: 7), to: 0)
        try Self.damage(archive, attachment) { stream in
            var changed = stream
            changed[Self.chunk(1, of: stream).lowerBound + 500] ^= 0x04
            return changed
        }
        #expect(try archive.verify().failure?.contains("does not hash to the ciphertext_sha256") == true)
        #expect(try Self.openFailure(archive).contains("chunk 2 of 3 does not authenticate"))
    }

    @Test func aCutStreamIsDetected() async throws {
        let archive = try await EvidenceArchive()
        let attachment = try archive.attach(EvidenceArchive.bytes(150_000, seed: 8), to: 0)
        try Self.damage(archive, attachment) { Array($0[..<Self.chunk(2, of: $0).lowerBound]) }
        #expect(try archive.verify().failure?.contains("the stream was cut") == true)
        #expect(try Self.openFailure(archive).contains("the stream was cut"))
    }

    @Test func aReorderedChunkIsDetected() async throws {
        let archive = try await EvidenceArchive()
        let attachment = try archive.attach(EvidenceArchive.bytes(200_000, seed: 9), to: 0)
        try Self.damage(archive, attachment) { stream in
            var changed = stream
            let (first, second) = (Self.chunk(0, of: stream), Self.chunk(1, of: stream))
            changed.replaceSubrange(first, with: stream[second])
            changed.replaceSubrange(second, with: stream[first])
            return changed
        }
        #expect(try archive.verify().failure?.contains("does not hash to the ciphertext_sha256") == true)
        #expect(try Self.openFailure(archive).contains("chunk 1 of 4 does not authenticate"))
    }

    /// A chunk dropped and the last one repeated in its place, so that the size still fits: the nonce chain breaks.
    @Test func aDroppedChunkIsDetected() async throws {
        let archive = try await EvidenceArchive()
        let attachment = try archive.attach(EvidenceArchive.bytes(200_000, seed: 10), to: 0)
        try Self.damage(archive, attachment) { stream in
            var changed = stream
            changed.removeSubrange(Self.chunk(1, of: stream))
            changed.insert(contentsOf: stream[Self.chunk(2, of: stream)], at: Self.chunk(2, of: changed).lowerBound)
            return changed
        }
        #expect(try archive.verify().failure?.contains("does not hash to the ciphertext_sha256") == true)
        #expect(try Self.openFailure(archive).contains("chunk 2 of 4 does not authenticate"))
        // Dropped outright, the stream is short: refused before decryption.
        try Self.damage(archive, attachment) { stream in
            var changed = stream
            changed.removeSubrange(Self.chunk(1, of: stream))
            return changed
        }
        let short = try Self.openFailure(archive)
        #expect(short.contains("the stream was cut"), "\(short)")
    }

    /// The last chunk without the final tag: a stream cut at a chunk boundary by someone who holds the key.
    @Test func aStreamWithoutItsFinalTagIsDetected() async throws {
        let archive = try await EvidenceArchive()
        let plaintext = EvidenceArchive.bytes(70_000, seed: 11)
        try archive.attach(plaintext, to: 0, stream: { key in try EvidenceArchive.stream(plaintext, key: key, finalTag: false) })
        #expect(try archive.verify().isIntact)
        #expect(try Self.openFailure(archive).contains("the last chunk is not marked final"))
    }

    /// Padding that is not zero would be a channel for data the sealed size does not count.
    @Test func paddingThatIsNotZeroIsDetected() async throws {
        let archive = try await EvidenceArchive()
        let plaintext = EvidenceArchive.bytes(1_000, seed: 22)
        try archive.attach(plaintext, to: 0, stream: { key in try EvidenceArchive.stream(plaintext, key: key, padding: 1) })
        #expect(try archive.verify().isIntact)
        #expect(try Self.openFailure(archive).contains("the padding after the file's bytes is not zero"))
    }

    /// The sealed hash differs from the bytes decrypted (amanat hashed something else): the file is removed.
    @Test func aFileWhoseHashIsNotTheSealedOneIsRemoved() async throws {
        let archive = try await EvidenceArchive()
        try archive.attach(EvidenceArchive.bytes(5_000, seed: 12), to: 0) { id, key, _ in
            EvidenceArchive.metadata(id: id, key: key, name: "a.jpg", size: 5_000, sha256: [UInt8](repeating: 7, count: 32))
        }
        #expect(try Self.openFailure(archive).contains("SHA-256 is not the sealed one"))
    }

    // MARK: - Sealed metadata

    @Test func metadataThatDoesNotFitItsRowIsRefused() async throws {
        let archive = try await EvidenceArchive()
        let cases: [(String, (EvidenceID, SecretBytes, [UInt8]) -> [UInt8])] = [
            ("for another attachment", { _, key, sha in
                EvidenceArchive.metadata(id: .random(), key: key, name: "a", size: 300, sha256: sha) }),
            ("not the stream size of the sealed size", { id, key, sha in
                EvidenceArchive.metadata(id: id, key: key, name: "a", size: 100, sha256: sha) }),
            ("exactly the members", { id, key, sha in
                EvidenceArchive.metadata(id: id, key: key, name: "a", size: 300, sha256: sha, extra: ["path": .string("/etc")]) }),
            ("another chunk size", { id, key, sha in
                EvidenceArchive.metadata(id: id, key: key, name: "a", size: 300, sha256: sha, extra: ["chunk_bytes": .number("4096")]) }),
            ("from 0 to 2^50", { id, key, sha in
                EvidenceArchive.metadata(id: id, key: key, name: "a", size: 300, sha256: sha, extra: ["size": .number("1152921504606846976")]) }),
            ("not version 1", { id, key, sha in
                EvidenceArchive.metadata(id: id, key: key, name: "a", size: 300, sha256: sha, extra: ["v": .number("2")]) }),
        ]
        for (position, (_, metadata)) in cases.enumerated() {
            try archive.attach(EvidenceArchive.bytes(300, seed: 13), to: 0, position: Int64(position + 1), metadata: metadata)
        }
        #expect(try archive.verify().isIntact)
        let directory = try Self.outputDirectory(archive)
        let opened = try Self.open(archive, record: 0, into: directory)
        #expect(Self.files(in: directory).isEmpty)
        for (attachment, (reason, _)) in zip(opened.attachments, cases) {
            #expect(attachment.failure?.detail.contains(reason) == true, "\(attachment.failure?.detail ?? "opened"): \(reason)")
        }
    }

    // MARK: - Names from the archive

    @Test func aHostileNameStaysInsideTheDirectory() async throws {
        let archive = try await EvidenceArchive()
        try archive.attach(EvidenceArchive.bytes(10, seed: 14), to: 0, position: 1, name: "../../etc/passwd")
        try archive.attach(EvidenceArchive.bytes(10, seed: 15), to: 0, position: 2, name: ".bashrc")
        let directory = try Self.outputDirectory(archive)
        let opened = try Self.open(archive, record: 0, into: directory)
        let id = archive.records[0].text
        #expect(Set(Self.files(in: directory)) == ["\(id)-1-_._.._etc_passwd", "\(id)-2-_bashrc"])
        #expect(opened.attachments.first?.name == "../../etc/passwd", "the sealed name is reported as it is")
    }

    /// A file already at the path (only a hostile archive makes two attachments one name) is left alone.
    @Test func anExistingFileIsNeverOverwritten() async throws {
        let archive = try await EvidenceArchive()
        try archive.attach(EvidenceArchive.bytes(10, seed: 16), to: 0, name: "a.jpg")
        let directory = try Self.outputDirectory(archive)
        let path = "\(directory)/\(archive.records[0].text)-1-a.jpg"
        try Data("keep".utf8).write(to: URL(fileURLWithPath: path))
        let opened = try Self.open(archive, record: 0, into: directory)
        #expect(opened.attachments.first?.failure?.detail.contains("already exists") == true)
        #expect(Self.digest(ofFile: path) == Hex.encode(SHA256.hash(Array("keep".utf8))))
    }

    // MARK: - Verifying rows against the ledger

    @Test func aRowWithoutALedgerEntryIsReported() async throws {
        let archive = try await EvidenceArchive()
        try archive.attach(EvidenceArchive.bytes(10, seed: 17), to: 1, ledger: false)
        #expect(try archive.verify().failure?.contains("matches no attachment entry of the ledger") == true)
    }

    @Test func aLedgerEntryWithoutARowIsReported() async throws {
        let archive = try await EvidenceArchive()
        let attachment = try archive.attach(EvidenceArchive.bytes(10, seed: 18), to: 1)
        try archive.write { db in
            try db.execute(sql: "DELETE FROM attachments WHERE attachment_id = ?", arguments: [Data(attachment.row.attachmentID.bytes)])
        }
        let failure = try archive.verify().failure ?? ""
        #expect(failure.contains("(attachment of record \(archive.records[1])) has no row"), "\(failure)")
        // An addendum likewise.
        let addendum = try archive.addendum(["text": .string("x")], to: 2)
        try archive.write { db in
            try db.execute(sql: "DELETE FROM addenda WHERE addendum_id = ?", arguments: [Data(addendum.addendumID.bytes)])
        }
        #expect(try archive.verify().failure?.contains("has no row") == true)
    }

    @Test func anAlteredRowIsReported() async throws {
        let archive = try await EvidenceArchive()
        let attachment = try archive.attach(EvidenceArchive.bytes(10, seed: 19), to: 0)
        try archive.write { db in
            try db.execute(sql: "UPDATE attachments SET sealed_to = 'testimony' WHERE attachment_id = ?",
                           arguments: [Data(attachment.row.attachmentID.bytes)])
        }
        #expect(try archive.verify().failure?.contains("matches no attachment entry of the ledger: it was injected or altered") == true)
    }

    @Test func piecesOfNoAttachmentAreReported() async throws {
        let archive = try await EvidenceArchive()
        try archive.write { db in try EvidenceArchive.storePieces([1, 2, 3], id: .random(), db) }
        #expect(try archive.verify().failure?.contains("attachment_chunks holds pieces of no attachment") == true)
    }

    @Test func aWithdrawnRecordsEntriesAreAcceptedWithoutRows() async throws {
        let archive = try await EvidenceArchive()
        let attachment = try archive.attach(EvidenceArchive.bytes(10, seed: 20), to: 1)
        try archive.addendum(["text": .string("later")], to: 1)
        try archive.attach(EvidenceArchive.bytes(10, seed: 21), to: 2)
        try archive.withdraw(1)
        let report = try archive.verify()
        #expect(report.isIntact, "\(report.failure ?? "")")
        #expect(report.attachments == 2 && report.addenda == 1 && report.withdrawals == 1)

        // A row left (or put back) in the withdrawn record is not.
        try archive.write { db in
            try db.execute(
                sql: """
                    INSERT INTO attachments (attachment_id, record_id, position, sealed_to, envelope, stored_size,
                        ciphertext_sha256) VALUES (?, ?, 1, 'identity', ?, ?, ?)
                    """,
                arguments: [Data(attachment.row.attachmentID.bytes), Data(attachment.row.recordID.bytes),
                            Data(attachment.row.envelope), attachment.stream.count, Data(attachment.row.ciphertextSHA256)]
            )
            try EvidenceArchive.storePieces(attachment.stream, id: attachment.row.attachmentID, db)
        }
        #expect(try archive.verify().failure?.contains("belongs to a withdrawn record") == true)
    }

    /// A row read again by `open` must be one that was verified.
    @Test func anEvidenceRowChangedAfterVerificationStopsTheReading() async throws {
        let archive = try await EvidenceArchive()
        let row = try archive.addendum(["text": .string("first")], to: 0)
        let report = try archive.verify(hashingStreams: false)
        #expect(report.isIntact)
        try archive.write { db in
            try db.execute(sql: "UPDATE addenda SET position = 2 WHERE addendum_id = ?", arguments: [Data(row.addendumID.bytes)])
        }
        let checked = CheckedArchive(path: archive.path, reader: try RecordReader(path: archive.path), report: report)
        var outcomes: [Bool] = []
        try checked.forEachExpecting { read in
            outcomes.append((try? read.checkedEntry()) != nil)
        }
        #expect(outcomes == [false, true, true])
    }

    /// `open --no-verify` checks the evidence rows' shapes before it writes anything.
    @Test func aMalformedEvidenceRowStopsOpenWithoutVerification() async throws {
        let archive = try await EvidenceArchive()
        try archive.addendum(["text": .string("x")], to: 0)
        #expect(throws: Never.self) { try RecordReader(path: archive.path).checkRows() }
        // A table without the CHECKs, as a hostile file would have it.
        try archive.write { db in
            try db.execute(sql: """
                ALTER TABLE addenda RENAME TO addenda_old;
                CREATE TABLE addenda (addendum_id, record_id, position, envelope);
                INSERT INTO addenda SELECT addendum_id, record_id, 'one', envelope FROM addenda_old;
                DROP TABLE addenda_old;
                """)
        }
        #expect(throws: StoreError.self) { try RecordReader(path: archive.path).checkRows() }
        #expect(try archive.verify().failure?.contains("an addendum is malformed") == true)
    }
}
