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
    public static let signatureLength = 64

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

/// An Ed25519 public key and its checksummed text form.
///
/// Text form: `amanat-sig-` followed by lowercase unpadded base32 of the 32 key bytes and a 4-byte checksum,
/// BLAKE2b-256(`"amanat-sig-v1"` ‖ key)[0..<4], like recipient keys (docs/FORMAT.md).
public struct SigningPublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The text prefix.
    public static let prefix = "amanat-sig-"
    static let checksumDomain = Array("amanat-sig-v1".utf8)

    /// The 32 raw key bytes.
    public let bytes: [UInt8]

    /// Wraps 32 raw key bytes.
    public init(bytes: [UInt8]) throws(PublicKeyTextError) {
        self.bytes = try ChecksummedKeyText.checked(bytes)
    }

    /// Parses the text form. Surrounding whitespace is not accepted: callers trim input.
    public init(text: some StringProtocol) throws(PublicKeyTextError) {
        let key = try ChecksummedKeyText.decode(text, prefix: Self.prefix, domain: Self.checksumDomain)
        try self.init(bytes: key)
    }

    /// The text form, `amanat-sig-…`.
    public var text: String { ChecksummedKeyText.encode(bytes, prefix: Self.prefix, domain: Self.checksumDomain) }

    /// The first 8 bytes of BLAKE2b-256 of the raw key, in hex: a short name for messages.
    public var fingerprint: String { Hex.encode(BLAKE2b.hash256(bytes).prefix(8)) }

    /// Whether `signature` is a valid Ed25519 signature of `message` under this key.
    public func isValidSignature(_ signature: [UInt8], of message: [UInt8]) -> Bool {
        precondition((try? Sodium.initialise()) != nil, "libsodium is not initialised")
        guard signature.count == SigningKey.signatureLength else { return false }
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), bytes) == 0
    }

    public var description: String { text }
}

/// The checksummed base32 text shared by recipient and signing public keys.
enum ChecksummedKeyText {
    /// `bytes` if they can be a public key: 32 of them, not all zero.
    static func checked(_ bytes: [UInt8]) throws(PublicKeyTextError) -> [UInt8] {
        guard bytes.count == 32 else { throw PublicKeyTextError(.badLength) }
        guard bytes.contains(where: { $0 != 0 }) else { throw PublicKeyTextError(.weakKey) }
        return bytes
    }

    static func checksum(of key: [UInt8], domain: [UInt8]) -> [UInt8] {
        Array(BLAKE2b.hash256(domain, key).prefix(4))
    }

    static func encode(_ key: [UInt8], prefix: String, domain: [UInt8]) -> String {
        prefix + Base32.encode(key + checksum(of: key, domain: domain))
    }

    static func decode(_ text: some StringProtocol, prefix: String, domain: [UInt8]) throws(PublicKeyTextError) -> [UInt8] {
        guard text.hasPrefix(prefix) else { throw PublicKeyTextError(.badPrefix) }
        let body = Substring(text).dropFirst(prefix.count)
        guard body.utf8.count == 58 else { throw PublicKeyTextError(.badLength) }
        guard let decoded = Base32.decode(body), decoded.count == 36 else {
            throw PublicKeyTextError(.badCharacter)
        }
        let key = Array(decoded[0..<32])
        guard checksum(of: key, domain: domain) == Array(decoded[32..<36]) else {
            throw PublicKeyTextError(.badChecksum)
        }
        return key
    }
}
