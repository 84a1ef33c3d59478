import AmanatCrypto

extension SLIP39 {
    /// GF(256) with the Rijndael polynomial x⁸ + x⁴ + x³ + x + 1, as SLIP-39 prescribes, and Lagrange
    /// interpolation of byte vectors over it.
    enum GF256 {
        /// `exp[i]` is 3ⁱ, for i in 0..<255: the spec's (and the reference implementation's) exponent table.
        static let exp: [UInt8] = tables.exp
        /// `log[a]` is the i with 3ⁱ = a, for a ≠ 0; `log[0]` is 0 and never used as a logarithm.
        static let log: [Int] = tables.log

        private static let tables: (exp: [UInt8], log: [Int]) = {
            var exp = [UInt8](repeating: 0, count: 255)
            var log = [Int](repeating: 0, count: 256)
            var poly = 1
            for power in 0..<255 {
                exp[power] = UInt8(poly)
                log[poly] = power
                poly = (poly << 1) ^ poly  // multiply by the generator x + 1
                if poly & 0x100 != 0 { poly ^= 0x11B }
            }
            return (exp, log)
        }()

        /// The product of `a` and `b`, in constant time: no table lookup and no branch on either operand, so
        /// that multiplying a share's bytes leaks nothing through the cache or the branch predictor.
        @inline(__always)
        static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
            var product: UInt8 = 0
            var a = a
            var b = b
            for _ in 0..<8 {
                product ^= a & (0 &- (b & 1))
                let carry = a >> 7
                a = (a << 1) ^ (0x1B & (0 &- carry))
                b >>= 1
            }
            return product
        }

        /// The value-vector at `x` of the polynomials through the points `shares`, whose x values must be
        /// distinct and whose values must all have the same length (the spec's Interpolate).
        ///
        /// The Lagrange basis coefficients depend only on the public x values and come from the exp/log tables,
        /// exactly as in the reference implementation; the secret bytes are only multiplied by them, in
        /// constant time.
        static func interpolate(
            _ shares: [(x: Int, value: SecretBytes)], at x: Int
        ) throws(CryptoError) -> SecretBytes {
            precondition(!shares.isEmpty, "interpolation needs at least one point")
            precondition(Set(shares.map(\.x)).count == shares.count, "interpolation points must be distinct")
            let length = shares[0].value.count
            precondition(shares.allSatisfy { $0.value.count == length }, "interpolation values differ in length")
            if let share = shares.first(where: { $0.x == x }) {
                return try share.value.slice(0..<length)
            }
            // log of the product of (x_i - x) over all i; subtraction is xor in GF(256).
            let logProduct = shares.reduce(0) { $0 + log[$1.x ^ x] }
            let result = try SecretBytes(count: length)
            for share in shares {
                var logBasis = logProduct - log[share.x ^ x]
                for other in shares where other.x != share.x {
                    logBasis -= log[share.x ^ other.x]
                }
                let coefficient = exp[((logBasis % 255) + 255) % 255]
                result.withUnsafeMutableBytes { out in
                    share.value.withUnsafeBytes { values in
                        for index in 0..<length {
                            out[index] ^= multiply(values[index], coefficient)
                        }
                    }
                }
            }
            return result
        }
    }
}
