import AmanatCrypto

extension SLIP39 {
    /// The encryption of the master secret: a four-round Feistel network with PBKDF2-HMAC-SHA256 as the round
    /// function (the spec's "Encryption of the master secret").
    enum Cipher {
        static let roundCount = 4
        /// The start of the salt without the extendable flag, before the identifier.
        static let saltLabel: [UInt8] = Array("shamir".utf8)
        /// PBKDF2 iterations for all four rounds at iteration exponent 0.
        static let baseIterationCount = 10_000

        /// EMS = Encrypt(MS, P, e, id, ext).
        static func encrypt(
            _ masterSecret: SecretBytes, passphrase: SecretBytes, iterationExponent: Int, identifier: Int,
            extendable: Bool
        ) throws(CryptoError) -> SecretBytes {
            try run(
                masterSecret, rounds: Array(0..<roundCount), passphrase: passphrase,
                iterationExponent: iterationExponent, identifier: identifier, extendable: extendable
            )
        }

        /// MS = Decrypt(EMS, P, e, id, ext): the same network with the rounds in reverse order.
        static func decrypt(
            _ encryptedSecret: SecretBytes, passphrase: SecretBytes, iterationExponent: Int, identifier: Int,
            extendable: Bool
        ) throws(CryptoError) -> SecretBytes {
            try run(
                encryptedSecret, rounds: Array((0..<roundCount).reversed()), passphrase: passphrase,
                iterationExponent: iterationExponent, identifier: identifier, extendable: extendable
            )
        }

        /// L = first half, R = second half; for each round i, (L, R) = (R, L xor F(i, R)); the result is R || L.
        private static func run(
            _ input: SecretBytes, rounds: [Int], passphrase: SecretBytes, iterationExponent: Int, identifier: Int,
            extendable: Bool
        ) throws(CryptoError) -> SecretBytes {
            precondition(input.count % 2 == 0, "the Feistel network needs an even length")
            let half = input.count / 2
            var left = try input.slice(0..<half)
            var right = try input.slice(half..<input.count)
            // "shamir" || id (two bytes, big-endian) without the extendable flag; nothing with it.
            let saltPrefix: [UInt8] =
                extendable ? [] : saltLabel + [UInt8(identifier >> 8), UInt8(identifier & 0xFF)]
            let iterations = (baseIterationCount << iterationExponent) / roundCount

            // Password = i || passphrase; the first byte changes with the round.
            let password = try SecretBytes(count: 1 + passphrase.count)
            password.withUnsafeMutableBytes { out in
                passphrase.withUnsafeBytes {
                    (out.baseAddress! + 1).copyMemory(from: $0.baseAddress!, byteCount: $0.count)
                }
            }
            // Salt = salt prefix || R.
            let salt = try SecretBytes(count: saltPrefix.count + half)
            salt.withUnsafeMutableBytes { out in
                for (index, byte) in saltPrefix.enumerated() { out[index] = byte }
            }

            for round in rounds {
                password.withUnsafeMutableBytes { $0[0] = UInt8(round) }
                salt.withUnsafeMutableBytes { out in
                    right.withUnsafeBytes {
                        (out.baseAddress! + saltPrefix.count).copyMemory(from: $0.baseAddress!, byteCount: half)
                    }
                }
                let mask = try PBKDF2.sha256(password: password, salt: salt, iterations: iterations, length: half)
                left.withUnsafeMutableBytes { out in
                    mask.withUnsafeBytes { key in
                        for index in 0..<half { out[index] ^= key[index] }
                    }
                }
                swap(&left, &right)
            }

            let output = try SecretBytes(count: input.count)
            output.withUnsafeMutableBytes { out in
                right.withUnsafeBytes { out.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: half) }
                left.withUnsafeBytes { (out.baseAddress! + half).copyMemory(from: $0.baseAddress!, byteCount: half) }
            }
            return output
        }
    }
}
