import AmanatCrypto
import AmanatFormat
import AmanatJSON
import AmanatKeys
import Foundation
import Testing

/// The key holder's reading of sealed attachment metadata (FORMAT.md section 14): the file key goes from the
/// plaintext's bytes into protected memory, and a malformed key gets the key's refusal.
@Suite struct AttachmentMetadataTests {
    static let attachmentID = EvidenceID(hex: String(repeating: "5a", count: 16))!
    static let key = (0..<32).map { UInt8($0 * 5 + 1) }

    static func plaintext(key: JSONValue = .string(Base64.encode(key)), size: UInt64 = 1000) -> [UInt8] {
        JSONValue.object([
            "attachment_id": .string(attachmentID.hex), "chunk_bytes": .number("65536"), "key": key,
            "media_type": .string("image/jpeg"), "name": .string("паспорт.jpg"),
            "sha256": .string(String(repeating: "ab", count: 32)), "size": .number(String(size)), "v": .number("1"),
        ]).canonicalBytes()
    }

    @Test("well-formed metadata is read; the key is the 32 bytes, held as SecretBytes and in no String")
    func read() throws {
        let metadata = try AttachmentMetadata(
            plaintext: Self.plaintext(), attachmentID: Self.attachmentID,
            storedSize: FileStreamLayout.storedSize(plainSize: 1000)
        )
        #expect(metadata.key.withUnsafeBytes { Array($0) } == Self.key)
        #expect(metadata.name == "паспорт.jpg" && metadata.mediaType == "image/jpeg" && metadata.size == 1000)
        let text = Base64.encode(Self.key)
        for child in Mirror(reflecting: metadata).children {
            if let value = child.value as? String { #expect(!value.contains(text), "\(child.label ?? "")") }
            if let value = child.value as? [UInt8] { #expect(value != Self.key, "\(child.label ?? "")") }
        }
    }

    @Test("a malformed key is refused as the key's tampering", arguments: [
        JSONValue.string(Base64.encode([UInt8](repeating: 1, count: 31))),
        .string(String(Base64.encode([UInt8](repeating: 0, count: 32)).dropLast(2)) + "B="),
        .string(String(Base64.encode(key).dropLast())), .string(""), .number("5"), .null, .array([]),
    ])
    func malformedKey(key: JSONValue) {
        #expect(throws: AttachmentMetadataError("tampered: the sealed file key is not 32 bytes of base64")) {
            try AttachmentMetadata(
                plaintext: Self.plaintext(key: key), attachmentID: Self.attachmentID,
                storedSize: FileStreamLayout.storedSize(plainSize: 1000)
            )
        }
    }

    @Test("a key written with a JSON escape is refused: amanatd writes none")
    func escapedKey() {
        let text = Base64.encode(Self.key)
        let escaped = String(decoding: Self.plaintext(), as: UTF8.self)
            .replacingOccurrences(of: "\"" + text + "\"", with: "\"\\u00" + String(text.utf8.first!, radix: 16) + text.dropFirst() + "\"")
        #expect(throws: AttachmentMetadataError("tampered: the sealed file key is not 32 bytes of base64")) {
            try AttachmentMetadata(
                plaintext: Array(escaped.utf8), attachmentID: Self.attachmentID,
                storedSize: FileStreamLayout.storedSize(plainSize: 1000)
            )
        }
    }

    @Test("another attachment or another stored size is refused")
    func otherRow() {
        #expect(throws: AttachmentMetadataError("tampered: the sealed metadata is for another attachment")) {
            try AttachmentMetadata(
                plaintext: Self.plaintext(), attachmentID: EvidenceID(hex: String(repeating: "a5", count: 16))!,
                storedSize: FileStreamLayout.storedSize(plainSize: 1000)
            )
        }
        #expect(throws: AttachmentMetadataError.self) {
            try AttachmentMetadata(plaintext: Self.plaintext(), attachmentID: Self.attachmentID, storedSize: 7)
        }
    }
}
