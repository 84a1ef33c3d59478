import CSodium

/// `crypto_box_seal`: anonymous public-key encryption to an X25519 key.
///
/// Its sizes live here; sealing is in AmanatSealing (amanatd and the key holder), opening in AmanatKeys (the key
/// holder only), so that a binary links only the half it calls.
public enum SealedBox {
    /// Size of a sealed box's overhead: an ephemeral public key and a MAC.
    public static let overhead = Int(crypto_box_sealbytes())
    /// Size of an X25519 public key.
    public static let publicKeyLength = Int(crypto_box_publickeybytes())
    /// Size of an X25519 secret key.
    public static let secretKeyLength = Int(crypto_box_secretkeybytes())
}
