import CSodium

/// `crypto_aead_xchacha20poly1305_ietf`: authenticated encryption with associated data. Its sizes live here;
/// encryption is in AmanatSealing, decryption in AmanatKeys.
public enum XChaCha20Poly1305 {
    /// Key length in bytes.
    public static let keyLength = Int(crypto_aead_xchacha20poly1305_ietf_keybytes())
    /// Nonce length in bytes.
    public static let nonceLength = Int(crypto_aead_xchacha20poly1305_ietf_npubbytes())
    /// Authentication tag length in bytes.
    public static let tagLength = Int(crypto_aead_xchacha20poly1305_ietf_abytes())
}
