public import AmanatCrypto
import CSodium

/// A key holder's Ed25519 key for signing rewrap files (docs/FORMAT.md §9.1), derived from their recipient secret
/// key, so that it needs no file of its own and is as well kept as the key it comes from (the same passphrase), and
/// so that only someone who holds a key that opens the records can sign their rewrapping:
///
/// `seed = BLAKE2b-256-keyed(key = recipient secret key, "amanat-rewrap-signing-key-v1")`, key pair
/// `crypto_sign_seed_keypair(seed)`. amanatd imports only files signed by a key in its `rewrap_signers`.
///
/// Here and not in AmanatSigning (amanatd's receipt key), which the key holder never links.
public final class RewrapSigningKey {
    /// The public half, in the receipt key's text form (`amanat-sig-…`) for `rewrap_signers`.
    public let publicKey: SigningPublicKey
    private let secretKey: SecretBytes

    /// The rewrap-signing key derived from `recipientKey`.
    public init(derivedFrom recipientKey: RecipientSecretKey) throws(CryptoError) {
        let seed = try SecretBytes(count: 32)
        recipientKey.secret.withUnsafeBytes { secret in
            seed.withUnsafeMutableBytes { out in
                let domain = Array("amanat-rewrap-signing-key-v1".utf8)
                _ = crypto_generichash(
                    out.baseAddress!.assumingMemoryBound(to: UInt8.self), 32, domain, UInt64(domain.count),
                    secret.baseAddress!.assumingMemoryBound(to: UInt8.self), secret.count
                )
            }
        }
        let secretKey = try SecretBytes(count: Int(crypto_sign_secretkeybytes()))
        var publicBytes = [UInt8](repeating: 0, count: Int(crypto_sign_publickeybytes()))
        let rc = seed.withUnsafeBytes { seedBytes in
            secretKey.withUnsafeMutableBytes { secretBytes in
                crypto_sign_seed_keypair(
                    &publicBytes, secretBytes.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    seedBytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
                )
            }
        }
        try CryptoError.check(rc, .invalidKey)
        guard let publicKey = try? SigningPublicKey(bytes: publicBytes) else { throw .invalidKey }
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// The detached Ed25519 signature of `message`.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: SigningPublicKey.signatureLength)
        secretKey.withUnsafeBytes { secret in
            // With a valid secret key crypto_sign_detached cannot fail.
            _ = crypto_sign_detached(
                &signature, nil, message, UInt64(message.count), secret.baseAddress!.assumingMemoryBound(to: UInt8.self)
            )
        }
        return signature
    }
}
