import CSodium

/// `crypto_box_seal`: anonymous public-key encryption to an X25519 key.
///
/// Only the sealing half lives here. Opening is in AmanatKeys, which the daemon never links.
public enum SealedBox {
    /// Size of a sealed box's overhead: an ephemeral public key and a MAC.
    public static let overhead = Int(crypto_box_sealbytes())
    /// Size of an X25519 public key.
    public static let publicKeyLength = Int(crypto_box_publickeybytes())
    /// Size of an X25519 secret key.
    public static let secretKeyLength = Int(crypto_box_secretkeybytes())

    /// Seals `secret` to `publicKey` (32 bytes).
    public static func seal(_ secret: SecretBytes, to publicKey: [UInt8]) throws(CryptoError) -> [UInt8] {
        try Sodium.initialise()
        guard publicKey.count == publicKeyLength else { throw CryptoError.invalidLength("public key") }
        var out = [UInt8](repeating: 0, count: secret.count + overhead)
        let rc = secret.withUnsafeBytes { message in
            out.withUnsafeMutableBufferPointer { outPtr in
                publicKey.withUnsafeBufferPointer { pk in
                    crypto_box_seal(
                        outPtr.baseAddress!, message.baseAddress!.assumingMemoryBound(to: UInt8.self),
                        UInt64(message.count), pk.baseAddress!
                    )
                }
            }
        }
        try CryptoError.check(rc, .sealFailed)
        return out
    }
}
