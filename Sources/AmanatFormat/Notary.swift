public import AmanatCrypto

/// What holds the site's receipt key and signs with it: receipts, ledger checkpoints, and the keyed hash of
/// withdrawal tokens (FORMAT.md). The archive writer and the intake core get a notary, never the key, so no
/// code outside the notary can read, copy or log the key's bytes.
public protocol Notary: Sendable {
    /// The public half, recorded in the archive as the site key.
    var publicKey: SigningPublicKey { get }
    /// The Ed25519 signature of `message`.
    func sign(_ message: [UInt8]) -> [UInt8]
    /// A keyed BLAKE2b-256 hash under a key derived from the receipt key for `domain`.
    func derivedKeyedHash(domain: String, _ parts: [UInt8]...) throws(CryptoError) -> [UInt8]
}
