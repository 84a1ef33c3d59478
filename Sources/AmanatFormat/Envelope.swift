public import AmanatForms
import AmanatCrypto

/// One sealed section of a record: envelope v1, as docs/FORMAT.md specifies byte for byte.
///
/// ```
/// magic "AMEV" | version 0x01 | section name length | section name | record id (16)
/// | stanza count (1...16) | stanzas (key id 8 ‖ sealed data key 80)…       <- header, the AEAD's associated data
/// | nonce (24) | ciphertext length (u32 big-endian) | ciphertext (padded plaintext ‖ 16-byte tag)
/// ```
public struct Envelope: Sendable, Equatable {
    /// The four magic bytes that start every envelope.
    public static let magic: [UInt8] = Array("AMEV".utf8)
    /// The only version this code reads or writes.
    public static let version: UInt8 = 1
    /// The most recipient stanzas an envelope may carry.
    public static let maximumStanzas = 16
    /// The largest ciphertext accepted, so that a hostile length cannot make a reader allocate without bound.
    public static let maximumCiphertextLength = 16 << 20

    /// What is sealed: a record's section, a file's metadata or an addendum.
    public var name: Name
    /// The record this envelope belongs to. Authenticated, so it cannot be moved to another record.
    public var recordID: RecordID
    /// One stanza per recipient.
    public var stanzas: [Stanza]
    /// The XChaCha20-Poly1305 nonce.
    public var nonce: [UInt8]
    /// The padded plaintext encrypted under the data key, followed by the tag.
    public var ciphertext: [UInt8]

    /// What an envelope holds; its text is the name field of the header.
    public enum Name: String, Sendable, CaseIterable, Hashable {
        /// A record's identity section.
        case identity
        /// A record's testimony section.
        case testimony
        /// One attachment's metadata and file key (FORMAT.md section 14).
        case attachment
        /// A text the witness added to a record later (FORMAT.md section 14).
        case addendum

        /// The envelope of a sealed section.
        public init(_ section: Section) {
            precondition(section != .clear, "the clear section is not sealed")
            self = section == .identity ? .identity : .testimony
        }

        /// The record section this envelope holds, nil for an attachment or an addendum.
        public var section: Section? {
            switch self {
            case .identity: .identity
            case .testimony: .testimony
            case .attachment, .addendum: nil
            }
        }
    }

    /// A recipient's copy of the data key.
    public struct Stanza: Sendable, Equatable {
        /// Length of a key id.
        public static let keyIDLength = 8
        /// Length of a sealed data key: `crypto_box_seal` of 32 bytes.
        public static let sealedKeyLength = 80

        /// The first 8 bytes of BLAKE2b-256 of the recipient's public key.
        public var keyID: [UInt8]
        /// `crypto_box_seal(data key, recipient public key)`.
        public var sealedKey: [UInt8]

        /// A stanza; the lengths are checked when the envelope is encoded.
        public init(keyID: [UInt8], sealedKey: [UInt8]) {
            self.keyID = keyID
            self.sealedKey = sealedKey
        }
    }

    /// Assembles an envelope from its parts.
    public init(name: Name, recordID: RecordID, stanzas: [Stanza], nonce: [UInt8], ciphertext: [UInt8]) {
        self.name = name
        self.recordID = recordID
        self.stanzas = stanzas
        self.nonce = nonce
        self.ciphertext = ciphertext
    }

    /// The header bytes: everything before the nonce. They are the AEAD's associated data.
    public var header: [UInt8] {
        let name = Array(self.name.rawValue.utf8)
        var out = Self.magic
        out.append(Self.version)
        out.append(UInt8(name.count))
        out += name
        out += recordID.bytes
        out.append(UInt8(stanzas.count))
        for stanza in stanzas {
            out += stanza.keyID
            out += stanza.sealedKey
        }
        return out
    }

    /// The complete encoded envelope.
    public func encoded() -> [UInt8] {
        precondition(!stanzas.isEmpty && stanzas.count <= Self.maximumStanzas, "bad stanza count")
        precondition(nonce.count == XChaCha20Poly1305.nonceLength, "bad nonce length")
        var out = header
        out += nonce
        let length = UInt32(ciphertext.count)
        out += [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
        out += ciphertext
        return out
    }
}
