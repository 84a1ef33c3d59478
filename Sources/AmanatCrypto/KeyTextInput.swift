/// The one rule for key texts that a person gives a program: pasted into a config file, passed as an option, or read
/// from a file (docs/FORMAT.md 2.1). amanatd, amanat and amanat-keyholder all go through it, so a key accepted by
/// one is accepted by the others.
///
/// Only ASCII space, tab, CR and LF are removed, and only at either end: what a terminal, an editor or `echo` adds
/// around a line. Other Unicode whitespace (a no-break space from a word processor, an ideographic space) is not
/// trimmed, and the parser then refuses the text: such a character is a sign that the key went through something
/// that may also have changed it, and a key is short enough to copy again.
public enum KeyTextInput {
    /// The bytes removed at either end: space, tab, CR, LF.
    public static let trimmedBytes: Set<UInt8> = [0x20, 0x09, 0x0D, 0x0A]

    /// `text` without ASCII space, tab, CR and LF at either end. Works on Unicode scalars, not characters, so that
    /// CR LF (one `Character`) and a space followed by a combining mark are treated byte by byte.
    public static func trimmed(_ text: some StringProtocol) -> String {
        let scalars = String(text).unicodeScalars
        let isTrimmed = { (scalar: Unicode.Scalar) in scalar.isASCII && trimmedBytes.contains(UInt8(scalar.value)) }
        guard let first = scalars.firstIndex(where: { !isTrimmed($0) }),
              let last = scalars.lastIndex(where: { !isTrimmed($0) })
        else { return "" }
        return String(scalars[first...last])
    }
}

extension RecipientPublicKey {
    /// Parses a key text a person gave, trimmed by ``KeyTextInput/trimmed(_:)`` first.
    public init(input: some StringProtocol) throws(PublicKeyTextError) {
        try self.init(text: KeyTextInput.trimmed(input))
    }
}

extension SigningPublicKey {
    /// Parses a key text a person gave, trimmed by ``KeyTextInput/trimmed(_:)`` first.
    public init(input: some StringProtocol) throws(PublicKeyTextError) {
        try self.init(text: KeyTextInput.trimmed(input))
    }
}
