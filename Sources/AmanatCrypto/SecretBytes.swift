import CSodium
import Synchronization

/// Secret bytes in memory from `sodium_malloc`: guard pages around it, locked against swapping where
/// the system allows, zeroed when the last reference goes, then released with `sodium_free` or kept (zeroed,
/// still guarded and locked) for the next instance of the same size (see `ProtectedRegionCache`).
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
        let size = Swift.max(count, 1)
        guard let pointer = ProtectedRegionCache.take(size: size) ?? sodium_malloc(size) else {
            throw CryptoError(.allocationFailed)
        }
        sodium_memzero(pointer, size)
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
        let size = Swift.max(count, 1)
        sodium_memzero(base, size)
        if !ProtectedRegionCache.keep(base, size: size) {
            sodium_free(base)  // sodium_free zeroes again before unmapping
        }
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

/// Zeroed `sodium_malloc` regions kept for the next ``SecretBytes`` of the same size.
///
/// Every sodium_malloc maps pages, guards and locks them (mmap, mprotect, mlock), and every sodium_free undoes
/// that; the changes to the address space serialise threads and interrupt the other cores to flush their TLBs.
/// Sealing or opening a section needs several short-lived secret buffers, so this took about a third of the
/// key holder's CPU time and a seventh of amanatd's (see BENCHMARKS.md). A kept region is zeroed first, keeps
/// its guard pages and stays locked: reuse hands out nothing of a previous owner and weakens no protection.
/// The cache is small and bounded; anything beyond it is freed as before.
enum ProtectedRegionCache {
    /// Regions kept per size.
    static let perSize = 16
    /// Distinct sizes kept: the 32-byte keys and the eight padding buckets up to 64 KiB, with room to spare.
    static let sizes = 12
    /// The largest region kept, in bytes: the padding buckets up to 64 KiB.
    static let largest = 65_536

    /// The most bytes kept in all: kept regions stay locked, and locked memory counts against RLIMIT_MEMLOCK,
    /// past which sodium_malloc would hand out memory that may be swapped.
    static let budget = 1 << 20

    /// Addresses by size, as integers (raw pointers are not Sendable, and only this type turns them back), and
    /// the bytes kept.
    private static let regions = Mutex<(bySize: [Int: [UInt]], bytes: Int)>(([:], 0))

    /// What a region of `size` bytes locks: whole pages (the guard pages are not locked).
    static func charge(_ size: Int) -> Int { (size + 4095) / 4096 * 4096 }

    /// A kept region of exactly `size` bytes (zeroed), or nil.
    static func take(size: Int) -> UnsafeMutableRawPointer? {
        guard size <= largest else { return nil }
        let address: UInt? = regions.withLock { state in
            guard let address = state.bySize[size]?.popLast() else { return nil }
            state.bytes -= charge(size)
            return address
        }
        return address.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
    }

    /// Keeps `region` (already zeroed) of `size` bytes for reuse; false when the cache is full for it.
    static func keep(_ region: UnsafeMutableRawPointer, size: Int) -> Bool {
        guard size <= largest else { return false }
        let address = UInt(bitPattern: region)
        return regions.withLock { state in
            guard state.bytes + charge(size) <= budget else { return false }
            if state.bySize[size] == nil {
                guard state.bySize.count < sizes else { return false }
                state.bySize[size] = []
            }
            guard state.bySize[size]!.count < perSize else { return false }
            state.bySize[size]!.append(address)
            state.bytes += charge(size)
            return true
        }
    }
}
