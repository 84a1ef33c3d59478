import CSodium

/// Standard base64 with padding (RFC 4648 §4) through libsodium, accepting only the canonical spelling.
public enum Base64 {
    /// Encodes `bytes`.
    public static func encode(_ bytes: [UInt8]) -> String {
        precondition((try? Sodium.initialise()) != nil, "libsodium is not initialised")
        let variant = Int32(sodium_base64_VARIANT_ORIGINAL)
        let length = sodium_base64_encoded_len(bytes.count, variant)
        var out = [CChar](repeating: 0, count: length)
        _ = bytes.withUnsafeBufferPointer { input in
            sodium_bin2base64(&out, length, input.baseAddress, input.count, variant)
        }
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Decodes canonical standard base64; nil for anything else (stray characters, missing or extra padding).
    public static func decode(_ text: String) -> [UInt8]? {
        precondition((try? Sodium.initialise()) != nil, "libsodium is not initialised")
        let input = Array(text.utf8)
        var out = [UInt8](repeating: 0, count: input.count / 4 * 3 + 3)
        var length = 0
        var end: UnsafePointer<CChar>?
        let rc = input.withUnsafeBufferPointer { source in
            source.withMemoryRebound(to: CChar.self) { chars in
                sodium_base642bin(
                    &out, out.count, chars.baseAddress, chars.count, nil, &length, &end,
                    Int32(sodium_base64_VARIANT_ORIGINAL)
                )
            }
        }
        guard rc == 0 else { return nil }
        let decoded = Array(out[0..<length])
        // Only the canonical spelling: re-encoding must give the input back.
        return encode(decoded) == text ? decoded : nil
    }
}
