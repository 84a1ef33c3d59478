public import AmanatCrypto
import AmanatFormat
import CSodium

/// Encrypts an attachment stream (docs/FORMAT.md section 13) chunk by chunk with
/// `crypto_secretstream_xchacha20poly1305`, under a file key the caller drew. `amanat` runs it as it reads a file,
/// so that no plaintext of a file leaves the volunteer's process.
///
/// The state (which holds the key) lives in `sodium_malloc` memory. Encryption is deterministic from a state, so
/// ``copy()`` taken at the start of an upload segment lets the client produce the very same bytes again when
/// it resumes from inside that segment.
public final class FileStreamEncryptor {
    private let state: SecretBytes
    /// The bytes before the first chunk: magic, version and the secretstream header.
    public let preamble: [UInt8]

    /// Starts a stream under `key` (32 bytes), with a fresh random secretstream header.
    public init(key: SecretBytes) throws(CryptoError) {
        try Sodium.initialise()
        guard key.count == Int(crypto_secretstream_xchacha20poly1305_keybytes()) else {
            throw CryptoError.invalidLength("file key")
        }
        let state = try SecretBytes(count: crypto_secretstream_xchacha20poly1305_statebytes())
        var header = [UInt8](repeating: 0, count: FileStreamLayout.headerBytes)
        let status = state.withUnsafeMutableBytes { stateBytes in
            key.withUnsafeBytes { keyBytes in
                header.withUnsafeMutableBufferPointer { headerBytes in
                    crypto_secretstream_xchacha20poly1305_init_push(
                        stateBytes.baseAddress!.assumingMemoryBound(to: crypto_secretstream_xchacha20poly1305_state.self),
                        headerBytes.baseAddress!, keyBytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
                    )
                }
            }
        }
        try CryptoError.check(status, .encryptionFailed)
        self.state = state
        self.preamble = FileStreamLayout.magic + [FileStreamLayout.version] + header
    }

    private init(state: SecretBytes, preamble: [UInt8]) {
        self.state = state
        self.preamble = preamble
    }

    /// A snapshot: an encryptor that goes on from this point independently of this one.
    public func copy() throws(CryptoError) -> FileStreamEncryptor {
        let copied = try state.withUnsafeBytes { bytes throws(CryptoError) in try SecretBytes(copying: bytes) }
        return FileStreamEncryptor(state: copied, preamble: preamble)
    }

    /// Encrypts one chunk's plaintext (``FileStreamLayout/chunkBytes`` bytes, or fewer for the last one, which
    /// is `final`) into `output`, which must hold `piece.count + FileStreamLayout.chunkOverhead` bytes.
    /// Returns the number of bytes written.
    public func push(
        _ piece: UnsafeRawBufferPointer, final: Bool, into output: UnsafeMutableRawBufferPointer
    ) throws(CryptoError) -> Int {
        precondition(piece.count <= FileStreamLayout.chunkBytes, "a chunk holds at most chunkBytes")
        let needed = piece.count + FileStreamLayout.chunkOverhead
        guard output.count >= needed else { throw CryptoError.invalidLength("chunk output") }
        let tag = final
            ? crypto_secretstream_xchacha20poly1305_tag_final() : crypto_secretstream_xchacha20poly1305_tag_message()
        var written: UInt64 = 0
        let status = state.withUnsafeMutableBytes { stateBytes in
            crypto_secretstream_xchacha20poly1305_push(
                stateBytes.baseAddress!.assumingMemoryBound(to: crypto_secretstream_xchacha20poly1305_state.self),
                output.baseAddress!.assumingMemoryBound(to: UInt8.self), &written,
                piece.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(piece.count), nil, 0, tag
            )
        }
        try CryptoError.check(status, .encryptionFailed)
        guard written == UInt64(needed) else { throw CryptoError(.encryptionFailed) }
        return needed
    }

    /// Encrypts one chunk's plaintext and returns its ciphertext.
    public func push(_ piece: UnsafeRawBufferPointer, final: Bool) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: piece.count + FileStreamLayout.chunkOverhead)
        var result: Result<Int, CryptoError> = .success(0)
        out.withUnsafeMutableBytes { output in
            result = Result { () throws(CryptoError) in try push(piece, final: final, into: output) }
        }
        _ = try result.get()
        return out
    }
}
