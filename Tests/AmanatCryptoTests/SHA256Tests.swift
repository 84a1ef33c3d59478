import AmanatCrypto
import Testing

@Suite struct SHA256Tests {
    /// Known answers from FIPS 180-2 and `sha256sum`.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownAnswers(_ text: String, _ digest: String) {
        #expect(Hex.encode(SHA256.hash(Array(text.utf8))) == digest)
    }

    /// A million "a": the FIPS long message, fed in uneven pieces.
    @Test func millionAsInPieces() {
        var hash = SHA256()
        var fed = 0
        var size = 1
        while fed < 1_000_000 {
            let count = min(size, 1_000_000 - fed)
            hash.update([UInt8](repeating: UInt8(ascii: "a"), count: count))
            fed += count
            size = size * 3 % 7919 + 1
        }
        #expect(Hex.encode(hash.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// A copy is a snapshot: both go on independently, and finalising changes nothing.
    @Test func copiesAreSnapshots() {
        var first = SHA256()
        first.update(Array("ab".utf8))
        var second = first
        _ = first.finalize()
        first.update(Array("c".utf8))
        second.update(Array("x".utf8))
        #expect(first.finalize() == SHA256.hash(Array("abc".utf8)))
        #expect(second.finalize() == SHA256.hash(Array("abx".utf8)))
    }
}
