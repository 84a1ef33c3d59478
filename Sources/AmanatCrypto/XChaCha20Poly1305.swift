import CSodium

/// `crypto_aead_xchacha20poly1305_ietf`: authenticated encryption with associated data.
public enum XChaCha20Poly1305 {
    /// Key length in bytes.
    public static let keyLength = Int(crypto_aead_xchacha20poly1305_ietf_keybytes())
    /// Nonce length in bytes.
    public static let nonceLength = Int(crypto_aead_xchacha20poly1305_ietf_npubbytes())
    /// Authentication tag length in bytes.
    public static let tagLength = Int(crypto_aead_xchacha20poly1305_ietf_abytes())

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
