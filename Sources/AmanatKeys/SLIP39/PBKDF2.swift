import AmanatCrypto

/// PBKDF2 with HMAC-SHA256 as the PRF (RFC 8018, section 5.2), built on libsodium's HMAC-SHA256 because
/// libsodium has no PBKDF2 of its own. Every intermediate value lives in protected memory.
enum PBKDF2 {
    /// Derives `length` bytes from `password` and `salt` with `iterations` rounds.
    static func sha256(
        password: SecretBytes, salt: SecretBytes, iterations: Int, length: Int
    ) throws(CryptoError) -> SecretBytes {
        precondition(iterations >= 1 && length >= 1, "PBKDF2 needs at least one iteration and one byte")
        let blockCount = (length + HMACSHA256.length - 1) / HMACSHA256.length
        precondition(blockCount <= Int(UInt32.max), "PBKDF2 output too long")

        // Key once, then copy the keyed state for every MAC, as libsodium's own scrypt PBKDF2 does.
        let keyed = try HMACSHA256()
        try password.withUnsafeBytes { (raw) throws(CryptoError) in try keyed.start(key: raw) }
        let salted = try HMACSHA256()
        salted.load(from: keyed)
        try salted.update(salt)

        let working = try HMACSHA256()
        let block = try SecretBytes(count: HMACSHA256.length)  // U_j
        let sum = try SecretBytes(count: HMACSHA256.length)  // T_i = U_1 xor ... xor U_c
        let output = try SecretBytes(count: length)

        for blockIndex in 1...blockCount {
            working.load(from: salted)
            let counter = UInt32(blockIndex).bigEndian
            try withUnsafeBytes(of: counter) { (raw) throws(CryptoError) in try working.update(raw) }
            try working.finish(into: block)
            copy(block, into: sum)
            for _ in 1..<iterations {
                working.load(from: keyed)
                try working.update(block)
                try working.finish(into: block)
                xor(block, into: sum)
            }
            let start = (blockIndex - 1) * HMACSHA256.length
            let count = min(HMACSHA256.length, length - start)
            output.withUnsafeMutableBytes { out in
                sum.withUnsafeBytes { source in
                    (out.baseAddress! + start).copyMemory(from: source.baseAddress!, byteCount: count)
                }
            }
        }
        return output
    }

    private static func copy(_ source: SecretBytes, into destination: SecretBytes) {
        destination.withUnsafeMutableBytes { out in
            source.withUnsafeBytes { input in out.copyMemory(from: input) }
        }
    }

    private static func xor(_ source: SecretBytes, into destination: SecretBytes) {
        destination.withUnsafeMutableBytes { out in
            source.withUnsafeBytes { input in
                for index in 0..<out.count { out[index] ^= input[index] }
            }
        }
    }
}
