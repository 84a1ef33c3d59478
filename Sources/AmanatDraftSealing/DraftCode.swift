public import AmanatCrypto
import CSodium

/// The code of a guided intake's draft (docs/FORMAT.md section 15): 120 random bits that only the volunteer holds,
/// on paper. The draft's id and its key are both derived from it, by different BLAKE2b hashes, so the host that
/// keeps the draft under its id learns nothing that opens it.
///
/// 120 bits and not a passphrase stretched by Argon2id: `amanat` links no key-derivation code (SECURITY.md), and a
/// random code needs none. Whoever holds the host's drafts and tries codes against their ids must try 2^119 on
/// average, some 10^17 GPU-years at 10^10 BLAKE2b hashes a second.
public struct DraftCode {
    /// Bytes of randomness.
    public static let byteCount = 15
    /// Letters of its base32 text (120 bits, five to a letter, none left over).
    public static let textLength = 24

    /// The random bytes, in `sodium_malloc` memory.
    public let bytes: SecretBytes

    /// A fresh code from libsodium's CSPRNG.
    public static func random() throws(CryptoError) -> DraftCode {
        DraftCode(bytes: try SecretBytes.random(count: byteCount))
    }

    /// The code of these bytes (``byteCount`` of them).
    public init(bytes: SecretBytes) {
        precondition(bytes.count == Self.byteCount, "a draft code has \(Self.byteCount) bytes")
        self.bytes = bytes
    }

    /// The code written as ``textLength`` lowercase base32 letters (RFC 4648, no padding); nil for any other text.
    public init?(text: String) {
        guard text.utf8.count == Self.textLength, var decoded = Base32.decode(Substring(text)) else { return nil }
        defer { wipe(&decoded) }
        guard decoded.count == Self.byteCount,
            let secret = try? decoded.withUnsafeBytes({ raw throws(CryptoError) in try SecretBytes(copying: raw) })
        else { return nil }
        self.bytes = secret
    }

    /// The ``textLength`` lowercase base32 letters: what the volunteer writes down (in groups, with a check letter).
    public var text: String {
        bytes.withUnsafeBytes { Base32.encode(Array($0)) }
    }

    /// What the id hash starts with.
    public static let idLabel = Array("amanat draft id v1".utf8)
    /// What the key hash starts with.
    public static let keyLabel = Array("amanat draft key v1".utf8)

    /// The draft's id on the host: BLAKE2b-256(``idLabel`` ‖ code), 32 bytes.
    public var idBytes: [UInt8] {
        bytes.withUnsafeBytes { BLAKE2b.hash256(Self.idLabel, Array($0)) }
    }

    /// The id as the protocol writes it: 64 lowercase hex digits.
    public var id: String { Hex.encode(idBytes) }

    /// The draft's key: BLAKE2b-256(``keyLabel`` ‖ code), computed and kept in `sodium_malloc` memory.
    public func key() throws(CryptoError) -> SecretBytes {
        try Sodium.initialise()
        let key = try SecretBytes(count: 32)
        let state = UnsafeMutableRawPointer.allocate(byteCount: crypto_generichash_statebytes(), alignment: 64)
        defer {
            sodium_memzero(state, crypto_generichash_statebytes())
            state.deallocate()
        }
        let handle = OpaquePointer(state)
        _ = crypto_generichash_init(handle, nil, 0, 32)
        _ = crypto_generichash_update(handle, Self.keyLabel, UInt64(Self.keyLabel.count))
        bytes.withUnsafeBytes { code in
            _ = crypto_generichash_update(
                handle, code.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(code.count)
            )
        }
        key.withUnsafeMutableBytes { out in
            _ = crypto_generichash_final(handle, out.baseAddress!.assumingMemoryBound(to: UInt8.self), 32)
        }
        return key
    }
}
