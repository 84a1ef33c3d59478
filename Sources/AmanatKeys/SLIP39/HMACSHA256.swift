import AmanatCrypto
import CSodium

/// An HMAC-SHA256 computation (`crypto_auth_hmacsha256_init/update/final`) whose state lives in protected memory.
///
/// The state holds the hashed key pads, which are as good as the key, so it is a ``SecretBytes`` too. A keyed
/// state can be copied into another with ``load(from:)``, which PBKDF2 uses to key once and hash many times.
final class HMACSHA256 {
    /// The length of a MAC.
    static let length = 32

    private let state: SecretBytes

    /// A state that must be keyed with ``start(key:)`` or ``load(from:)`` before use.
    init() throws(CryptoError) {
        try Sodium.initialise()
        let size = crypto_auth_hmacsha256_statebytes()
        precondition(size == MemoryLayout<crypto_auth_hmacsha256_state>.size, "unexpected HMAC state size")
        // sodium_malloc places a block just below a guard page, so the block's size decides its alignment.
        let alignment = MemoryLayout<crypto_auth_hmacsha256_state>.alignment
        state = try SecretBytes(count: (size + 15) / 16 * 16)
        state.withUnsafeMutableBytes { raw in
            precondition(Int(bitPattern: raw.baseAddress!) % alignment == 0, "misaligned HMAC state")
            _ = raw.baseAddress!.bindMemory(to: crypto_auth_hmacsha256_state.self, capacity: 1)
        }
    }

    /// A state keyed with `key`.
    convenience init(key: UnsafeRawBufferPointer) throws(CryptoError) {
        try self.init()
        try start(key: key)
    }

    private func withState<R>(
        _ body: (UnsafeMutablePointer<crypto_auth_hmacsha256_state>) -> R
    ) -> R {
        state.withUnsafeMutableBytes { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: crypto_auth_hmacsha256_state.self))
        }
    }

    /// Starts a new MAC under `key`, of any length.
    func start(key: UnsafeRawBufferPointer) throws(CryptoError) {
        var empty: UInt8 = 0  // libsodium wants a pointer even for an empty key
        let rc = withState { statePointer in
            if let base = key.baseAddress {
                crypto_auth_hmacsha256_init(statePointer, base.assumingMemoryBound(to: UInt8.self), key.count)
            } else {
                crypto_auth_hmacsha256_init(statePointer, &empty, 0)
            }
        }
        try CryptoError.check(rc, .keyDerivationFailed)
    }

    /// Copies `other`'s state, key and data so far, into this one.
    func load(from other: HMACSHA256) {
        state.withUnsafeMutableBytes { destination in
            other.state.withUnsafeBytes { source in destination.copyMemory(from: source) }
        }
    }

    /// Adds `bytes` to the message.
    func update(_ bytes: UnsafeRawBufferPointer) throws(CryptoError) {
        guard !bytes.isEmpty else { return }
        let rc = withState { statePointer in
            crypto_auth_hmacsha256_update(
                statePointer, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count)
            )
        }
        try CryptoError.check(rc, .keyDerivationFailed)
    }

    /// Adds the secret `bytes` to the message.
    func update(_ bytes: SecretBytes) throws(CryptoError) {
        try bytes.withUnsafeBytes { (raw) throws(CryptoError) in try update(raw) }
    }

    /// Writes the MAC into `output`, which must hold exactly ``length`` bytes. The state must be started again
    /// before further use.
    func finish(into output: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        precondition(output.count == Self.length, "HMAC-SHA256 output must be 32 bytes")
        let rc = withState { statePointer in
            crypto_auth_hmacsha256_final(statePointer, output.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        try CryptoError.check(rc, .keyDerivationFailed)
    }

    /// Writes the MAC into the secret `output`, which must hold exactly ``length`` bytes.
    func finish(into output: SecretBytes) throws(CryptoError) {
        try output.withUnsafeMutableBytes { (raw) throws(CryptoError) in try finish(into: raw) }
    }

    /// HMAC-SHA256 of `message` under `key`, in protected memory.
    static func mac(key: SecretBytes, message: SecretBytes) throws(CryptoError) -> SecretBytes {
        let hmac = try HMACSHA256()
        try key.withUnsafeBytes { (raw) throws(CryptoError) in try hmac.start(key: raw) }
        try hmac.update(message)
        let output = try SecretBytes(count: length)
        try hmac.finish(into: output)
        return output
    }
}
