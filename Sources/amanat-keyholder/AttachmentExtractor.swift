import AmanatArchive
import AmanatCrypto
import AmanatFormat
import AmanatKeys
import AmanatReports
import Glibc

/// Decrypts one attachment's stream into a new file, piece by piece: the stream is never held whole, and each
/// chunk's plaintext lives in protected memory until it is written.
///
/// The stream's framing comes from the sealed size alone (docs/FORMAT.md section 13): the 29-byte preamble,
/// then *n* chunks of 65536 + 17 bytes, the last one shorter. A chunk that does not authenticate (a flipped bit, a
/// chunk reordered or dropped: the secretstream nonce chain breaks), a tag other than MESSAGE before the last chunk
/// or other than FINAL on it, padding that is not zero, or written bytes whose SHA-256 is not the sealed one, each
/// stop the extraction: the file is removed and the attachment reported as tampered.
struct AttachmentExtractor {
    /// Where the stream is read from.
    var reader: RecordReader

    /// Writes the plaintext of `row`'s stream, opened with `metadata`, to the new file `path` (0600, `O_EXCL`,
    /// `O_NOFOLLOW`, fsynced). `progress` is called with the number of stored bytes read so far. A tampered stream
    /// throws ``OpenedRecord.Failure/tampered(_:)`` after removing the file; a failure to write throws
    /// ``OutputSink/Failure`` (the run stops).
    func extract(
        _ row: AttachmentRow, metadata: AttachmentMetadata, to path: String, progress: (UInt64) -> Void = { _ in }
    ) throws -> Void {
        let sink: OutputSink
        do {
            sink = try OutputSink(creating: path)
        } catch {
            // Only a hostile file has two attachments of one record at one position; nothing is overwritten.
            throw OpenedRecord.Failure.tampered("not written: \(error.description)")
        }
        try extract(row, metadata: metadata, into: sink, progress: progress)
    }

    /// Writes the plaintext of `row`'s stream to `file`, as ``extract(_:metadata:to:progress:)`` does: this thread
    /// reads and decrypts while an ``ExtractionWriter`` hashes and writes, on two cores. Whatever fails, on either
    /// thread, the writer has ended before `file` is discarded; a failed write wins over a tampered chunk found
    /// after it, since a full disk must stop the run.
    func extract(
        _ row: AttachmentRow, metadata: AttachmentMetadata, into file: any ExtractedFile,
        progress: (UInt64) -> Void = { _ in }
    ) throws -> Void {
        let writer: ExtractionWriter
        do {
            let paddedSize = FileStreamLayout.paddedSize(plainSize: metadata.size)
            writer = try ExtractionWriter(
                file: file, chunkCount: FileStreamLayout.chunkCount(paddedSize: paddedSize), paddedSize: paddedSize
            )
        } catch {
            file.discard()
            throw OpenedRecord.Failure.tampered("cannot allocate protected memory: \(error)")
        }
        // Ended on every path: finish() does on success, the catch below before discarding; this is the backstop.
        defer { writer.stop() }
        do {
            var framer = StreamFramer(metadata: metadata, writer: writer)
            var read: UInt64 = 0
            try reader.readStream(row) { piece in
                try framer.consume(piece)
                read += UInt64(piece.count)
                progress(read)
            }
            try framer.finish()
            try file.close()
        } catch {
            let writeFailure = writer.stop()
            file.discard()
            if let writeFailure { throw writeFailure }
            if let failure = error as? OpenedRecord.Failure { throw failure }
            if let failure = error as? AttachmentStreamError {
                throw OpenedRecord.Failure.tampered("tampered: \(failure.description)")
            }
            throw error
        }
    }
}

/// Cuts the stored bytes, as they arrive in pieces of any size, into the preamble and the chunks, decrypts each,
/// checks its tag and the padding, and hands the file's bytes of its plaintext to the writer, which hashes and
/// writes them.
struct StreamFramer {
    private let metadata: AttachmentMetadata
    private let writer: ExtractionWriter
    private let chunkCount: UInt64
    private let paddedSize: UInt64
    private var decryptor: FileStreamDecryptor?
    /// The bytes of the preamble or of the current chunk received so far (ciphertext only).
    private var pending: [UInt8]
    /// The chunk being received, from 0; chunks decrypted so far.
    private var chunk: UInt64 = 0
    /// Plaintext bytes of the stream decrypted so far (file bytes and padding).
    private var plainOffset: UInt64 = 0
    /// The writer's buffer being filled with plaintext, and how many file bytes it holds so far.
    private var filling: (index: Int, count: Int)?

    init(metadata: AttachmentMetadata, writer: ExtractionWriter) {
        self.metadata = metadata
        self.writer = writer
        paddedSize = FileStreamLayout.paddedSize(plainSize: metadata.size)
        chunkCount = FileStreamLayout.chunkCount(paddedSize: paddedSize)
        pending = []
        pending.reserveCapacity(FileStreamLayout.chunkBytes + FileStreamLayout.chunkOverhead)
    }

    /// The ciphertext length of chunk `index`.
    private func chunkLength(_ index: UInt64) -> Int {
        FileStreamLayout.plainChunkLength(index: index, paddedSize: paddedSize) + FileStreamLayout.chunkOverhead
    }

    /// How many more bytes the part being received (preamble or chunk) needs.
    private var wanted: Int {
        decryptor == nil ? FileStreamLayout.preambleBytes - pending.count : chunkLength(chunk) - pending.count
    }

    mutating func consume(_ piece: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < piece.count {
            guard chunk < chunkCount else {
                // The reader checked the stored size, which the sealed size fixes: more bytes cannot arrive.
                throw OpenedRecord.Failure.tampered("tampered: the stream is longer than its sealed size gives")
            }
            let take = min(wanted, piece.count - offset)
            let part = UnsafeRawBufferPointer(rebasing: piece[offset..<offset + take])
            offset += take
            if pending.isEmpty && take == wanted {
                // A whole part in the piece (the usual case): used where it is, not copied.
                try complete(part)
            } else {
                pending.append(contentsOf: part)
                if wanted == 0 {
                    try pending.withUnsafeBytes { try complete($0) }
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
    }

    /// Takes the whole preamble or the whole current chunk, `part`.
    private mutating func complete(_ part: UnsafeRawBufferPointer) throws {
        guard let decryptor else {
            do {
                decryptor = try FileStreamDecryptor(key: metadata.key, preamble: Array(part))
            } catch {
                throw OpenedRecord.Failure.tampered("tampered: the stream's preamble is not AMFS version 1 (\(error))")
            }
            return
        }
        if filling == nil { filling = (try writer.take(), 0) }
        guard let (buffer, filled) = filling else { return }
        // The reason a chunk fails is not told apart: every failure of pull means the chain broke here.
        var pulled: (count: Int, isFinal: Bool)?
        writer.buffers[buffer].withUnsafeMutableBytes { bytes in
            pulled = try? decryptor.pull(part, into: UnsafeMutableRawBufferPointer(rebasing: bytes[filled...]))
        }
        guard let (count, isFinal) = pulled else {
            throw OpenedRecord.Failure.tampered(
                "tampered: chunk \(chunk + 1) of \(chunkCount) does not authenticate (altered, reordered or dropped)"
            )
        }
        let last = chunk + 1 == chunkCount
        guard isFinal == last else {
            throw OpenedRecord.Failure.tampered(
                last ? "tampered: the last chunk is not marked final: the stream was cut"
                    : "tampered: chunk \(chunk + 1) of \(chunkCount) is marked final: the stream was cut"
            )
        }
        // The file's bytes are those before the sealed size; the rest of the chunk is padding, which must be zero.
        let fileBytes = Int(min(UInt64(count), metadata.size > plainOffset ? metadata.size - plainOffset : 0))
        let paddingIsZero = writer.buffers[buffer].withUnsafeBytes { bytes in
            bytes[filled + fileBytes..<filled + count].allSatisfy { $0 == 0 }
        }
        guard paddingIsZero else {
            throw OpenedRecord.Failure.tampered("tampered: the padding after the file's bytes is not zero")
        }
        plainOffset += UInt64(count)
        chunk += 1
        // The next chunk decrypts right after these file bytes (over this one's padding) while a whole chunk fits.
        let now = filled + fileBytes
        if last || writer.capacity - now < FileStreamLayout.chunkBytes {
            writer.submit(.init(index: buffer, count: now))
            filling = nil
        } else {
            filling = (buffer, now)
        }
    }

    /// After the last piece: every chunk arrived, and the bytes written hash to the sealed SHA-256.
    mutating func finish() throws {
        guard chunk == chunkCount, plainOffset == paddedSize else {
            throw OpenedRecord.Failure.tampered("tampered: the stream ended after \(chunk) of \(chunkCount) "
                + "chunks: it was cut")
        }
        guard constantTimeEqual(try writer.finish(), metadata.sha256) else {
            throw OpenedRecord.Failure.tampered("tampered: the file's SHA-256 is not the sealed one")
        }
    }
}
