import AmanatSealing
@testable import AmanatCrypto
import Testing

@Suite struct SealedBoxTests {
    @Test func constants() {
        #expect(SealedBox.overhead == 48)
        #expect(SealedBox.publicKeyLength == 32)
        #expect(SealedBox.secretKeyLength == 32)
    }

    @Test func sealingIsRandomisedAndAddsTheOverhead() throws {
        let recipient = try RecipientPublicKey(bytes: RecipientPublicKeyTests.knownBytes)
        let dataKey = try SecretBytes.random(count: 32)
        let first = try SealedBox.seal(dataKey, to: recipient.bytes)
        let second = try SealedBox.seal(dataKey, to: recipient.bytes)
        #expect(first.count == 80)
        #expect(first != second)
    }

    @Test(arguments: [0, 31, 33])
    func aPublicKeyOfTheWrongLengthIsRefused(_ length: Int) throws {
        let dataKey = try SecretBytes.random(count: 32)
        #expect(throws: CryptoError.invalidLength("public key")) {
            _ = try SealedBox.seal(dataKey, to: [UInt8](repeating: 9, count: length))
        }
    }

    @Test func aLowOrderPublicKeyIsRefused() throws {
        // X25519 with the all-zero point gives the all-zero shared secret, which libsodium refuses.
        let dataKey = try SecretBytes.random(count: 32)
        #expect(throws: CryptoError(.sealFailed)) {
            _ = try SealedBox.seal(dataKey, to: [UInt8](repeating: 0, count: 32))
        }
    }
}
