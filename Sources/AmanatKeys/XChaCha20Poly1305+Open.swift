public import AmanatCrypto
import CSodium

extension XChaCha20Poly1305 {
    /// Decrypts and authenticates `ciphertext` (with its tag) into protected memory.
    public static func open(
        _ ciphertext: [UInt8], associatedData: [UInt8], nonce: [UInt8], key: SecretBytes
    ) throws(CryptoError) -> SecretBytes {
        try Sodium.initialise()
        guard key.count == keyLength else { throw CryptoError.invalidLength("data key") }
        guard nonce.count == nonceLength else { throw CryptoError.invalidLength("nonce") }
        guard ciphertext.count >= tagLength else { throw CryptoError.authenticationFailed }
        let plaintext = try SecretBytes(count: ciphertext.count - tagLength)
        var outLength: UInt64 = 0
        let rc = key.withUnsafeBytes { keyPtr in
            plaintext.withUnsafeMutableBytes { outPtr in
                crypto_aead_xchacha20poly1305_ietf_decrypt(
                    outPtr.baseAddress!.assumingMemoryBound(to: UInt8.self), &outLength, nil,
                    ciphertext, UInt64(ciphertext.count),
                    associatedData, UInt64(associatedData.count),
                    nonce, keyPtr.baseAddress!.assumingMemoryBound(to: UInt8.self)
                )
            }
        }
        try CryptoError.check(rc, .authenticationFailed)
        return plaintext
    }
}
