import AmanatCrypto
import CSodium

/// Argon2id (`crypto_pwhash`, algorithm ARGON2ID13) parameters for key files.
public struct Argon2idParameters: Sendable, Equatable {
    /// Passes over memory.
    public var opsLimit: UInt32
    /// Memory in bytes.
    public var memLimit: UInt64

    /// libsodium's MODERATE limits: the weakest a key file may use.
    public static let moderate = Argon2idParameters(
        opsLimit: UInt32(crypto_pwhash_argon2id_opslimit_moderate()),
        memLimit: UInt64(crypto_pwhash_argon2id_memlimit_moderate())
    )
    /// The strongest a reader accepts, so that a hostile file cannot demand unbounded work.
    public static let maximum = Argon2idParameters(opsLimit: 32, memLimit: 4 << 30)

    /// Parameters as given.
    public init(opsLimit: UInt32, memLimit: UInt64) {
        self.opsLimit = opsLimit
        self.memLimit = memLimit
    }

    /// True when no weaker than MODERATE and no stronger than ``maximum``.
    public var isAcceptable: Bool {
        (Self.moderate.opsLimit...Self.maximum.opsLimit).contains(opsLimit)
            && (Self.moderate.memLimit...Self.maximum.memLimit).contains(memLimit)
    }

    /// Derives a 32-byte key from `passphrase` and a 16-byte `salt`.
    func deriveKey(passphrase: SecretBytes, salt: [UInt8]) throws(CryptoError) -> SecretBytes {
        try Sodium.initialise()
        guard salt.count == Int(crypto_pwhash_saltbytes()) else { throw CryptoError.invalidLength("salt") }
        let key = try SecretBytes(count: XChaCha20Poly1305.keyLength)
        let rc = passphrase.withUnsafeBytes { pass in
            key.withUnsafeMutableBytes { out in
                crypto_pwhash(
                    out.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(out.count),
                    pass.baseAddress!.assumingMemoryBound(to: CChar.self), UInt64(pass.count),
                    salt, UInt64(opsLimit), Int(memLimit), crypto_pwhash_alg_argon2id13()
                )
            }
        }
        try CryptoError.check(rc, .keyDerivationFailed)
        return key
    }
}
