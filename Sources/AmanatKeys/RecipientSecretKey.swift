public import AmanatCrypto
import CSodium

/// An X25519 key pair whose secret half lives in protected memory.
///
/// This module, and not AmanatCrypto, wraps the libsodium calls that open sealed boxes and derive keys
/// from passphrases, so that amanatd, which never links it, cannot contain them.
public final class RecipientSecretKey {
    /// The public half.
    public let publicKey: RecipientPublicKey
    let secret: SecretBytes

    /// Generates a new key pair.
    public static func generate() throws(CryptoError) -> RecipientSecretKey {
        try Sodium.initialise()
        let secret = try SecretBytes(count: SealedBox.secretKeyLength)
        var publicBytes = [UInt8](repeating: 0, count: SealedBox.publicKeyLength)
        let rc = secret.withUnsafeMutableBytes { sk in
            crypto_box_keypair(&publicBytes, sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        try CryptoError.check(rc, .invalidKey)
        return try RecipientSecretKey(secret: secret, publicBytes: publicBytes)
    }

    /// Wraps a secret key, checking that it belongs to `publicBytes`.
    init(secret: SecretBytes, publicBytes: [UInt8]) throws(CryptoError) {
        guard secret.count == SealedBox.secretKeyLength else { throw CryptoError.invalidLength("secret key") }
        var derived = [UInt8](repeating: 0, count: SealedBox.publicKeyLength)
        let rc = secret.withUnsafeBytes { sk in
            crypto_scalarmult_base(&derived, sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        try CryptoError.check(rc, .invalidKey)
        guard derived == publicBytes, let publicKey = try? RecipientPublicKey(bytes: publicBytes) else {
            throw CryptoError.invalidKey
        }
        self.publicKey = publicKey
        self.secret = secret
    }

    /// Opens a `crypto_box_seal` box addressed to this key.
    public func openSealedBox(_ box: [UInt8]) throws(CryptoError) -> SecretBytes {
        guard box.count >= SealedBox.overhead else { throw CryptoError.authenticationFailed }
        let message = try SecretBytes(count: box.count - SealedBox.overhead)
        let rc = secret.withUnsafeBytes { sk in
            message.withUnsafeMutableBytes { out in
                crypto_box_seal_open(
                    out.baseAddress!.assumingMemoryBound(to: UInt8.self), box, UInt64(box.count),
                    publicKey.bytes, sk.baseAddress!.assumingMemoryBound(to: UInt8.self)
                )
            }
        }
        try CryptoError.check(rc, .authenticationFailed)
        return message
    }
}
