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
        var framer = try StreamFramer(metadata: metadata, sink: sink)
        do {
            var read: UInt64 = 0
            try reader.readStream(row) { piece in
                try framer.consume(piece)
                read += UInt64(piece.count)
                progress(read)
            }
            try framer.finish()
            try sink.close()
        } catch {
            sink.discard()
            if let failure = error as? OpenedRecord.Failure { throw failure }
            if let failure = error as? AttachmentStreamError {
                throw OpenedRecord.Failure.tampered("tampered: \(failure.description)")
            }
            throw error
        }
    }
}

/// Cuts the stored bytes, as they arrive in pieces of any size, into the preamble and the chunks, decrypts each,
/// checks its tag and writes the file's bytes of its plaintext, hashing them.
struct StreamFramer {
    private let metadata: AttachmentMetadata
    private let sink: OutputSink
    private let chunkCount: UInt64
    private let paddedSize: UInt64
    private var decryptor: FileStreamDecryptor?
    /// The bytes of the preamble or of the current chunk received so far (ciphertext only).
    private var pending: [UInt8]
    /// The chunk being received, from 0; chunks decrypted so far.
    private var chunk: UInt64 = 0
    /// Plaintext bytes of the stream decrypted so far (file bytes and padding).
    private var plainOffset: UInt64 = 0
    private var hash = SHA256()
    /// One chunk's plaintext, in protected memory, reused for every chunk and wiped when freed.
    private let plaintext: SecretBytes

    init(metadata: AttachmentMetadata, sink: OutputSink) throws(OpenedRecord.Failure) {
        self.metadata = metadata
        self.sink = sink
        do {
            plaintext = try SecretBytes(count: FileStreamLayout.chunkBytes)
        } catch {
            throw .tampered("cannot allocate protected memory: \(error)")
        }
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
        // The reason a chunk fails is not told apart: every failure of pull means the chain broke here.
        var pulled: (count: Int, isFinal: Bool)?
        plaintext.withUnsafeMutableBytes { output in pulled = try? decryptor.pull(part, into: output) }
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
        try write(count)
        chunk += 1
    }

    /// Writes the file's bytes of the first `count` bytes of ``plaintext`` (those before the sealed size) and checks
    /// that the rest is zero.
    private mutating func write(_ count: Int) throws {
        let fileBytes = Int(min(UInt64(count), metadata.size > plainOffset ? metadata.size - plainOffset : 0))
        try plaintext.withUnsafeBytes { bytes in
            let file = UnsafeRawBufferPointer(rebasing: bytes[0..<fileBytes])
            hash.update(file)
            try sink.write(unbuffered: file)
            guard bytes[fileBytes..<count].allSatisfy({ $0 == 0 }) else {
                throw OpenedRecord.Failure.tampered("tampered: the padding after the file's bytes is not zero")
            }
        }
        plainOffset += UInt64(count)
    }

    /// After the last piece: every chunk arrived, and the bytes written hash to the sealed SHA-256.
    mutating func finish() throws {
        guard chunk == chunkCount, plainOffset == paddedSize else {
            throw OpenedRecord.Failure.tampered("tampered: the stream ended after \(chunk) of \(chunkCount) "
                + "chunks: it was cut")
        }
        guard constantTimeEqual(hash.finalize(), metadata.sha256) else {
            throw OpenedRecord.Failure.tampered("tampered: the file's SHA-256 is not the sealed one")
        }
    }
}
