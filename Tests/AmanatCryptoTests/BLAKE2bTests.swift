import AmanatCrypto
import Testing

@Suite struct BLAKE2bTests {
    /// Known answers from Python's `hashlib.blake2b(data, digest_size=32)`.
    @Test(arguments: [
        ("", "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"),
        ("abc", "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"),
        ("The quick brown fox jumps over the lazy dog",
         "01718cec35cd3d796dd00020e0bfecb473ad23457d063b75eff29c0ffa2e58a9"),
    ])
    func knownAnswers(_ text: String, _ digest: String) {
        #expect(Hex.encode(BLAKE2b.hash256(Array(text.utf8))) == digest)
    }

    @Test func allByteValues() {
        #expect(Hex.encode(BLAKE2b.hash256((0...255).map { UInt8($0) }))
            == "39a7eb9fedc19aabc83425c6755dd90e6f9d0c804964a1f4aaeea3b9fb599835")
    }

    @Test func partsHashAsTheirConcatenation() {
        let whole = BLAKE2b.hash256(Array("The quick brown fox jumps over the lazy dog".utf8))
        let parts = ["The quick ", "brown fox", "", " jumps over the lazy dog"].map { Array($0.utf8) }
        #expect(BLAKE2b.hash256(parts[0], parts[1], parts[2], parts[3]) == whole)
        #expect(BLAKE2b.hash256(parts: parts) == whole)
        #expect(BLAKE2b.hash256(parts: [Array("abc".utf8)]) == BLAKE2b.hash256(Array("abc".utf8)))
        #expect(BLAKE2b.hash256(parts: []) == BLAKE2b.hash256([]))
    }
}
