import AmanatCrypto

/// A record's random 128-bit identifier. Its text form is 32 lowercase hex digits.
public struct RecordID: Sendable, Hashable, CustomStringConvertible {
    /// The length of the identifier in bytes.
    public static let length = 16

    /// The 16 bytes.
    public let bytes: [UInt8]

    /// A fresh random identifier.
    public static func random() -> RecordID {
        RecordID(unchecked: randomBytes(length))
    }

    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Wraps 16 bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.length else { return nil }
        self.bytes = bytes
    }

    /// Parses 32 lowercase hex digits.
    public init?(text: some StringProtocol) {
        guard text.utf8.count == Self.length * 2, let bytes = Hex.decode(text) else { return nil }
        self.bytes = bytes
    }

    /// 32 lowercase hex digits.
    public var text: String { Hex.encode(bytes) }

    public var description: String { text }
}
