import AmanatKeys
import AmanatSealing
@testable import AmanatCrypto
import Testing

@Suite struct XChaCha20Poly1305Tests {
    private func secret(_ values: [UInt8]) throws -> SecretBytes {
        try values.withUnsafeBytes { try SecretBytes(copying: $0) }
    }

    private func seal(_ plaintext: [UInt8], ad: [UInt8], nonce: [UInt8], key: SecretBytes) throws -> [UInt8] {
        try plaintext.withUnsafeBytes { try XChaCha20Poly1305.seal($0, associatedData: ad, nonce: nonce, key: key) }
    }

    @Test func constants() {
        #expect(XChaCha20Poly1305.keyLength == 32)
        #expect(XChaCha20Poly1305.nonceLength == 24)
        #expect(XChaCha20Poly1305.tagLength == 16)
    }

    /// draft-irtf-cfrg-xchacha-03, appendix A.3.1 (also reproduced with PyNaCl).
    @Test func knownAnswer() throws {
        let plaintext = Array(
            ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
                + "sunscreen would be it.").utf8
        )
        let ad = Hex.decode("50515253c0c1c2c3c4c5c6c7")!
        let key = try secret((0x80...0x9F).map { UInt8($0) })
        let nonce = (0x40...0x57).map { UInt8($0) }
        let expected = Hex.decode(
            "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39"
                + "ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
                + "21f9664c97637da9768812f615c68b13b52e"
                + "c0875924c1c7987947deafd8780acf49"  // the tag
        )!
        #expect(try seal(plaintext, ad: ad, nonce: nonce, key: key) == expected)
        let opened = try XChaCha20Poly1305.open(expected, associatedData: ad, nonce: nonce, key: key)
        #expect(opened.withUnsafeBytes { Array($0) } == plaintext)
    }

    @Test(arguments: [0, 1, 512, 1000])
    func roundTrip(_ length: Int) throws {
        let key = try SecretBytes.random(count: 32)
        let nonce = randomBytes(24)
        let plaintext = (0..<length).map { UInt8(truncatingIfNeeded: $0) }
        let ciphertext = try seal(plaintext, ad: [1, 2, 3], nonce: nonce, key: key)
        #expect(ciphertext.count == length + 16)
        let opened = try XChaCha20Poly1305.open(ciphertext, associatedData: [1, 2, 3], nonce: nonce, key: key)
        #expect(opened.withUnsafeBytes { Array($0) } == plaintext)
    }

    @Test func anyChangeIsAnAuthenticationFailure() throws {
        let key = try SecretBytes.random(count: 32)
        let nonce = randomBytes(24)
        let ad: [UInt8] = Array("header".utf8)
        let ciphertext = try seal(Array("testimony".utf8), ad: ad, nonce: nonce, key: key)

        var otherNonce = nonce
        otherNonce[23] ^= 1
        var flipped = ciphertext
        flipped[0] ^= 1
        var flippedTag = ciphertext
        flippedTag[ciphertext.count - 1] ^= 0x80
        let otherKey = try SecretBytes.random(count: 32)
        let cases: [(String, [UInt8], [UInt8], [UInt8], SecretBytes)] = [
            ("other AD", ciphertext, Array("Header".utf8), nonce, key),
            ("empty AD", ciphertext, [], nonce, key),
            ("other nonce", ciphertext, ad, otherNonce, key),
            ("other key", ciphertext, ad, nonce, otherKey),
            ("flipped ciphertext", flipped, ad, nonce, key),
            ("flipped tag", flippedTag, ad, nonce, key),
            ("truncated", Array(ciphertext.dropLast()), ad, nonce, key),
            ("shorter than a tag", Array(ciphertext.prefix(15)), ad, nonce, key),
            ("empty", [], ad, nonce, key),
        ]
        for (label, ciphertext, ad, nonce, key) in cases {
            do {
                _ = try XChaCha20Poly1305.open(ciphertext, associatedData: ad, nonce: nonce, key: key)
                Issue.record("\(label): opened")
            } catch {
                #expect(error.isAuthenticationFailure, "\(label): \(error)")
            }
        }
        // Control: the unaltered inputs open, so the failures above are caused by the changes.
        #expect(throws: Never.self) {
            _ = try XChaCha20Poly1305.open(ciphertext, associatedData: ad, nonce: nonce, key: key)
        }
    }

    @Test func wrongLengthsAreNotAuthenticationFailures() throws {
        let shortKey = try SecretBytes.random(count: 31)
        let key = try SecretBytes.random(count: 32)
        let cases: [(SecretBytes, [UInt8], CryptoError)] = [
            (shortKey, randomBytes(24), CryptoError.invalidLength("data key")),
            (key, randomBytes(12), CryptoError.invalidLength("nonce")),
        ]
        for (key, nonce, expected) in cases {
            #expect(throws: expected) { _ = try seal([1], ad: [], nonce: nonce, key: key) }
            #expect(throws: expected) {
                let ciphertext = [UInt8](repeating: 0, count: 32)
                _ = try XChaCha20Poly1305.open(ciphertext, associatedData: [], nonce: nonce, key: key)
            }
            #expect(!expected.isAuthenticationFailure)
        }
    }
}
