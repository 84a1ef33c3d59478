public import AmanatCrypto
import CSodium

extension SealedBox {
    /// Seals `secret` to `publicKey` (32 bytes).
    public static func seal(_ secret: SecretBytes, to publicKey: [UInt8]) throws(CryptoError) -> [UInt8] {
        try Sodium.initialise()
        guard publicKey.count == publicKeyLength else { throw CryptoError.invalidLength("public key") }
        var out = [UInt8](repeating: 0, count: secret.count + overhead)
        let rc = secret.withUnsafeBytes { message in
            out.withUnsafeMutableBufferPointer { outPtr in
                publicKey.withUnsafeBufferPointer { pk in
                    crypto_box_seal(
                        outPtr.baseAddress!, message.baseAddress!.assumingMemoryBound(to: UInt8.self),
                        UInt64(message.count), pk.baseAddress!
                    )
                }
            }
        }
        try CryptoError.check(rc, .sealFailed)
        return out
    }
}
