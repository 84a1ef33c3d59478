import AmanatCrypto

/// The property FuzzPublicKeyText checks, shared with the unit test that replays its corpus (AmanatCryptoTests'
/// FuzzCorpusTests links this file): a key's text form is canonical. Whatever text parses, `.text` spells it byte for
/// byte, and that text parses back to the same key. Returns the first broken rule, or nil.
func publicKeyTextViolation(_ bytes: [UInt8]) -> String? {
    // Invalid UTF-8 is replaced by U+FFFD here, as any caller that reads a line as a String would do.
    let text = String(decoding: bytes, as: UTF8.self)
    guard let key = try? RecipientPublicKey(text: text) else { return nil }
    // Compare bytes, not Strings: String equality is canonical equivalence and would hide a second spelling.
    guard Array(key.text.utf8) == bytes else { return "RecipientPublicKey(text:) accepted a non-canonical spelling" }
    guard let again = try? RecipientPublicKey(text: key.text), again == key, again.keyID == key.keyID else {
        return "RecipientPublicKey.text does not parse back to the same key"
    }
    return nil
}
