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

extension Base64 {
    /// Decodes the canonical base64 text of exactly `count` bytes straight into protected memory: a key arriving
    /// in a request body or a sealed plaintext never becomes a `String` or an array nobody wipes. Nil for any other
    /// text: another length, a stray character or an escape, missing or extra padding, non-zero bits after the
    /// last byte (libsodium refuses those). Throws only when protected memory cannot be had.
    public static func decodeSecret(_ text: UnsafeRawBufferPointer, count: Int) throws(CryptoError) -> SecretBytes? {
        try Sodium.initialise()
        guard count > 0, text.count == encodedLength(of: count) else { return nil }
        let decoded = try SecretBytes(count: count)
        var length = 0
        var end: UnsafePointer<CChar>?
        let status = decoded.withUnsafeMutableBytes { output in
            text.withMemoryRebound(to: CChar.self) { chars in
                sodium_base642bin(
                    output.baseAddress!.assumingMemoryBound(to: UInt8.self), output.count, chars.baseAddress,
                    chars.count, nil, &length, &end, Int32(sodium_base64_VARIANT_ORIGINAL)
                )
            }
        }
        // libsodium stops at the first character that is not base64 and reports where: all of it must be read.
        let readAll = end.map { UnsafeRawPointer($0) == text.baseAddress! + text.count } ?? false
        guard status == 0, readAll, length == count else {
            decoded.wipe()
            return nil
        }
        return decoded
    }
}
