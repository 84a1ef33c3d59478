public import AmanatCrypto
import AmanatFormat

/// Reads an attachment stream (docs/FORMAT.md section 13) as its stored bytes arrive, in pieces of any size: cuts
/// them into the preamble and the chunks, decrypts each into protected memory, checks its tag, hands the file's
/// bytes of its plaintext to a writer and hashes them. The framing comes from the sealed size alone: the 29-byte
/// preamble, then *n* chunks of 65536 + 17 bytes, the last one shorter.
///
/// A chunk that does not authenticate (a flipped bit, a chunk reordered or dropped: the secretstream nonce chain
/// breaks), a tag other than MESSAGE before the last chunk or other than FINAL on it, padding that is not zero, more
/// or fewer bytes than the sealed size gives, or file bytes whose SHA-256 is not the sealed one each throw
/// ``FileStreamTampering``. The fuzz target FuzzAttachmentStream runs it. The key holder's extraction does not
/// yet: its two-thread `StreamFramer` (amanat-keyholder, AttachmentExtractor.swift) repeats this framing with the
/// decrypted chunks handed to a writer thread that hashes them; one of the two should go.
public struct FileStreamReader {
    private let key: SecretBytes
    private let size: UInt64
    private let sha256: [UInt8]
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

    /// A reader of the stream of a file of `size` bytes (at most ``FileStreamLayout/maximumPlainSize``) whose
    /// SHA-256 is `sha256`, under `key`: the sealed metadata's values.
    public init(key: SecretBytes, size: UInt64, sha256: [UInt8]) throws(FileStreamTampering) {
        precondition(size <= FileStreamLayout.maximumPlainSize, "file size out of range")
        self.key = key
        self.size = size
        self.sha256 = sha256
        do {
            plaintext = try SecretBytes(count: FileStreamLayout.chunkBytes)
        } catch {
            throw FileStreamTampering("cannot allocate protected memory: \(error)")
        }
        paddedSize = FileStreamLayout.paddedSize(plainSize: size)
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

    /// Takes the next `piece` of the stored bytes; `write` gets the file's bytes as they are decrypted (in protected
    /// memory, valid only during the call). Errors from `write` pass through.
    public mutating func consume(
        _ piece: UnsafeRawBufferPointer, write: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var offset = 0
        while offset < piece.count {
            guard chunk < chunkCount else {
                throw FileStreamTampering("tampered: the stream is longer than its sealed size gives")
            }
            let take = min(wanted, piece.count - offset)
            let part = UnsafeRawBufferPointer(rebasing: piece[offset..<offset + take])
            offset += take
            if pending.isEmpty && take == wanted {
                // A whole part in the piece (the usual case): used where it is, not copied.
                try complete(part, write: write)
            } else {
                pending.append(contentsOf: part)
                if wanted == 0 {
                    try pending.withUnsafeBytes { try complete($0, write: write) }
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
    }

    /// Takes the whole preamble or the whole current chunk, `part`.
    private mutating func complete(_ part: UnsafeRawBufferPointer, write: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let decryptor else {
            do {
                decryptor = try FileStreamDecryptor(key: key, preamble: Array(part))
            } catch {
                throw FileStreamTampering("tampered: the stream's preamble is not AMFS version 1 (\(error))")
            }
            return
        }
        // The reason a chunk fails is not told apart: every failure of pull means the chain broke here.
        var pulled: (count: Int, isFinal: Bool)?
        plaintext.withUnsafeMutableBytes { output in pulled = try? decryptor.pull(part, into: output) }
        guard let (count, isFinal) = pulled else {
            throw FileStreamTampering(
                "tampered: chunk \(chunk + 1) of \(chunkCount) does not authenticate (altered, reordered or dropped)"
            )
        }
        let last = chunk + 1 == chunkCount
        guard isFinal == last else {
            throw FileStreamTampering(
                last ? "tampered: the last chunk is not marked final: the stream was cut"
                    : "tampered: chunk \(chunk + 1) of \(chunkCount) is marked final: the stream was cut"
            )
        }
        try emit(count, write: write)
        chunk += 1
    }

    /// Writes the file's bytes of the first `count` bytes of ``plaintext`` (those before the sealed size) and checks
    /// that the rest is zero.
    private mutating func emit(_ count: Int, write: (UnsafeRawBufferPointer) throws -> Void) throws {
        let fileBytes = Int(min(UInt64(count), size > plainOffset ? size - plainOffset : 0))
        try plaintext.withUnsafeBytes { bytes in
            let file = UnsafeRawBufferPointer(rebasing: bytes[0..<fileBytes])
            hash.update(file)
            try write(file)
            guard bytes[fileBytes..<count].allSatisfy({ $0 == 0 }) else {
                throw FileStreamTampering("tampered: the padding after the file's bytes is not zero")
            }
        }
        plainOffset += UInt64(count)
    }

    /// After the last piece: every chunk arrived, and the bytes written hash to the sealed SHA-256.
    public mutating func finish() throws(FileStreamTampering) {
        guard chunk == chunkCount, plainOffset == paddedSize else {
            throw FileStreamTampering("tampered: the stream ended after \(chunk) of \(chunkCount) chunks: it was cut")
        }
        guard constantTimeEqual(hash.finalize(), sha256) else {
            throw FileStreamTampering("tampered: the file's SHA-256 is not the sealed one")
        }
    }
}

/// Why an attachment's stream is refused: a one-line reason that names no content.
public struct FileStreamTampering: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reason.
    public let description: String

    /// A refusal for `description`.
    public init(_ description: String) {
        self.description = description
    }
}
