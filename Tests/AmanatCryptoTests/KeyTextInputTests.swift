import AmanatCrypto
import Testing

/// docs/FORMAT.md 2.1: a key text a person gives is trimmed of ASCII space, tab, CR and LF at either end, and of
/// nothing else; the parser then takes the exact text.
@Suite struct KeyTextInputTests {
    static let recipient = RecipientPublicKeyTests.knownText
    static let signing = try! SigningPublicKey(bytes: RecipientPublicKeyTests.knownBytes).text

    @Test("space, tab, CR and LF are trimmed at either end, each alone and mixed", arguments: [
        " ", "\t", "\r", "\n", "\r\n", "\n\n", " \t\r\n ",
    ])
    func trimsASCIIWhitespace(_ around: String) throws {
        #expect(KeyTextInput.trimmed(around + Self.recipient + around) == Self.recipient)
        #expect(KeyTextInput.trimmed(Self.recipient + around) == Self.recipient)
        #expect(KeyTextInput.trimmed(around + Self.recipient) == Self.recipient)
        #expect(try RecipientPublicKey(input: around + Self.recipient + around).text == Self.recipient)
    }

    @Test("other Unicode whitespace is not trimmed, and the key is refused", arguments: [
        "\u{00A0}", "\u{2003}", "\u{3000}", "\u{000B}", "\u{000C}", "\u{0085}", "\u{2028}", "\u{FEFF}",
    ])
    func keepsOtherWhitespace(_ around: String) {
        #expect(KeyTextInput.trimmed(Self.recipient + around) == Self.recipient + around)
        #expect(KeyTextInput.trimmed(around + Self.recipient) == around + Self.recipient)
        #expect(throws: PublicKeyTextError.self) { try RecipientPublicKey(input: Self.recipient + around) }
        #expect(throws: PublicKeyTextError.self) { try RecipientPublicKey(input: around + Self.recipient) }
    }

    @Test("whitespace inside the text is kept, and a combining mark after a space stays")
    func trimsOnlyTheEnds() {
        let split = String(Self.recipient.prefix(20)) + " " + String(Self.recipient.dropFirst(20))
        #expect(KeyTextInput.trimmed(" \(split)\n") == split)
        #expect(throws: PublicKeyTextError.self) { try RecipientPublicKey(input: split) }
        // " \u{301}" is one Character: trimming by characters would drop the combining mark with the space.
        #expect(KeyTextInput.trimmed(" \u{301}x") == "\u{301}x")
        #expect(KeyTextInput.trimmed(" \r\n\t") == "")
    }

    @Test("the parsers themselves accept no surrounding whitespace")
    func parsersAreExact() {
        #expect(throws: PublicKeyTextError.self) { try RecipientPublicKey(text: Self.recipient + "\n") }
        #expect(throws: PublicKeyTextError.self) { try SigningPublicKey(text: Self.signing + " ") }
        #expect(throws: Never.self) { try SigningPublicKey(input: "\t" + Self.signing + "\r\n") }
    }
}
