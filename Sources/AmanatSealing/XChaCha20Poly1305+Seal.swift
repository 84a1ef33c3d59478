public import AmanatCrypto
import CSodium

extension XChaCha20Poly1305 {
    /// Encrypts `plaintext`, authenticating `associatedData` with it. Returns ciphertext followed by the tag.
    public static func seal(
        _ plaintext: UnsafeRawBufferPointer, associatedData: [UInt8], nonce: [UInt8], key: SecretBytes
    ) throws(CryptoError) -> [UInt8] {
        try Sodium.initialise()
        guard key.count == keyLength else { throw CryptoError.invalidLength("data key") }
        guard nonce.count == nonceLength else { throw CryptoError.invalidLength("nonce") }
        var out = [UInt8](repeating: 0, count: plaintext.count + tagLength)
        var outLength: UInt64 = 0
        let rc = key.withUnsafeBytes { keyPtr in
            out.withUnsafeMutableBufferPointer { outPtr in
                crypto_aead_xchacha20poly1305_ietf_encrypt(
                    outPtr.baseAddress!, &outLength,
                    plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
                    associatedData, UInt64(associatedData.count), nil,
                    nonce, keyPtr.baseAddress!.assumingMemoryBound(to: UInt8.self)
                )
            }
        }
        try CryptoError.check(rc, .encryptionFailed)
        precondition(Int(outLength) == out.count)
        return out
    }
}
