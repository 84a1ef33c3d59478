/// An X25519 recipient public key and its checksummed text form.
///
/// Text form: `amanat-pk-` followed by lowercase unpadded base32 of the 32 key bytes and a 4-byte
/// checksum, BLAKE2b-256(`"amanat-pk-v1"` ‖ key)[0..<4]. A mistyped or truncated key is refused.
public struct RecipientPublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The text prefix.
    public static let prefix = "amanat-pk-"
    /// Domain separation for the checksum.
    static let checksumDomain = Array("amanat-pk-v1".utf8)
    /// Length of the text form.
    public static let textLength = prefix.utf8.count + 58

    /// The 32 raw key bytes.
    public let bytes: [UInt8]

    /// Wraps 32 raw key bytes.
    public init(bytes: [UInt8]) throws(PublicKeyTextError) {
        self.bytes = try ChecksummedKeyText.checked(bytes)
    }

    /// Parses the text form. Surrounding whitespace is not accepted: callers trim input lines.
    public init(text: some StringProtocol) throws(PublicKeyTextError) {
        let key = try ChecksummedKeyText.decode(text, prefix: Self.prefix, domain: Self.checksumDomain)
        try self.init(bytes: key)
    }

    static func checksum(of key: [UInt8]) -> [UInt8] {
        ChecksummedKeyText.checksum(of: key, domain: checksumDomain)
    }

    /// The text form, `amanat-pk-…`.
    public var text: String {
        ChecksummedKeyText.encode(bytes, prefix: Self.prefix, domain: Self.checksumDomain)
    }

    /// The key id in envelope stanzas: the first 8 bytes of BLAKE2b-256 of the raw key.
    public var keyID: [UInt8] {
        Array(BLAKE2b.hash256(bytes).prefix(8))
    }

    public var description: String { text }
}

/// Why a public key's text was refused. Kinds stay apart so a user learns what to fix.
public struct PublicKeyTextError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The distinct failure kinds.
    public enum Kind: Sendable, Equatable {
        case badPrefix, badLength, badCharacter, badChecksum, weakKey
    }

    /// What went wrong.
    public let kind: Kind

    init(_ kind: Kind) {
        self.kind = kind
    }

    public var description: String {
        switch kind {
        case .badPrefix: "not an amanat public key of this kind: check its prefix (amanat-pk- or amanat-sig-)"
        case .badLength: "public key has the wrong length: it may be truncated"
        case .badCharacter: "public key contains a character that is not allowed"
        case .badChecksum: "public key checksum does not match: it may be mistyped"
        case .weakKey: "public key is the all-zero key"
        }
    }
}
