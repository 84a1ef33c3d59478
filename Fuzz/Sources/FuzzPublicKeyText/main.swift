// libFuzzer target: the public key's text parser, `RecipientPublicKey(text:)`.
//
// Invariant: a key's text form is canonical. Whatever text parses, `.text` spells it byte for byte, and that
// text parses back to the same key.
import AmanatCrypto

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    // Invalid UTF-8 is replaced by U+FFFD here, as any caller that reads a line as a String would do.
    let text = String(decoding: bytes, as: UTF8.self)
    guard let key = try? RecipientPublicKey(text: text) else { return 0 }
    // Compare bytes, not Strings: String equality is canonical equivalence and would hide a second spelling.
    guard Array(key.text.utf8).elementsEqual(bytes) else {
        fatalError("RecipientPublicKey(text:) accepted a non-canonical spelling")
    }
    guard let again = try? RecipientPublicKey(text: key.text), again == key, again.keyID == key.keyID else {
        fatalError("RecipientPublicKey.text does not parse back to the same key")
    }
    return 0
}
