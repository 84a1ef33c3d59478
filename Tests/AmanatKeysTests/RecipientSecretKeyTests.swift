import AmanatSealing
import AmanatCrypto
@testable import AmanatKeys
import Testing

@Suite struct RecipientSecretKeyTests {
    /// A TEST-ONLY key pair, computed with PyNaCl: crypto_scalarmult_base(BLAKE2b-256("sk")).
    static let knownSecret = Hex.decode("c898fd54eddd0bfd6d5eceb4fd679da0f87fc9afbd2c4d5d283376ce9ca17836")!
    static let knownPublic = Hex.decode("5568899a8d39686643e6fcf1af2ed7bed94c83e4c63494726743f50c2dd7cf33")!

    @Test func aKnownSecretKeyGivesItsPublicKey() throws {
        let key = try RecipientSecretKey(secret: try secret(Self.knownSecret), publicBytes: Self.knownPublic)
        #expect(key.publicKey.bytes == Self.knownPublic)
    }

    @Test func aSecretKeyWithTheWrongPublicKeyIsRefused() throws {
        var other = Self.knownPublic
        other[0] ^= 1
        #expect(throws: CryptoError.invalidKey) {
            _ = try RecipientSecretKey(secret: try secret(Self.knownSecret), publicBytes: other)
        }
        #expect(throws: CryptoError.invalidLength("secret key")) {
            let short = try secret(Array(Self.knownSecret.prefix(31)))
            _ = try RecipientSecretKey(secret: short, publicBytes: Self.knownPublic)
        }
    }

    @Test func generatedKeysAreDistinctAndConsistent() throws {
        let first = try RecipientSecretKey.generate()
        let second = try RecipientSecretKey.generate()
        #expect(first.publicKey != second.publicKey)
        #expect(first.secret != second.secret)
        // The generated pair passes the same consistency check a key file's contents must pass.
        let copy = try first.secret.withUnsafeBytes { try SecretBytes(copying: $0) }
        #expect(try RecipientSecretKey(secret: copy, publicBytes: first.publicKey.bytes).publicKey == first.publicKey)
    }

    @Test func aSealedBoxOpensOnlyWithItsKey() throws {
        let key = try RecipientSecretKey.generate()
        let other = try RecipientSecretKey.generate()
        let message = try SecretBytes.random(count: 32)
        let box = try SealedBox.seal(message, to: key.publicKey.bytes)
        #expect(box.count == 32 + SealedBox.overhead)
        #expect(try key.openSealedBox(box) == message)

        #expect(throws: CryptoError.authenticationFailed) { _ = try other.openSealedBox(box) }
        var altered = box
        altered[40] ^= 0x10
        #expect(throws: CryptoError.authenticationFailed) { _ = try key.openSealedBox(altered) }
        #expect(throws: CryptoError.authenticationFailed) { _ = try key.openSealedBox(Array(box.prefix(47))) }
        #expect(throws: CryptoError.authenticationFailed) { _ = try key.openSealedBox([]) }
    }
}
