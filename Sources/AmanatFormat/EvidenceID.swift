import AmanatCrypto

/// The random 128-bit identifier of an attachment or an addendum. Its text form is 32 lowercase hex digits.
/// Unlike a record id it is never given to anyone but the volunteer's terminal and the key holder.
public struct EvidenceID: Sendable, Hashable, CustomStringConvertible {
    /// The length of the identifier in bytes.
    public static let length = 16

    /// The 16 bytes.
    public let bytes: [UInt8]

    /// A fresh random identifier.
    public static func random() -> EvidenceID {
        EvidenceID(unchecked: randomBytes(length))
    }

    private init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Wraps 16 bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.length else { return nil }
        self.bytes = bytes
    }

    /// Parses 32 lowercase hex digits.
    public init?(hex text: some StringProtocol) {
        guard text.utf8.count == Self.length * 2, let bytes = Hex.decode(text) else { return nil }
        self.bytes = bytes
    }

    /// 32 lowercase hex digits.
    public var hex: String { Hex.encode(bytes) }

    public var description: String { hex }
}
