import AmanatCrypto
import AmanatFormat
import AmanatJSON
import AmanatKeys

/// The attachment id of every seed's metadata.
let metadataSeedAttachmentID = EvidenceID(hex: "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a")!

/// The refusals, with every run of digits written `#`.
private let metadataRefusals: Set<String> = [
    "tampered: the sealed metadata is not a JSON object",
    "tampered: the sealed metadata does not have exactly the members of version #",
    "tampered: the sealed metadata is not version #",
    "tampered: the sealed metadata names another chunk size than #",
    "tampered: the sealed metadata is for another attachment",
    "tampered: the sealed name or media type is not a string",
    "tampered: the sealed size is not an integer from # to #^#",
    "tampered: the sealed SHA-# is not # lowercase hex digits",
    "tampered: the sealed file key is not # bytes of base#",
    "tampered: the stored size # is not the stream size of the sealed size",
]

/// The property FuzzAttachmentMetadata checks, shared with the unit test that replays its corpus (AmanatKeysTests'
/// FuzzCorpusTests links this file). The stored size given is the one the plaintext's own size gives (when it has
/// one), so that a well-formed plaintext is accepted. Returns the first broken rule, or nil.
func attachmentMetadataViolation(_ plaintext: [UInt8]) -> String? {
    let reference = referenceMetadata(plaintext)
    let storedSize = reference?.storedSize ?? referenceStoredSize(plaintext) ?? FileStreamLayout.minimumStoredSize
    let read: AttachmentMetadata
    do {
        read = try AttachmentMetadata(plaintext: plaintext, attachmentID: metadataSeedAttachmentID, storedSize: storedSize)
    } catch {
        guard reference == nil else { return "refused metadata the plain reading takes: \(error)" }
        var masked = ""
        for character in error.description {
            if character.isASCII, character.isNumber {
                if masked.last != "#" { masked.append("#") }
            } else {
                masked.append(character)
            }
        }
        guard metadataRefusals.contains(masked) else { return "a refusal that is not one of the fixed texts" }
        return nil
    }
    guard let reference else { return "took metadata the plain reading refuses" }
    guard read.name == reference.name, read.mediaType == reference.mediaType, read.size == reference.size,
          read.sha256 == reference.sha256, read.key.withUnsafeBytes({ Array($0) }) == reference.key
    else { return "read other values than the plain reading" }
    let otherID = EvidenceID(hex: "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5")!
    if (try? AttachmentMetadata(plaintext: plaintext, attachmentID: otherID, storedSize: storedSize)) != nil {
        return "took metadata for another attachment"
    }
    if (try? AttachmentMetadata(plaintext: plaintext, attachmentID: metadataSeedAttachmentID, storedSize: storedSize + 1))
        != nil
    {
        return "took metadata for another stored size"
    }
    return nil
}

/// What a plain reading of FORMAT.md section 14 finds: the key holder's parser before the key stayed out of
/// `String`s (the key through `Base64.decode` of a `String`); nil when it refuses.
private func referenceMetadata(
    _ plaintext: [UInt8]
) -> (name: String, mediaType: String, size: UInt64, sha256: [UInt8], key: [UInt8], storedSize: UInt64)? {
    guard case .object(let object)? = try? JSONParser(maxDepth: 4).parse(plaintext),
          Set(object.keys) == AttachmentMetadata.members, object["v"]?.numberLiteral == "1",
          object["chunk_bytes"]?.numberLiteral == "65536",
          object["attachment_id"]?.stringValue == metadataSeedAttachmentID.hex,
          let name = object["name"]?.stringValue, let mediaType = object["media_type"]?.stringValue,
          let literal = object["size"]?.numberLiteral, let size = UInt64(literal), String(size) == literal,
          size <= FileStreamLayout.maximumPlainSize,
          let hex = object["sha256"]?.stringValue, hex.utf8.count == 64,
          hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
          let sha256 = Hex.decode(hex),
          let key = object["key"]?.stringValue.flatMap(Base64.decode), key.count == 32,
          !keyIsEscaped(plaintext)
    else { return nil }
    return (name, mediaType, size, sha256, key, FileStreamLayout.storedSize(plainSize: size))
}

/// The stored size of the plaintext's `size`, when it is a number in range, so that the other rules are reached.
private func referenceStoredSize(_ plaintext: [UInt8]) -> UInt64? {
    guard case .object(let object)? = try? JSONParser(maxDepth: 4).parse(plaintext),
          let literal = object["size"]?.numberLiteral, let size = UInt64(literal),
          size <= FileStreamLayout.maximumPlainSize
    else { return nil }
    return FileStreamLayout.storedSize(plainSize: size)
}

/// Whether the key's text has a JSON escape: base64 never needs one and amanatd writes none, so a key spelled with
/// escapes is refused (found through the parser's secret ranges, only to see the raw text).
private func keyIsEscaped(_ plaintext: [UInt8]) -> Bool {
    var ranges: [Range<Int>] = []
    _ = plaintext.withUnsafeBytes { try? JSONParser(maxDepth: 4, secretPaths: [["key"]]).parse($0, secrets: &ranges) }
    return ranges.contains { plaintext[$0].contains(UInt8(ascii: "\\")) }
}
