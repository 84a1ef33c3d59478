import AmanatCrypto
import AmanatFormat
import AmanatIntake
import AmanatJSON
import AmanatKeys

/// amanatd's limits for this body (ServerConfiguration.Limits defaults; a small attachment count, so that the
/// limit is reached).
private enum AttachmentLimits {
    static let maxJSONDepth = 16
    static let maxAttachments = 4
}

/// The refusals amanatd may give a body with attachments, with every run of digits written `#`: any other text
/// would be quoting something.
private let refusalTexts: Set<String> = Set([
    "\"attachments\" must be an array of objects",
    "a record may have at most # attachments",
    "attachments[#] names an upload named before it",
    "attachments[#] must be an object",
    "attachments[#] must have exactly the members upload, name, media_type, size, sha#, key and optionally sealed_to",
    "attachments[#].upload must be an upload id, # lowercase hex digits",
    "attachments[#].name must be # to # bytes of UTF-# without control characters",
    "attachments[#].media_type must be type/subtype, at most # bytes of token characters",
    "attachments[#].size must be the file's size in bytes, an integer from #",
    "attachments[#].sha# must be # lowercase hex digits",
    "attachments[#].key must be # bytes in base#",
    "attachments[#].sealed_to must be \"identity\" or \"testimony\"",
    "the body is not valid UTF-#",
    "the body nests arrays or objects deeper than # levels",
    "the body is not valid JSON (at byte #)",
    "the body must be a JSON object",
    "the body may only have the members attachments, token",
])

/// The text with each run of ASCII digits replaced by `#`.
private func digitsMasked(_ text: String) -> String {
    var masked = ""
    var inDigits = false
    for character in text {
        if character.isASCII, character.isNumber {
            if !inDigits { masked.append("#") }
            inDigits = true
        } else {
            masked.append(character)
            inDigits = false
        }
    }
    return masked
}

/// The property FuzzAttachmentRequest checks, shared with the unit test that replays its corpus (AmanatIntakeTests'
/// FuzzCorpusTests links this file). Returns the first broken rule, or nil.
func attachmentRequestViolation(_ body: [UInt8]) -> String? {
    var keyTexts: [Range<Int>] = []
    let requests: [AttachmentRequest]
    let members: [String: JSONValue]
    do {
        members = try IntakeCore.evidenceBody(
            body, members: ["token", "attachments"], maxDepth: AttachmentLimits.maxJSONDepth,
            secretPaths: AttachmentRequest.secretPaths, secrets: &keyTexts
        )
        guard let list = members["attachments"] else { return nil }
        requests = try AttachmentRequest.decodeList(
            list, limit: AttachmentLimits.maxAttachments, keys: AttachmentRequest.keys(in: body, at: keyTexts)
        )
    } catch {
        guard error.kind != .internalError else { return "refused as an internal error" }
        guard refusalTexts.contains(digitsMasked(error.detail)) else {
            return "a refusal that is not one of amanatd's texts: \(error.kind)"
        }
        return nil
    }
    // No key text in the tree: each is the parser's stand-in, and its bytes stay in the body.
    let tree = JSONValue.object(members).canonicalBytes()
    for range in keyTexts where range.count >= 8 {
        if tree.firstRange(of: body[range]) != nil { return "a key's text is in the parsed tree" }
    }
    guard requests.count <= AttachmentLimits.maxAttachments else { return "more attachments than the limit" }
    guard Set(requests.map(\.uploadID)).count == requests.count else { return "an upload named twice was taken" }
    for request in requests {
        if let violation = acceptedViolation(request, body: body, keyTexts: keyTexts) { return violation }
    }
    return nil
}

/// The rules of PROTOCOL.md 2.10 for one accepted element, and its metadata read back by the key holder's parser.
private func acceptedViolation(_ request: AttachmentRequest, body: [UInt8], keyTexts: [Range<Int>]) -> String? {
    let isHex = { (byte: UInt8) in (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) }
    guard request.uploadID.utf8.count == 32, request.uploadID.utf8.allSatisfy(isHex) else { return "bad upload id taken" }
    guard request.sha256.utf8.count == 64, request.sha256.utf8.allSatisfy(isHex) else { return "bad sha256 taken" }
    guard (1...255).contains(request.name.utf8.count),
          request.name.unicodeScalars.allSatisfy({ !($0.value < 0x20 || (0x7F...0x9F).contains($0.value)) })
    else { return "bad name taken" }
    let mediaType = Array(request.mediaType.utf8)
    guard mediaType.count <= 127, mediaType.filter({ $0 == UInt8(ascii: "/") }).count == 1,
          mediaType.first != UInt8(ascii: "/"), mediaType.last != UInt8(ascii: "/")
    else { return "bad media type taken" }
    guard request.size <= 1 << 50 else { return "size above 2^50 taken" }
    guard request.key.count == 32 else { return "a key of \(request.key.count) bytes taken" }
    // The key is what its text in the body says, by the plain (non-secret) decoder.
    let keyBytes = request.key.withUnsafeBytes { Array($0) }
    let matches = keyTexts.contains { range in
        Base64.decode(String(decoding: body[range], as: UTF8.self)) == keyBytes
    }
    guard matches else { return "a key that no key text in the body decodes to" }

    // The sealed metadata: canonical JSON of exactly these values, which the key holder reads back.
    let attachmentID = EvidenceID(bytes: [UInt8](repeating: 0x5A, count: 16))!
    guard let plaintext = try? request.metadata(attachmentID: attachmentID) else { return "metadata() failed" }
    let expected = JSONValue.object([
        "attachment_id": .string(attachmentID.hex), "chunk_bytes": .number("65536"),
        "key": .string(Base64.encode(keyBytes)), "media_type": .string(request.mediaType), "name": .string(request.name),
        "sha256": .string(request.sha256), "size": .number(String(request.size)), "v": .number("1"),
    ]).canonicalBytes()
    guard plaintext == expected else { return "the metadata is not the canonical JSON of the request's values" }
    let read: AttachmentMetadata
    do {
        read = try AttachmentMetadata(plaintext: plaintext, attachmentID: attachmentID, storedSize: request.storedSize)
    } catch {
        return "the key holder refuses metadata amanatd seals: \(error)"
    }
    guard read.name == request.name, read.mediaType == request.mediaType, read.size == request.size,
          Hex.encode(read.sha256) == request.sha256, read.key.withUnsafeBytes({ Array($0) }) == keyBytes
    else { return "the key holder reads other values from the metadata than amanatd sealed" }
    return nil
}
