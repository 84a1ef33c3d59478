public import AmanatCrypto
import CSodium

extension RecipientSecretKey {
    /// Splits the 32-byte secret key into `shares` SLIP-39 mnemonics, any `threshold` of which recover it. Each
    /// mnemonic is in protected memory, as the UTF-8 of its words separated by single spaces, without a line ending.
    public func splitShares(
        threshold: Int, shares: Int, passphrase: SecretBytes
    ) throws(SLIP39Error) -> [SecretBytes] {
        try SLIP39.splitMnemonics(secret: secret, threshold: threshold, shares: shares, passphrase: passphrase)
    }

    /// Recovers a key from SLIP-39 mnemonics held in protected memory as UTF-8. A wrong SLIP-39 passphrase is not
    /// detectable here: it yields another key, whose public key the caller shows so a person can compare it with
    /// the one they know.
    public static func recover(
        fromShares mnemonics: [SecretBytes], passphrase: SecretBytes
    ) throws -> RecipientSecretKey {
        let secret = try SLIP39.combine(mnemonicBytes: mnemonics, passphrase: passphrase)
        guard secret.count == SealedBox.secretKeyLength else { throw CryptoError.invalidLength("recovered secret") }
        var publicBytes = [UInt8](repeating: 0, count: SealedBox.publicKeyLength)
        let rc = secret.withUnsafeBytes { sk in
            crypto_scalarmult_base(&publicBytes, sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        try CryptoError.check(rc, .invalidKey)
        return try RecipientSecretKey(secret: secret, publicBytes: publicBytes)
    }
}
