public import AmanatCrypto
public import AmanatFormat
import CSodium

/// An Ed25519 signing key (`crypto_sign`), held in protected memory. amanatd signs receipts and ledger
/// checkpoints with it; it lets no one read data.
///
/// `@unchecked Sendable`: the secret bytes are written once in `init` and only read afterwards, and libsodium's
/// signing functions do not modify the key.
public final class SigningKey: @unchecked Sendable {
    /// The length of a seed, the form in which the key is stored.
    public static let seedLength = 32
    /// The length of a signature.
    public static let signatureLength = SigningPublicKey.signatureLength

    private let secretKey: SecretBytes
    /// The matching public key.
    public let publicKey: SigningPublicKey

    /// Derives the key pair from a 32-byte seed.
    public init(seed: SecretBytes) throws(CryptoError) {
        guard seed.count == Self.seedLength else { throw .invalidLength("a signing key seed") }
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
        self.secretKey = secretKey
        do {
            self.publicKey = try SigningPublicKey(bytes: publicBytes)
        } catch {
            throw .invalidKey
        }
    }

    /// The detached signature of `message`.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: Self.signatureLength)
        secretKey.withUnsafeBytes { secret in
            // With a valid secret key crypto_sign_detached cannot fail.
            _ = crypto_sign_detached(
                &signature, nil, message, UInt64(message.count), secret.baseAddress!.assumingMemoryBound(to: UInt8.self)
            )
        }
        return signature
    }

    /// A keyed BLAKE2b-256 hash under a key derived from this signing key for `domain`: one stored secret
    /// serves more than one purpose without reusing the key itself.
    public func derivedKeyedHash(domain: String, _ parts: [UInt8]...) throws(CryptoError) -> [UInt8] {
        let derived = try SecretBytes(count: 32)
        secretKey.withUnsafeBytes { secret in
            // The seed is the first 32 bytes of libsodium's Ed25519 secret key.
            derived.withUnsafeMutableBytes { out in
                _ = crypto_generichash(
                    out.baseAddress!.assumingMemoryBound(to: UInt8.self), 32,
                    Array(domain.utf8), UInt64(domain.utf8.count),
                    secret.baseAddress!.assumingMemoryBound(to: UInt8.self), 32
                )
            }
        }
        return BLAKE2b.keyedHash256(key: derived, parts: parts)
    }
}

/// The receipt key in memory (`sodium_malloc`) is the notary of amanatd and of the tests.
extension SigningKey: Notary {}
