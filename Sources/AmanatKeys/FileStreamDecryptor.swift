public import AmanatCrypto
import AmanatFormat
import CSodium

/// Decrypts an attachment stream (docs/FORMAT.md section 13) chunk by chunk. Only `amanat-keyholder` links it.
///
/// It checks the preamble and each chunk's authentication; the caller, which knows from the sealed metadata how
/// many chunks there are (``FileStreamLayout``), checks that each chunk has the tag its place requires, so that a
/// cut, a reordering or a dropped chunk is caught (`pull` fails on any of the last two: the nonce chain breaks).
public final class FileStreamDecryptor {
    private let state: SecretBytes

    /// Starts reading a stream whose first ``FileStreamLayout/preambleBytes`` bytes are `preamble`, under `key`.
    public init(key: SecretBytes, preamble: [UInt8]) throws(FileStreamError) {
        guard preamble.count == FileStreamLayout.preambleBytes else { throw FileStreamError(.truncated) }
        guard Array(preamble[0..<4]) == FileStreamLayout.magic else { throw FileStreamError(.badMagic) }
        guard preamble[4] == FileStreamLayout.version else { throw FileStreamError(.unsupportedVersion) }
        guard key.count == Int(crypto_secretstream_xchacha20poly1305_keybytes()) else {
            throw FileStreamError(.badKey)
        }
        guard let state = try? SecretBytes(count: crypto_secretstream_xchacha20poly1305_statebytes()) else {
            throw FileStreamError(.outOfMemory)
        }
        let header = Array(preamble[5...])
        let status = state.withUnsafeMutableBytes { stateBytes in
            key.withUnsafeBytes { keyBytes in
                crypto_secretstream_xchacha20poly1305_init_pull(
                    stateBytes.baseAddress!.assumingMemoryBound(to: crypto_secretstream_xchacha20poly1305_state.self),
                    header, keyBytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
                )
            }
        }
        guard status == 0 else { throw FileStreamError(.badHeader) }
        self.state = state
    }

    /// Decrypts one chunk (its plaintext length + ``FileStreamLayout/chunkOverhead`` bytes) into `output`, which
    /// must hold `chunk.count - chunkOverhead` bytes. Returns the plaintext length and whether the chunk carries
    /// the final tag.
    public func pull(
        _ chunk: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws(FileStreamError) -> (count: Int, isFinal: Bool) {
        guard chunk.count >= FileStreamLayout.chunkOverhead else { throw FileStreamError(.truncated) }
        let plainLength = chunk.count - FileStreamLayout.chunkOverhead
        precondition(output.count >= plainLength, "output too small for the chunk")
        var written: UInt64 = 0
        var tag: UInt8 = 0
        let status = state.withUnsafeMutableBytes { stateBytes in
            crypto_secretstream_xchacha20poly1305_pull(
                stateBytes.baseAddress!.assumingMemoryBound(to: crypto_secretstream_xchacha20poly1305_state.self),
                output.baseAddress?.assumingMemoryBound(to: UInt8.self), &written, &tag,
                chunk.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(chunk.count), nil, 0
            )
        }
        guard status == 0, written == UInt64(plainLength) else { throw FileStreamError(.chunkAuthentication) }
        if tag == crypto_secretstream_xchacha20poly1305_tag_final() { return (plainLength, true) }
        guard tag == crypto_secretstream_xchacha20poly1305_tag_message() else { throw FileStreamError(.badTag) }
        return (plainLength, false)
    }
}

/// Why an attachment stream does not open. The kinds stay apart: FORMAT.md section 13 names them.
public struct FileStreamError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The distinct failure kinds.
    public enum Kind: Sendable, Equatable {
        /// The stream is shorter than its metadata says, or a final chunk comes too early or never.
        case truncated
        /// The stream is longer than its metadata says.
        case trailingBytes
        /// The first four bytes are not "AMFS".
        case badMagic
        /// The version byte is not 1.
        case unsupportedVersion
        /// The file key is not 32 bytes.
        case badKey
        /// libsodium refused the secretstream header.
        case badHeader
        /// A chunk does not authenticate: altered, reordered, dropped or under another key.
        case chunkAuthentication
        /// A chunk carries a tag other than MESSAGE or FINAL.
        case badTag
        /// A padding byte after the file's bytes is not zero.
        case badPadding
        /// Protected memory could not be allocated.
        case outOfMemory
    }

    /// What went wrong.
    public let kind: Kind

    /// An error of `kind`.
    public init(_ kind: Kind) {
        self.kind = kind
    }

    public var description: String {
        switch kind {
        case .truncated: "the file's stream is cut short"
        case .trailingBytes: "the file's stream is longer than its sealed size allows"
        case .badMagic: "not an attachment stream (bad magic bytes)"
        case .unsupportedVersion: "unsupported attachment stream version"
        case .badKey: "the sealed file key has the wrong length"
        case .badHeader: "the stream's header is not valid"
        case .chunkAuthentication: "a chunk of the file does not authenticate: altered, reordered or missing"
        case .badTag: "a chunk of the file has an unexpected tag"
        case .badPadding: "the file's padding is not zero"
        case .outOfMemory: "could not allocate protected memory for the file key"
        }
    }
}
