import CSodium

/// Secret bytes in memory from `sodium_malloc`: guard pages around it, locked against swapping where
/// the system allows, zeroed and released with `sodium_free` when the last reference goes.
///
/// The bytes are reachable only inside ``withUnsafeBytes(_:)``. There is no `Collection`, `Codable`
/// or `Data` conversion, so that they are not copied into memory that nobody wipes. It is a class so
/// that passing it around never copies the bytes; it is not `Sendable`.
public final class SecretBytes: CustomStringConvertible, CustomDebugStringConvertible {
    private let base: UnsafeMutableRawPointer
    /// The number of secret bytes.
    public let count: Int

    /// Allocates `count` zeroed bytes of protected memory.
    public init(count: Int) throws(CryptoError) {
        try Sodium.initialise()
        precondition(count >= 0, "negative SecretBytes count")
        // sodium_malloc(0) is legal, but keep a real page behind every instance for uniformity.
        guard let pointer = sodium_malloc(Swift.max(count, 1)) else { throw CryptoError(.allocationFailed) }
        sodium_memzero(pointer, Swift.max(count, 1))
        self.base = pointer
        self.count = count
    }

    /// Copies `bytes` into protected memory. The caller remains responsible for wiping the source.
    public convenience init(copying bytes: UnsafeRawBufferPointer) throws(CryptoError) {
        try self.init(count: bytes.count)
        if let source = bytes.baseAddress, bytes.count > 0 {
            base.copyMemory(from: source, byteCount: bytes.count)
        }
    }

    /// `count` bytes from libsodium's CSPRNG.
    public static func random(count: Int) throws(CryptoError) -> SecretBytes {
        let secret = try SecretBytes(count: count)
        randombytes_buf(secret.base, count)
        return secret
    }

    deinit {
        sodium_free(base)  // sodium_free zeroes before unmapping
    }

    /// Calls `body` with a view of the secret bytes. Do not let the pointer escape.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Calls `body` with a mutable view of the secret bytes. Do not let the pointer escape.
    public func withUnsafeMutableBytes<R, E: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        try body(UnsafeMutableRawBufferPointer(start: base, count: count))
    }

    /// Sets every byte to zero.
    public func wipe() {
        sodium_memzero(base, count)
    }

    /// A new SecretBytes holding `range` of these bytes.
    public func slice(_ range: Range<Int>) throws(CryptoError) -> SecretBytes {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "slice out of bounds")
        let copy = try SecretBytes(count: range.count)
        if range.count > 0 {
            copy.base.copyMemory(from: base + range.lowerBound, byteCount: range.count)
        }
        return copy
    }

    public var description: String { "<redacted \(count) bytes>" }
    public var debugDescription: String { description }
}

extension SecretBytes: Equatable {
    /// Constant-time comparison through `sodium_memcmp`.
    public static func == (lhs: SecretBytes, rhs: SecretBytes) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return sodium_memcmp(lhs.base, rhs.base, lhs.count) == 0
    }
}
