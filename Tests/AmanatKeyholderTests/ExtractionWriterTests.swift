import AmanatArchive
import AmanatCrypto
import AmanatFormat
import AmanatForms
import AmanatKeys
import AmanatReports
import Foundation
@testable import amanat_keyholder
import Testing

/// Extraction on two threads (AttachmentExtractor and ExtractionWriter): whichever thread fails, and however late
/// in a long stream, the extraction stops with the file removed and the writer thread ended.
@Suite("attachment extraction: the writer stage") struct ExtractionWriterTests {
    /// A file of 3 MB: 46 chunks, 12 of the writer's buffers, 3 pieces in attachment_chunks.
    static let size = 3_000_000

    static var chunkCount: Int {
        Int(FileStreamLayout.chunkCount(paddedSize: FileStreamLayout.paddedSize(plainSize: UInt64(size))))
    }

    /// A new file that fails as a full disk does: writes fail once `capacity` bytes are written, or, with
    /// `failsToClose`, closing (fsync) fails.
    final class FullDisk: ExtractedFile {
        let sink: OutputSink
        let capacity: Int
        let failsToClose: Bool
        private(set) var written = 0
        private(set) var discarded = false

        init(path: String, capacity: Int = .max, failsToClose: Bool = false) throws {
            sink = try OutputSink(creating: path)
            self.capacity = capacity
            self.failsToClose = failsToClose
        }

        func write(unbuffered bytes: UnsafeRawBufferPointer) throws(OutputSink.Failure) {
            guard written + bytes.count <= capacity else {
                throw OutputSink.Failure(description: "cannot write output: No space left on device")
            }
            try sink.write(unbuffered: bytes)
            written += bytes.count
        }

        func close() throws(OutputSink.Failure) {
            if failsToClose { throw OutputSink.Failure(description: "cannot finish writing output") }
            try sink.close()
        }

        func discard() {
            discarded = true
            sink.discard()
        }
    }

    /// Record 0's first attachment in `archive`, opened as far as extraction: the reader, its row and metadata.
    static func pending(_ archive: EvidenceArchive) throws -> (RecordReader, PendingExtraction) {
        let reader = try RecordReader(path: archive.path)
        var found: (StoredRecord, RecordEvidence)?
        try reader.forEach(evidence: true) { stored, evidence in
            if stored.recordID == archive.records[0] { found = (stored, evidence) }
        }
        let (stored, evidence) = try #require(found)
        let opened = KeyHolder.Open.openEvidence(
            evidence, of: stored, with: KeyRing(keys: [archive.recipient]), requested: Section.sealed,
            directory: archive.directory
        )
        return (reader, try #require(opened.pending.first))
    }

    /// Extracts record 0's first attachment of `archive` into `FullDisk(path:…)`; the error thrown.
    static func failure(_ archive: EvidenceArchive, into file: FullDisk) throws -> any Error {
        let (reader, item) = try pending(archive)
        do {
            try AttachmentExtractor(reader: reader).extract(item.row, metadata: item.metadata, into: file)
        } catch {
            return error
        }
        Issue.record("the extraction succeeded")
        return CancellationError()
    }

    @Test func aTamperedChunkLateInALongStreamLeavesNoFile() async throws {
        let archive = try await EvidenceArchive()
        let attachment = try archive.attach(EvidenceArchive.bytes(Self.size, seed: 30), to: 0)
        // Late in the stream, with the writer many buffers behind or ahead; and the last chunk itself.
        for index in [40, Self.chunkCount - 1] {
            try EvidenceTests.damage(archive, attachment) { stream in
                var changed = stream
                changed[EvidenceTests.chunk(index, of: stream).lowerBound + 100] ^= 0x10
                return changed
            }
            let detail = try EvidenceTests.openFailure(archive)
            #expect(detail.contains("chunk \(index + 1) of \(Self.chunkCount) does not authenticate"), "\(detail)")
        }
    }

    @Test func aWriteThatFailsStopsTheExtractionAndRemovesTheFile() async throws {
        let archive = try await EvidenceArchive()
        try archive.attach(EvidenceArchive.bytes(Self.size, seed: 31), to: 0)
        // Fails after one buffer, in the middle of the stream, and at its last write.
        for capacity in [ExtractionWriter.bufferBytes, Self.size / 2, Self.size - 1] {
            let path = archive.directory + "/full-\(capacity)"
            let file = try FullDisk(path: path, capacity: capacity)
            let error = try Self.failure(archive, into: file)
            // A write failure, not "tampered": a full disk stops the run.
            #expect((error as? OutputSink.Failure)?.description.contains("No space left on device") == true, "\(error)")
            #expect(file.discarded && !FileManager.default.fileExists(atPath: path))
        }
        let path = archive.directory + "/unsynced"
        let file = try FullDisk(path: path, failsToClose: true)
        let error = try Self.failure(archive, into: file)
        #expect((error as? OutputSink.Failure)?.description == "cannot finish writing output", "\(error)")
        #expect(file.written == Self.size)
        #expect(file.discarded && !FileManager.default.fileExists(atPath: path))
    }

    /// A write fails early and a chunk after it does not authenticate: the write's failure is the one reported.
    @Test func aFailedWriteWinsOverALaterTamperedChunk() async throws {
        let archive = try await EvidenceArchive()
        let attachment = try archive.attach(EvidenceArchive.bytes(Self.size, seed: 32), to: 0)
        try EvidenceTests.damage(archive, attachment) { stream in
            var changed = stream
            changed[EvidenceTests.chunk(40, of: stream).lowerBound + 100] ^= 0x10
            return changed
        }
        let path = archive.directory + "/full"
        let file = try FullDisk(path: path, capacity: ExtractionWriter.bufferBytes)
        let error = try Self.failure(archive, into: file)
        #expect(error is OutputSink.Failure, "\(error)")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// The whole file through the pool of buffers, byte-identical, with the written count its size.
    @Test func aLongStreamComesOutWhole() async throws {
        let archive = try await EvidenceArchive()
        let plaintext = EvidenceArchive.bytes(Self.size, seed: 33)
        try archive.attach(plaintext, to: 0)
        let (reader, item) = try Self.pending(archive)
        let path = archive.directory + "/whole"
        let file = try FullDisk(path: path)
        var progress: UInt64 = 0
        try AttachmentExtractor(reader: reader).extract(item.row, metadata: item.metadata, into: file) { progress = $0 }
        #expect(file.written == Self.size && !file.discarded)
        #expect(progress == item.row.storedSize)
        #expect(EvidenceTests.digest(ofFile: path) == Hex.encode(SHA256.hash(plaintext)))
    }
}
