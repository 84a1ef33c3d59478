public import AmanatCrypto
public import AmanatFormat
public import AmanatForms
public import AmanatJSON

/// One element of a request's `attachments` array (PROTOCOL.md 2.10): a finished upload and the metadata to seal
/// with it. Checked member by member; a refusal names the element and the member, never a value.
///
/// The file key never becomes a `String`: the body is parsed with ``secretPaths``, which leaves each key's base64
/// text in the body's bytes, and ``keys(in:at:)`` decodes it from there into protected memory before the caller
/// wipes the body. Public for the fuzz target (Fuzz/, a package of its own).
public struct AttachmentRequest {
    /// The upload: 32 lowercase hex digits.
    public let uploadID: String
    /// The file's original name.
    public let name: String
    /// Its media type, `type/subtype`.
    public let mediaType: String
    /// Its size in bytes (P).
    public let size: UInt64
    /// SHA-256 of its original bytes, 64 lowercase hex digits.
    public let sha256: String
    /// Its file key, 32 bytes.
    public let key: SecretBytes
    /// Whose recipients its metadata goes to, when the request says.
    public let sealedTo: Section?

    /// The stream's size for this file.
    public var storedSize: UInt64 { FileStreamLayout.storedSize(plainSize: size) }

    static let members: Set<String> = ["upload", "name", "media_type", "size", "sha256", "key", "sealed_to"]
    static let requiredMembers: Set<String> = members.subtracting(["sealed_to"])
    /// What a file's sending gives (its upload, hash and key): a check (``IntakeCore/checkSubmission``) made before
    /// any file is sent takes elements without them.
    static let sentMembers: Set<String> = ["upload", "sha256", "key"]
    /// The largest size accepted (1 PiB): far above any file limit, and low enough that no sum of the stored sizes
    /// of `max_attachments_per_record` (at most 10000) files overflows 64 bits.
    static let largestSize: UInt64 = 1 << 50
    /// Where a body's file keys are: the `key` of each element of the top-level `attachments` array.
    public static let secretPaths = [["attachments", "key"]]
    /// The length of a file key's base64 text.
    static let keyTextBytes = Base64.encodedLength(of: 32)

    /// The file keys of `body`, parsed with ``secretPaths``, whose key texts are at `ranges`: each decoded into
    /// protected memory, or nil when it is not the canonical base64 of 32 bytes (``decodeList(_:limit:keys:)`` then
    /// refuses that element). The caller wipes `body`.
    public static func keys(in body: [UInt8], at ranges: [Range<Int>]) throws(IntakeError) -> [SecretBytes?] {
        let decoded = body.withUnsafeBytes { raw in
            Result { () throws(CryptoError) -> [SecretBytes?] in
                try ranges.map { (range) throws(CryptoError) in
                    try Base64.decodeSecret(UnsafeRawBufferPointer(rebasing: raw[range]), count: 32)
                }
            }
        }
        guard case .success(let keys) = decoded else { throw IntakeError(.internalError) }
        return keys
    }

    /// Reads a request's `attachments` member: an array of at most `limit` distinct uploads. `keys` are the body's
    /// file keys (``keys(in:at:)``), which the tree names by their index. `pending`: the elements may leave out
    /// ``sentMembers`` (a check before sending); what they have is checked all the same.
    public static func decodeList(
        _ value: JSONValue, limit: Int, keys: [SecretBytes?], pending: Bool = false
    ) throws(IntakeError) -> [AttachmentRequest] {
        guard case .array(let items) = value else {
            throw IntakeError(.invalidAttachment, "\"attachments\" must be an array of objects")
        }
        guard items.count <= limit else {
            throw IntakeError(.recordTooLarge, "a record may have at most \(limit) attachments")
        }
        var requests: [AttachmentRequest] = []
        var uploads: Set<String> = []
        for (index, item) in items.enumerated() {
            let request = try AttachmentRequest(item, index: index, keys: keys, pending: pending)
            guard request.uploadID.isEmpty || uploads.insert(request.uploadID).inserted else {
                throw IntakeError(.invalidAttachment, "attachments[\(index)] names an upload named before it")
            }
            requests.append(request)
        }
        return requests
    }

    /// One element, checked; with `pending`, ``sentMembers`` it lacks are left empty (it is never sealed then).
    init(_ value: JSONValue, index: Int, keys: [SecretBytes?], pending: Bool = false) throws(IntakeError) {
        let place = "attachments[\(index)]"
        func refuse(_ what: String) -> IntakeError { IntakeError(.invalidAttachment, "\(place).\(what)") }
        guard case .object(var members) = value else {
            throw IntakeError(.invalidAttachment, "\(place) must be an object")
        }
        let required = pending ? Self.requiredMembers.subtracting(Self.sentMembers) : Self.requiredMembers
        guard Set(members.keys).isSubset(of: Self.members), required.isSubset(of: Set(members.keys)) else {
            throw IntakeError(
                .invalidAttachment,
                "\(place) must have exactly the members upload, name, media_type, size, sha256, key and "
                    + "optionally sealed_to"
            )
        }
        // A pending element's absent members get stand-ins that pass the checks below, and end empty: such an
        // element is only counted and measured, never sealed.
        let absent = pending ? Self.sentMembers.subtracting(members.keys) : []
        if absent.contains("upload") { members["upload"] = .string(String(repeating: "0", count: 32)) }
        if absent.contains("sha256") { members["sha256"] = .string(String(repeating: "0", count: 64)) }
        guard let upload = members["upload"]?.stringValue, Self.isLowercaseHex(upload, bytes: 16) else {
            throw refuse("upload must be an upload id, 32 lowercase hex digits")
        }
        guard let name = members["name"]?.stringValue, (1...255).contains(name.utf8.count), Self.hasNoControls(name)
        else {
            throw refuse("name must be 1 to 255 bytes of UTF-8 without control characters")
        }
        guard let mediaType = members["media_type"]?.stringValue, Self.isMediaType(mediaType) else {
            throw refuse("media_type must be type/subtype, at most 127 bytes of token characters")
        }
        guard case .number(let sizeText)? = members["size"], sizeText.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let size = UInt64(sizeText), size <= Self.largestSize
        else {
            throw refuse("size must be the file's size in bytes, an integer from 0")
        }
        guard let sha256 = members["sha256"]?.stringValue, Self.isLowercaseHex(sha256, bytes: 32) else {
            throw refuse("sha256 must be 64 lowercase hex digits")
        }
        // The parser put "#n" in the tree for the n-th key text; Base64.decodeSecret took only the canonical text,
        // so the text sealed (the key's encoding) is the one sent.
        let key: SecretBytes
        if absent.contains("key") {
            // A pending element's stand-in: zeros, never sealed.
            do {
                key = try SecretBytes(count: 32)
            } catch {
                throw IntakeError(.internalError)
            }
        } else {
            guard let placeholder = members["key"]?.stringValue, placeholder.first == "#",
                  let number = Int(placeholder.dropFirst()), keys.indices.contains(number), let found = keys[number]
            else {
                throw refuse("key must be 32 bytes in base64")
            }
            key = found
        }
        var sealedTo: Section?
        if let given = members["sealed_to"] {
            guard let text = given.stringValue, let section = Section(rawValue: text), section != .clear else {
                throw refuse("sealed_to must be \"identity\" or \"testimony\"")
            }
            sealedTo = section
        }
        self.init(
            uploadID: absent.contains("upload") ? "" : upload, name: name, mediaType: mediaType, size: size,
            sha256: absent.contains("sha256") ? "" : sha256, key: key, sealedTo: sealedTo
        )
    }

    init(
        uploadID: String, name: String, mediaType: String, size: UInt64, sha256: String, key: SecretBytes,
        sealedTo: Section?
    ) {
        self.uploadID = uploadID
        self.name = name
        self.mediaType = mediaType
        self.size = size
        self.sha256 = sha256
        self.key = key
        self.sealedTo = sealedTo
    }

    /// The sealed metadata's plaintext (FORMAT.md section 14): canonical JSON. The caller wipes it.
    ///
    /// The JSON is made with a stand-in for the key, whose base64 is then written over it in the bytes. In
    /// canonical order `key` comes after `attachment_id` (hex) and `chunk_bytes` (a number), so the first
    /// `"key":"` of the bytes is the member's.
    public func metadata(attachmentID: EvidenceID) throws(CryptoError) -> [UInt8] {
        let standIn = String(repeating: "A", count: Self.keyTextBytes)
        var bytes = JSONValue.object([
            "attachment_id": .string(attachmentID.hex), "chunk_bytes": .number(String(FileStreamLayout.chunkBytes)),
            "key": .string(standIn), "media_type": .string(mediaType), "name": .string(name),
            "sha256": .string(sha256), "size": .number(String(size)), "v": .number("1"),
        ]).canonicalBytes()
        guard let member = bytes.firstRange(of: Array("\"key\":\"\(standIn)\"".utf8)) else {
            preconditionFailure("the key's stand-in is missing from the metadata")
        }
        let text = member.lowerBound + 7..<member.lowerBound + 7 + Self.keyTextBytes
        var result: Result<Void, CryptoError> = .success(())
        bytes.withUnsafeMutableBytes { raw in
            result = Result { () throws(CryptoError) in
                try Base64.encode(key, into: UnsafeMutableRawBufferPointer(rebasing: raw[text]))
            }
        }
        if case .failure(let error) = result {
            wipe(&bytes)
            throw error
        }
        return bytes
    }

    static func isLowercaseHex(_ text: String, bytes: Int) -> Bool {
        text.utf8.count == 2 * bytes
            && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// No C0 control, DEL or C1 control: a name is shown on terminals and becomes a file name.
    static func hasNoControls(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { !($0.value < 0x20 || (0x7F...0x9F).contains($0.value)) }
    }

    /// `type/subtype`, each a non-empty run of RFC 9110 token characters, 127 bytes at most in all.
    static func isMediaType(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count <= 127, let slash = bytes.firstIndex(of: UInt8(ascii: "/")), slash > 0,
              slash < bytes.count - 1
        else { return false }
        let symbols = Set("!#$%&'*+-.^_`|~".utf8)
        func isToken(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || symbols.contains(byte)
        }
        return bytes[..<slash].allSatisfy(isToken) && bytes[(slash + 1)...].allSatisfy(isToken)
    }
}
