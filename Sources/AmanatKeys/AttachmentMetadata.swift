public import AmanatCrypto
public import AmanatFormat
import AmanatJSON

/// The sealed metadata of one attachment (docs/FORMAT.md section 14), read from its opened envelope and checked
/// against its row before any byte of the stream is decrypted.
///
/// The file key goes from the plaintext's bytes straight into protected memory: the parser leaves its base64 text
/// in the plaintext (``JSONParser/parse(_:secrets:)``), which the caller wipes, so it never becomes a `String`.
public struct AttachmentMetadata {
    /// The file's original name, as the volunteer's `amanat` read it: text, never a path.
    public let name: String
    /// Its media type, as sealed.
    public let mediaType: String
    /// *P*, the file's size.
    public let size: UInt64
    /// SHA-256 of the original bytes.
    public let sha256: [UInt8]
    /// The file key, 32 bytes.
    public let key: SecretBytes

    /// The members the metadata has, no more and no fewer.
    public static let members: Set<String> = [
        "attachment_id", "chunk_bytes", "key", "media_type", "name", "sha256", "size", "v",
    ]

    /// Parses `plaintext` (canonical JSON, unpadded) strictly and checks it against its row, `attachmentID` and
    /// `storedSize`: every member of the spec and no other, `v` 1, `chunk_bytes` 65536, `attachment_id` the row's, a
    /// 32-byte key in canonical base64, a 64-hex SHA-256, and a size whose stream size is `storedSize`. Throws the
    /// reason, a text that names no value. The caller wipes `plaintext`.
    public init(plaintext: [UInt8], attachmentID: EvidenceID, storedSize: UInt64) throws(AttachmentMetadataError) {
        var keyTexts: [Range<Int>] = []
        let parsed = try? JSONParser(maxDepth: 4, secretPaths: [["key"]]).parse(plaintext, secrets: &keyTexts)
        guard case .object(let object)? = parsed else {
            throw .init("tampered: the sealed metadata is not a JSON object")
        }
        guard Set(object.keys) == Self.members else {
            throw .init("tampered: the sealed metadata does not have exactly the members of version 1")
        }
        guard object["v"]?.numberLiteral == "1" else {
            throw .init("tampered: the sealed metadata is not version 1")
        }
        guard object["chunk_bytes"]?.numberLiteral == "65536" else {
            throw .init("tampered: the sealed metadata names another chunk size than 65536")
        }
        guard object["attachment_id"]?.stringValue == attachmentID.hex else {
            throw .init("tampered: the sealed metadata is for another attachment")
        }
        guard let name = object["name"]?.stringValue, let mediaType = object["media_type"]?.stringValue else {
            throw .init("tampered: the sealed name or media type is not a string")
        }
        // Bounded before any layout formula sees it: they trap above maximumPlainSize (2^50 bytes).
        guard let literal = object["size"]?.numberLiteral, let size = UInt64(literal), String(size) == literal,
              size <= FileStreamLayout.maximumPlainSize
        else {
            throw .init("tampered: the sealed size is not an integer from 0 to 2^50")
        }
        guard let hex = object["sha256"]?.stringValue, hex.utf8.count == 64,
              hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
              let sha256 = Hex.decode(hex), sha256.count == 32
        else {
            throw .init("tampered: the sealed SHA-256 is not 64 lowercase hex digits")
        }
        // The only string at the key's path is the parser's "#0", and there is one key member: its text is the
        // first range.
        guard object["key"]?.stringValue == "#0", keyTexts.count == 1 else {
            throw .init("tampered: the sealed file key is not 32 bytes of base64")
        }
        let decoded = plaintext.withUnsafeBytes { raw in
            Result { () throws(CryptoError) -> SecretBytes? in
                try Base64.decodeSecret(UnsafeRawBufferPointer(rebasing: raw[keyTexts[0]]), count: 32)
            }
        }
        if case .failure(let error) = decoded { throw .init("cannot hold the file key: \(error)") }
        guard case .success(let key?) = decoded else { throw .init("tampered: the sealed file key is not 32 bytes of base64") }
        // Before any decryption: the stream must have the size its sealed plaintext size gives it.
        guard FileStreamLayout.storedSize(plainSize: size) == storedSize else {
            throw .init("tampered: the stored size \(storedSize) is not the stream size of the sealed size")
        }
        self.name = name
        self.mediaType = mediaType
        self.size = size
        self.sha256 = sha256
        self.key = key
    }
}

/// Why sealed attachment metadata is refused: a one-line reason that names no sealed value.
public struct AttachmentMetadataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reason, starting "tampered: " when the metadata is not what amanatd seals.
    public let description: String

    /// A refusal for `description`.
    public init(_ description: String) {
        self.description = description
    }
}
