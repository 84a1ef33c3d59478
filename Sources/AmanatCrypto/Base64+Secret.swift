import CSodium

extension Base64 {
    /// The length of the base64 text of `count` bytes, padding included.
    public static func encodedLength(of count: Int) -> Int {
        (count + 2) / 3 * 4
    }

    /// Writes the base64 text of `secret` into `output`, which must be exactly ``encodedLength(of:)`` bytes: a key
    /// going into a request body is spelled in protected memory, never in a `String` nobody can wipe.
    public static func encode(_ secret: SecretBytes, into output: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        let variant = Int32(sodium_base64_VARIANT_ORIGINAL)
        // libsodium writes a terminating NUL too: encode into protected scratch space, then copy the text out.
        let scratch = try SecretBytes(count: sodium_base64_encoded_len(secret.count, variant))
        guard output.count == scratch.count - 1 else { throw CryptoError.invalidLength("base64 output") }
        secret.withUnsafeBytes { input in
            scratch.withUnsafeMutableBytes { text in
                _ = sodium_bin2base64(
                    text.baseAddress!.assumingMemoryBound(to: CChar.self), text.count,
                    input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count, variant
                )
                output.copyMemory(from: UnsafeRawBufferPointer(rebasing: text[0..<output.count]))
            }
        }
    }
}
