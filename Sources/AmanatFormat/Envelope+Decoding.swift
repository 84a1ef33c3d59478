import AmanatForms
import AmanatCrypto

extension Envelope {
    /// Parses an encoded envelope. Every structural rule is checked before any cryptography can run:
    /// the magic, the version, the section name, the stanza count (1...16), every length, and that no
    /// byte follows the ciphertext.
    public init(decoding bytes: [UInt8]) throws(EnvelopeError) {
        var reader = ByteReader(bytes)
        guard try reader.take(4) == Self.magic else { throw EnvelopeError(.badMagic) }
        guard try reader.byte() == Self.version else { throw EnvelopeError(.unsupportedVersion) }
        let nameLength = Int(try reader.byte())
        let nameBytes = try reader.take(nameLength)
        guard let name = Name(rawValue: String(decoding: nameBytes, as: UTF8.self)),
            Array(name.rawValue.utf8) == nameBytes
        else { throw EnvelopeError(.badSection) }
        let recordID = RecordID(unchecked: try reader.take(RecordID.length))
        let stanzaCount = Int(try reader.byte())
        guard stanzaCount >= 1 && stanzaCount <= Self.maximumStanzas else { throw EnvelopeError(.badStanzaCount) }
        var stanzas: [Stanza] = []
        for _ in 0..<stanzaCount {
            let keyID = try reader.take(Stanza.keyIDLength)
            let sealedKey = try reader.take(Stanza.sealedKeyLength)
            stanzas.append(Stanza(keyID: keyID, sealedKey: sealedKey))
        }
        let nonce = try reader.take(XChaCha20Poly1305.nonceLength)
        let length = try reader.take(4).reduce(0) { $0 << 8 | Int($1) }
        let tag = XChaCha20Poly1305.tagLength
        guard length <= Self.maximumCiphertextLength, length >= tag, Padding.isBucket(length - tag) else {
            throw EnvelopeError(.badCiphertextLength)
        }
        let ciphertext = try reader.take(length)
        guard reader.isAtEnd else { throw EnvelopeError(.trailingBytes) }
        self.init(name: name, recordID: recordID, stanzas: stanzas, nonce: nonce, ciphertext: ciphertext)
    }
}

/// Why bytes are not a well-formed envelope v1. The kinds stay apart, as the test vectors name them.
public struct EnvelopeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The distinct failure kinds.
    public enum Kind: Sendable, Equatable {
        case badMagic, unsupportedVersion, badSection, badStanzaCount, badCiphertextLength, truncated, trailingBytes
    }

    /// What went wrong.
    public let kind: Kind

    init(_ kind: Kind) {
        self.kind = kind
    }

    public var description: String {
        switch kind {
        case .badMagic: "not an envelope (bad magic bytes)"
        case .unsupportedVersion: "unsupported envelope version"
        case .badSection: "envelope names an unknown section"
        case .badStanzaCount: "envelope has a recipient stanza count outside 1...16"
        case .badCiphertextLength: "envelope has an impossible ciphertext length"
        case .truncated: "envelope is truncated"
        case .trailingBytes: "envelope has trailing bytes"
        }
    }
}

/// A bounds-checked cursor over bytes.
struct ByteReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func take(_ count: Int) throws(EnvelopeError) -> [UInt8] {
        guard count >= 0, bytes.count - offset >= count else { throw EnvelopeError(.truncated) }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func byte() throws(EnvelopeError) -> UInt8 {
        try take(1)[0]
    }
}
