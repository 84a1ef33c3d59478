import AmanatCrypto
import Testing

/// `Base64.decodeSecret`: a file key's text decoded straight into protected memory, canonical text only.
@Suite struct Base64SecretTests {
    static func decode(_ text: String, count: Int = 32) throws -> [UInt8]? {
        try Array(text.utf8).withUnsafeBytes { try Base64.decodeSecret($0, count: count) }?.withUnsafeBytes { Array($0) }
    }

    @Test("the canonical text of 32 bytes decodes to them, as Base64.decode does")
    func canonical() throws {
        for seed in [0, 1, 7, 255] {
            let key = (0..<32).map { UInt8(truncatingIfNeeded: $0 * 31 + seed) }
            #expect(try Self.decode(Base64.encode(key)) == key)
        }
        #expect(try Self.decode(Base64.encode([1, 2, 3]), count: 3) == [1, 2, 3])
    }

    @Test("any other text is refused", arguments: [
        String(Base64.encode([UInt8](repeating: 1, count: 32)).dropLast()),            // no padding
        Base64.encode([UInt8](repeating: 1, count: 31)),                                 // 31 bytes
        Base64.encode([UInt8](repeating: 1, count: 33)),                                 // 33 bytes
        String(Base64.encode([UInt8](repeating: 0, count: 32)).dropLast(2)) + "B=",      // non-zero trailing bits
        String(repeating: "-", count: 43) + "=",                                         // URL-safe alphabet
        "AAAA AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",                                  // a space
        "\\u0041AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",                                // a JSON escape
        String(repeating: "A", count: 44),                                               // 33 bytes' length, no padding
        String(repeating: "A", count: 42) + "==",                                        // too much padding
        "",
    ])
    func refused(text: String) throws {
        #expect(try Self.decode(text) == nil)
        // The plain decoder agrees, except where the text is of another length but canonical.
        if let plain = Base64.decode(text) { #expect(plain.count != 32) }
    }
}
