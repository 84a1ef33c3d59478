import CSodium

/// Non-secret random bytes (nonces, record ids) from libsodium's CSPRNG.
public func randomBytes(_ count: Int) -> [UInt8] {
    precondition((try? Sodium.initialise()) != nil, "libsodium is not initialised")
    var bytes = [UInt8](repeating: 0, count: count)
    bytes.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, count) }
    return bytes
}

/// Overwrites `bytes` with zeros in a way the optimiser cannot remove.
public func wipe(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { buffer in
        if let base = buffer.baseAddress { sodium_memzero(base, buffer.count) }
    }
}

/// Whether `a` and `b` are equal, in time that depends only on their length (`sodium_memcmp`).
public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    precondition((try? Sodium.initialise()) != nil, "libsodium is not initialised")
    guard a.count == b.count else { return false }
    return a.isEmpty || sodium_memcmp(a, b, a.count) == 0
}
