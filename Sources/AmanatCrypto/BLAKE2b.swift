import CSodium

/// BLAKE2b (`crypto_generichash`) without a key.
public enum BLAKE2b {
    /// BLAKE2b-256 of the concatenation of `parts`.
    public static func hash256(_ parts: [UInt8]...) -> [UInt8] {
        hash256(parts: parts)
    }

    /// BLAKE2b-256 of the concatenation of `parts`.
    public static func hash256(parts: [[UInt8]]) -> [UInt8] {
        precondition((try? Sodium.initialise()) != nil, "libsodium is not initialised")
        // The state struct is declared 64-byte aligned, which Swift does not import: allocate it by size.
        let state = UnsafeMutableRawPointer.allocate(byteCount: crypto_generichash_statebytes(), alignment: 64)
        defer { state.deallocate() }
        let handle = OpaquePointer(state)
        var out = [UInt8](repeating: 0, count: 32)
        // With a nil key and a valid output length these calls cannot fail.
        _ = crypto_generichash_init(handle, nil, 0, 32)
        for part in parts {
            part.withUnsafeBufferPointer { _ = crypto_generichash_update(handle, $0.baseAddress, UInt64($0.count)) }
        }
        out.withUnsafeMutableBufferPointer { _ = crypto_generichash_final(handle, $0.baseAddress!, 32) }
        return out
    }

    /// Keyed BLAKE2b-256 (a MAC) of the concatenation of `parts`, under a 32-byte key.
    public static func keyedHash256(key: SecretBytes, parts: [[UInt8]]) -> [UInt8] {
        precondition(key.count >= 16 && key.count <= 64, "BLAKE2b key length")
        let state = UnsafeMutableRawPointer.allocate(byteCount: crypto_generichash_statebytes(), alignment: 64)
        defer {
            sodium_memzero(state, crypto_generichash_statebytes())
            state.deallocate()
        }
        let handle = OpaquePointer(state)
        var out = [UInt8](repeating: 0, count: 32)
        key.withUnsafeBytes { key in
            _ = crypto_generichash_init(handle, key.baseAddress!.assumingMemoryBound(to: UInt8.self), key.count, 32)
        }
        for part in parts {
            part.withUnsafeBufferPointer { _ = crypto_generichash_update(handle, $0.baseAddress, UInt64($0.count)) }
        }
        out.withUnsafeMutableBufferPointer { _ = crypto_generichash_final(handle, $0.baseAddress!, 32) }
        return out
    }
}
