import AmanatCrypto
import Testing

@Suite struct RecipientPublicKeyTests {
    /// Computed with Python (hashlib, base64) for the key bytes 01 02 … 20.
    static let knownBytes = (1...32).map { UInt8($0) }
    static let knownText = "amanat-pk-aebagbafaydqqcikbmga2dqpcaireeyuculbogazdinryhi6d4qan2kogq"
    static let knownKeyID = "441edc56cebc8e28"

    @Test func knownAnswer() throws {
        let key = try RecipientPublicKey(bytes: Self.knownBytes)
        #expect(key.text == Self.knownText)
        #expect(key.description == Self.knownText)
        #expect(Hex.encode(key.keyID) == Self.knownKeyID)
        #expect(try RecipientPublicKey(text: Self.knownText) == key)
    }

    @Test func keyIDIsTheFirstEightBytesOfBLAKE2bOfTheKey() throws {
        for _ in 0..<20 {
            let key = try RecipientPublicKey(bytes: randomBytes(32))
            #expect(key.keyID == Array(BLAKE2b.hash256(key.bytes).prefix(8)))
            #expect(key.keyID.count == 8)
        }
    }

    @Test func textRoundTrip() throws {
        for _ in 0..<50 {
            let bytes = randomBytes(32)
            let key = try RecipientPublicKey(bytes: bytes)
            #expect(key.text.hasPrefix("amanat-pk-"))
            #expect(key.text.utf8.count == RecipientPublicKey.textLength)
            #expect(RecipientPublicKey.textLength == 68)
            let parsed = try RecipientPublicKey(text: key.text)
            #expect(parsed.bytes == bytes)
            #expect(parsed == key)
            #expect(parsed.hashValue == key.hashValue)
        }
    }

    @Test func textIsParsedFromASubstring() throws {
        let line = "recipient = \(Self.knownText)"
        let key = try RecipientPublicKey(text: line.split(separator: " ").last!)
        #expect(key.bytes == Self.knownBytes)
    }

    @Test(arguments: [0, 1, 31, 33, 64])
    func wrongByteLengthIsRefused(_ length: Int) {
        do {
            _ = try RecipientPublicKey(bytes: [UInt8](repeating: 9, count: length))
            Issue.record("\(length) bytes were accepted as a key")
        } catch {
            #expect(error.kind == .badLength)
        }
    }

    @Test func theAllZeroKeyIsWeak() {
        do {
            _ = try RecipientPublicKey(bytes: [UInt8](repeating: 0, count: 32))
            Issue.record("the all-zero key was accepted")
        } catch {
            #expect(error.kind == .weakKey)
        }
    }

    @Test func errorTextsNameTheProblem() {
        // Each input has one fault; the error must be of that kind, and its text must name it.
        let cases: [(text: String, kind: PublicKeyTextError.Kind, word: String)] = [
            ("", .badPrefix, "prefix"),
            ("amanat-pk-", .badLength, "length"),
            (Self.knownText.dropLast() + "1", .badCharacter, "character"),
            ("amanat-pk-b" + Self.knownText.dropFirst(11), .badChecksum, "checksum"),
        ]
        var texts: Set<String> = []
        for (text, kind, word) in cases {
            do {
                _ = try RecipientPublicKey(text: text)
                Issue.record("\(kind) input was accepted")
            } catch {
                texts.insert(error.description)
                #expect(error.kind == kind, "input for \(kind) gave \(error.kind)")
                #expect(error.description.contains(word), "\(error.description) does not say \(word)")
            }
        }
        #expect(texts.count == cases.count, "each kind has its own message")
    }
}
