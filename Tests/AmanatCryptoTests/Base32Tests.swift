import AmanatCrypto
import Testing

@Suite struct Base32Tests {
    /// RFC 4648 section 10, lowercased and without padding.
    @Test(arguments: [
        ("", ""), ("f", "my"), ("fo", "mzxq"), ("foo", "mzxw6"), ("foob", "mzxw6yq"), ("fooba", "mzxw6ytb"),
        ("foobar", "mzxw6ytboi"),
    ])
    func rfc4648(_ plain: String, _ encoded: String) {
        #expect(Base32.encode(Array(plain.utf8)) == encoded)
        #expect(Base32.decode(encoded[...]) == Array(plain.utf8))
    }

    @Test func allByteValuesRoundTrip() {
        for length in 0...40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 200) }
            let text = Base32.encode(bytes)
            #expect(text.utf8.count == (length * 8 + 4) / 5)
            #expect(Base32.decode(text[...]) == bytes)
        }
        let every = (0...255).map { UInt8($0) }
        #expect(Base32.decode(Base32.encode(every)[...]) == every)
    }

    @Test(arguments: [
        "MY",          // uppercase
        "mZxq",        // one uppercase letter
        "my======",    // padding
        "mzxw6yq=",
        "m0", "m1", "m8", "m9",  // not in the alphabet
        "m y",         // space
        "my\n",        // newline
        "mé",          // non-ASCII
        "m",           // 5 bits: no whole byte, leftover bits
        "mzx",         // 15 bits: an impossible length
        "mzxw6y",      // 30 bits: an impossible length
        "mz",          // "f" with non-zero trailing bits (mzxq is "fo")
        "mzxr",        // "fo" with a non-zero trailing bit
        "mzxw7",       // "foo" with a non-zero trailing bit
    ])
    func nonCanonicalInputIsRejected(_ text: String) {
        #expect(Base32.decode(text[...]) == nil)
    }
}
