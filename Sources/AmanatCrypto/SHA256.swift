import CSodium

/// SHA-256, fed piece by piece (`crypto_hash_sha256`). Attachments use it: the SHA-256 of a file's original bytes
/// is sealed with it for the chain of custody, and the SHA-256 of its stored stream is in the ledger
/// (docs/FORMAT.md sections 12.4 and 14), because SHA-256 is what courts, forensic tools and `sha256sum` know.
///
/// It is a value: a copy is a snapshot of the state, from which hashing can go on twice (an upload resumed from
/// the start of a segment hashes that segment again from the snapshot taken at its start).
public struct SHA256: Sendable {
    /// The length of a digest in bytes.
    public static let length = 32

    private var state = crypto_hash_sha256_state()

    /// A hash of nothing yet.
    public init() {
        precondition((try? Sodium.initialise()) != nil, "libsodium is not initialised")
        // Cannot fail: it only sets constants.
        _ = crypto_hash_sha256_init(&state)
    }

    /// Adds `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        _ = crypto_hash_sha256_update(&state, base.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count))
    }

    /// Adds `bytes`.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything added so far. The hash itself is unchanged, so more can be added after.
    public func finalize() -> [UInt8] {
        var copy = state
        var out = [UInt8](repeating: 0, count: Self.length)
        out.withUnsafeMutableBufferPointer { _ = crypto_hash_sha256_final(&copy, $0.baseAddress!) }
        return out
    }

    /// SHA-256 of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var hash = SHA256()
        hash.update(bytes)
        return hash.finalize()
    }
}
