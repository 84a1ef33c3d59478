import AmanatCrypto
import CSodium

extension SLIP39 {
    /// Where `split` takes its random bytes from: the identifier, the random shares and the digest's random
    /// part, in the reference implementation's order. Tests substitute a fixed stream to compare outputs.
    typealias RandomSource = (_ count: Int) throws(CryptoError) -> SecretBytes

    /// The index of the share that holds the shared secret.
    static let secretIndex = 255
    /// The index of the share that holds the digest of the shared secret.
    static let digestIndex = 254
    /// The length of the digest at the start of the digest share.
    static let digestLength = 4

    /// The spec's SplitSecret(T, N, S): `count` share values for indices 0..<count, any `threshold` of which
    /// recover `secret`. The caller has checked 1 ≤ threshold ≤ count ≤ 16.
    static func splitSecret(
        threshold: Int, count: Int, secret: SecretBytes, random: RandomSource
    ) throws(CryptoError) -> [SecretBytes] {
        precondition(1 <= threshold && threshold <= count && count <= maximumShareCount, "bad sharing parameters")
        if threshold == 1 {
            // The digest is not used: every share is the secret itself.
            var shares: [SecretBytes] = []
            for _ in 0..<count { shares.append(try secret.slice(0..<secret.count)) }
            return shares
        }
        let length = secret.count
        var base: [(x: Int, value: SecretBytes)] = []
        for x in 0..<(threshold - 2) {
            base.append((x, try random(length)))
        }
        let randomPart = try random(length - digestLength)
        let digestShare = try SecretBytes(count: length)
        let mac = try HMACSHA256.mac(key: randomPart, message: secret)
        digestShare.withUnsafeMutableBytes { out in
            mac.withUnsafeBytes { out.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: digestLength) }
            randomPart.withUnsafeBytes {
                (out.baseAddress! + digestLength).copyMemory(from: $0.baseAddress!, byteCount: $0.count)
            }
        }
        var shares = base.map(\.value)
        base.append((digestIndex, digestShare))
        base.append((secretIndex, secret))
        for x in (threshold - 2)..<count {
            shares.append(try GF256.interpolate(base, at: x))
        }
        return shares
    }

    /// The spec's RecoverSecret(T, shares): the shared secret, checked against its digest when the threshold is
    /// at least 2. The caller has checked that there are exactly `threshold` shares with distinct indices and
    /// values of one length.
    static func recoverSecret(
        threshold: Int, shares: [(x: Int, value: SecretBytes)]
    ) throws(SLIP39Error) -> SecretBytes {
        precondition(shares.count == threshold && threshold >= 1, "recovery needs exactly threshold shares")
        let recovered = try liftingCryptoError { () throws(CryptoError) -> SecretBytes? in
            if threshold == 1 {
                return try shares[0].value.slice(0..<shares[0].value.count)
            }
            let secret = try GF256.interpolate(shares, at: secretIndex)
            let digestShare = try GF256.interpolate(shares, at: digestIndex)
            let randomPart = try digestShare.slice(digestLength..<digestShare.count)
            let mac = try HMACSHA256.mac(key: randomPart, message: secret)
            let matches = mac.withUnsafeBytes { expected in
                digestShare.withUnsafeBytes { stored in
                    sodium_memcmp(expected.baseAddress!, stored.baseAddress!, digestLength) == 0
                }
            }
            return matches ? secret : nil
        }
        guard let recovered else { throw SLIP39Error(.digestMismatch) }
        return recovered
    }
}
