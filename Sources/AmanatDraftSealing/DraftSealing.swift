public import AmanatCrypto
import CSodium

/// A draft's bytes on the host (docs/FORMAT.md section 15):
///
/// ```
/// "AMDR" | version 0x01 | nonce (24) | XChaCha20-Poly1305 ciphertext of the padded snapshot, with its tag (16)
/// ```
///
/// under the key derived from the draft code, with the first five bytes and the draft id (32 bytes) as associated
/// data, so that a draft moved to another id or version does not open. The snapshot is padded as a sealed section is
/// (FORMAT.md section 5: ISO/IEC 7816-4 to a bucket), to at least ``minimumPaddedBytes``, so that the stored size,
/// and its growth from save to save, tell nothing of how much was answered in nearly every interview. Every save
/// draws a fresh random nonce: 192 bits, never repeated under one key in practice.
///
/// This is the only decryption `amanat` links (LinkageTests): it opens what it sealed itself, under a key no other
/// party holds. It cannot open a sealed box, a key file or an evidence file.
public enum DraftSealing {
    /// The four bytes that start every draft.
    public static let magic: [UInt8] = Array("AMDR".utf8)
    /// The only version this code reads or writes.
    public static let version: UInt8 = 1
    /// Magic, version and nonce: the bytes before the ciphertext.
    public static let headerBytes = 4 + 1 + 24
    /// `crypto_aead_xchacha20poly1305_ietf_ABYTES`.
    public static let tagBytes = 16
    /// The smallest padded snapshot: the testimony section's default minimum, which holds 99% of realistic accounts.
    public static let minimumPaddedBytes = 32768

    /// Why a draft did not open.
    public enum OpenError: Error, Equatable {
        /// It does not start with the magic and a known version, or is too short to hold a tag.
        case notADraft
        /// It did not authenticate under this code's key: another draft's bytes, or altered ones.
        case authenticationFailed
    }

    /// Seals `snapshot` for the draft of `code`.
    public static func seal(_ snapshot: UnsafeRawBufferPointer, code: DraftCode) throws(CryptoError) -> [UInt8] {
        let key = try code.key()
        let padded = try Padding.pad(snapshot, minimum: minimumPaddedBytes)
        let nonce = randomBytes(24)
        let header = magic + [version]
        let associated = header + code.idBytes
        var out = header + nonce + [UInt8](repeating: 0, count: padded.count + tagBytes)
        var written: UInt64 = 0
        let status = key.withUnsafeBytes { keyBytes in
            padded.withUnsafeBytes { plain in
                out.withUnsafeMutableBufferPointer { output in
                    crypto_aead_xchacha20poly1305_ietf_encrypt(
                        output.baseAddress! + headerBytes, &written,
                        plain.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(plain.count),
                        associated, UInt64(associated.count), nil, nonce,
                        keyBytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
                    )
                }
            }
        }
        try CryptoError.check(status, .encryptionFailed)
        return out
    }

    /// Opens the draft `sealed` of `code`: its snapshot, unpadded, in `sodium_malloc` memory.
    public static func open(_ sealed: [UInt8], code: DraftCode) throws -> SecretBytes {
        guard sealed.count >= headerBytes + tagBytes, Array(sealed[0..<4]) == magic, sealed[4] == version else {
            throw OpenError.notADraft
        }
        let key = try code.key()
        let associated = Array(sealed[0..<5]) + code.idBytes
        let nonce = Array(sealed[5..<headerBytes])
        let padded = try SecretBytes(count: sealed.count - headerBytes - tagBytes)
        var written: UInt64 = 0
        let status = key.withUnsafeBytes { keyBytes in
            padded.withUnsafeMutableBytes { plain in
                sealed.withUnsafeBufferPointer { input in
                    crypto_aead_xchacha20poly1305_ietf_decrypt(
                        plain.baseAddress!.assumingMemoryBound(to: UInt8.self), &written, nil,
                        input.baseAddress! + headerBytes, UInt64(input.count - headerBytes),
                        associated, UInt64(associated.count), nonce,
                        keyBytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
                    )
                }
            }
        }
        guard status == 0 else { throw OpenError.authenticationFailed }
        let length = try Padding.unpaddedLength(padded)
        return try padded.slice(0..<length)
    }
}
