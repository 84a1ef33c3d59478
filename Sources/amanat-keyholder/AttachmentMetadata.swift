import AmanatArchive
import AmanatCrypto
import AmanatFormat
import AmanatJSON
import AmanatReports

/// The sealed metadata of one attachment (docs/FORMAT.md section 14), read from its opened envelope and
/// checked against its row before any byte of the stream is decrypted.
struct AttachmentMetadata {
    /// The file's original name, as the volunteer's `amanat` read it: text, never a path.
    var name: String
    var mediaType: String
    /// *P*, the file's size.
    var size: UInt64
    /// SHA-256 of the original bytes.
    var sha256: [UInt8]
    /// The file key, 32 bytes.
    var key: SecretBytes

    /// The members the metadata has, no more and no fewer.
    static let members: Set<String> = ["attachment_id", "chunk_bytes", "key", "media_type", "name", "sha256", "size", "v"]

    /// Parses `plaintext` (canonical JSON, unpadded) strictly and checks it against `row`: every member of the
    /// spec and no other, `v` 1, `chunk_bytes` 65536, `attachment_id` the row's, a 32-byte key, a 64-hex SHA-256,
    /// and a size whose stream size is the row's `stored_size`. Throws the reason, a text that names no value.
    init(plaintext: [UInt8], row: AttachmentRow) throws(OpenedRecord.Failure) {
        guard case .object(let object)? = try? JSONParser(maxDepth: 4).parse(plaintext) else {
            throw .tampered("tampered: the sealed metadata is not a JSON object")
        }
        guard Set(object.keys) == Self.members else {
            throw .tampered("tampered: the sealed metadata does not have exactly the members of version 1")
        }
        guard object["v"]?.numberLiteral == "1" else {
            throw .tampered("tampered: the sealed metadata is not version 1")
        }
        guard object["chunk_bytes"]?.numberLiteral == "65536" else {
            throw .tampered("tampered: the sealed metadata names another chunk size than 65536")
        }
        guard object["attachment_id"]?.stringValue == row.attachmentID.hex else {
            throw .tampered("tampered: the sealed metadata is for another attachment")
        }
        guard let name = object["name"]?.stringValue, let mediaType = object["media_type"]?.stringValue else {
            throw .tampered("tampered: the sealed name or media type is not a string")
        }
        // Bounded before any layout formula sees it: they trap above maximumPlainSize (2^50 bytes).
        guard let literal = object["size"]?.numberLiteral, let size = UInt64(literal), String(size) == literal,
              size <= FileStreamLayout.maximumPlainSize
        else {
            throw .tampered("tampered: the sealed size is not an integer from 0 to 2^50")
        }
        guard let hex = object["sha256"]?.stringValue, hex.utf8.count == 64,
              hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
              let sha256 = Hex.decode(hex), sha256.count == 32
        else {
            throw .tampered("tampered: the sealed SHA-256 is not 64 lowercase hex digits")
        }
        guard var keyBytes = object["key"]?.stringValue.flatMap(Base64.decode), keyBytes.count == 32 else {
            throw .tampered("tampered: the sealed file key is not 32 bytes of base64")
        }
        defer { for index in keyBytes.indices { keyBytes[index] = 0 } }
        // Before any decryption: the stream must have the size its sealed plaintext size gives it.
        guard FileStreamLayout.storedSize(plainSize: size) == row.storedSize else {
            throw .tampered("tampered: the stored size \(row.storedSize) is not the stream size of the sealed size")
        }
        do {
            key = try keyBytes.withUnsafeBytes { bytes throws(CryptoError) in try SecretBytes(copying: bytes) }
        } catch {
            throw .tampered("cannot hold the file key: \(error)")
        }
        self.name = name
        self.mediaType = mediaType
        self.size = size
        self.sha256 = sha256
    }
}

/// What a worker read of an addendum: its text and fields.
struct AddendumContent {
    var text: String?
    var fields: [String: JSONValue]?

    static let members: Set<String> = ["addendum_id", "fields", "text", "v"]

    /// Parses `plaintext` strictly: `v` 1, `addendum_id` the row's, a string `text` and an object `fields`, at least
    /// one of them, and nothing else.
    init(plaintext: [UInt8], row: AddendumRow) throws(OpenedRecord.Failure) {
        guard case .object(let object)? = try? JSONParser(maxDepth: 64).parse(plaintext) else {
            throw .tampered("tampered: the sealed addendum is not a JSON object")
        }
        guard Set(object.keys).isSubset(of: Self.members), object["v"]?.numberLiteral == "1" else {
            throw .tampered("tampered: the sealed addendum is not version 1")
        }
        guard object["addendum_id"]?.stringValue == row.addendumID.hex else {
            throw .tampered("tampered: the sealed addendum is for another addendum")
        }
        if let text = object["text"] {
            guard let value = text.stringValue else { throw .tampered("tampered: the addendum's text is not a string") }
            self.text = value
        }
        if let fields = object["fields"] {
            guard let value = fields.objectValue else {
                throw .tampered("tampered: the addendum's fields are not an object")
            }
            self.fields = value
        }
        guard text != nil || self.fields != nil else {
            throw .tampered("tampered: the addendum has neither text nor fields")
        }
    }
}
