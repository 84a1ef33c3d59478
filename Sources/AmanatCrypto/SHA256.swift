import Crypto

/// SHA-256, fed piece by piece. Attachments use it: the SHA-256 of a file's original bytes is sealed with it for
/// the chain of custody, and the SHA-256 of its stored stream is in the ledger (docs/FORMAT.md sections 12.4 and
/// 14), because SHA-256 is what courts, forensic tools and `sha256sum` know.
///
/// It runs on swift-crypto (BoringSSL), which uses the CPU's SHA extensions: about 1.7 GB/s here against
/// libsodium's 0.33 GB/s, and files are hashed once on each side of the socket (BENCHMARKS.md).
///
/// It is a value: a copy is a snapshot of the state, from which hashing can go on twice (an upload resumed from
/// the start of a segment hashes that segment again from the snapshot taken at its start).
public struct SHA256: @unchecked Sendable {  // swift-crypto's digest is a copy-on-write value, not marked Sendable
    /// The length of a digest in bytes.
    public static let length = 32

    private var state = Crypto.SHA256()

    /// A hash of nothing yet.
    public init() {}

    /// Adds `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        state.update(bufferPointer: bytes)
    }

    /// Adds `bytes`.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything added so far. The hash itself is unchanged, so more can be added after.
    public func finalize() -> [UInt8] {
        Array(state.finalize())
    }

    /// SHA-256 of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var hash = SHA256()
        hash.update(bytes)
        return hash.finalize()
    }
}
