import CSodium

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

    /// The length of a signature.
    public static let signatureLength = 64

    /// Whether `signature` is a valid Ed25519 signature of `message` under this key.
    public func isValidSignature(_ signature: [UInt8], of message: [UInt8]) -> Bool {
        precondition((try? Sodium.initialise()) != nil, "libsodium is not initialised")
        guard signature.count == Self.signatureLength else { return false }
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
