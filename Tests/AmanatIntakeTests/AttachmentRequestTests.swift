import AmanatCrypto
import AmanatFormat
@testable import AmanatIntake
import AmanatJSON
import Testing

/// The `attachments` elements of PROTOCOL.md section 2.10: each rule refuses with `invalid-attachment` naming the
/// element and member, never the value. Elements are read as amanatd reads them: from a body's bytes, the file keys
/// left in the bytes by the parser and decoded from there into protected memory.
@Suite("attachment requests")
struct AttachmentRequestTests {
    static let upload = "0123456789abcdef0123456789abcdef"

    static func element(_ change: (inout [String: JSONValue]) -> Void = { _ in }) -> JSONValue {
        var members: [String: JSONValue] = [
            "upload": .string(upload), "name": .string("паспорт.jpg"), "media_type": .string("image/jpeg"),
            "size": .number("1000"), "sha256": .string(String(repeating: "ab", count: 32)),
            "key": .string(Base64.encode([UInt8](repeating: 7, count: 32))),
        ]
        change(&members)
        return .object(members)
    }

    /// The body `{"attachments": elements}` as amanatd reads it: parsed with the keys' secret paths, the keys
    /// decoded from its bytes. Returns the parsed elements and the keys.
    static func parsed(_ elements: [JSONValue]) throws -> (items: [JSONValue], keys: [SecretBytes?]) {
        let body = JSONValue.object(["attachments": .array(elements)]).canonicalBytes()
        var ranges: [Range<Int>] = []
        let tree = try body.withUnsafeBytes {
            try JSONParser(secretPaths: AttachmentRequest.secretPaths).parse($0, secrets: &ranges)
        }
        let items = try #require(tree.objectValue?["attachments"]?.arrayValue)
        return (items, try AttachmentRequest.keys(in: body, at: ranges))
    }

    /// One element read as amanatd reads it, as element `index` of its list.
    static func request(_ element: JSONValue, index: Int = 0) throws -> AttachmentRequest {
        let (items, keys) = try parsed([element])
        return try AttachmentRequest(items[0], index: index, keys: keys)
    }

    /// A list read as amanatd reads it.
    static func list(_ elements: [JSONValue], limit: Int) throws -> [AttachmentRequest] {
        let (items, keys) = try parsed(elements)
        return try AttachmentRequest.decodeList(.array(items), limit: limit, keys: keys)
    }

    @Test("a well-formed element is read; its stored size is the stream's")
    func accepted() throws {
        let request = try Self.request(Self.element { $0["sealed_to"] = .string("testimony") })
        #expect(request.storedSize == FileStreamLayout.storedSize(plainSize: 1000))
        #expect(request.sealedTo == .testimony)
        #expect(try Self.request(Self.element()).sealedTo == nil)
    }

    @Test("the file key is held only in protected memory, never as text, and is the 32 bytes sent")
    func keyOnlyAsSecretBytes() throws {
        let key = (0..<32).map { UInt8($0 * 7 + 3) }
        let text = Base64.encode(key)
        let (items, keys) = try Self.parsed([Self.element { $0["key"] = .string(text) }])
        // The parsed tree holds the parser's stand-in, not the key's text.
        #expect(items[0].objectValue?["key"] == .string("#0"))
        #expect(!String(decoding: JSONValue.array(items).canonicalBytes(), as: UTF8.self).contains(text))
        let request = try AttachmentRequest(items[0], index: 0, keys: keys)
        #expect(request.key.withUnsafeBytes { Array($0) } == key)
        // No stored property of the request is text or bytes holding the key; the key is SecretBytes.
        for child in Mirror(reflecting: request).children {
            if let value = child.value as? String { #expect(!value.contains(text), "\(child.label ?? "")") }
            if let value = child.value as? [UInt8] { #expect(value != key, "\(child.label ?? "")") }
        }
        #expect(Mirror(reflecting: request).children.contains { $0.label == "key" && $0.value is SecretBytes })
        // The sealed metadata spells it as the body did, in canonical JSON.
        var metadata = try request.metadata(attachmentID: try #require(EvidenceID(hex: String(repeating: "5a", count: 16))))
        defer { wipe(&metadata) }
        #expect(String(decoding: metadata, as: UTF8.self).contains("\"key\":\"\(text)\""))
        #expect(try JSONParser().parse(metadata).canonicalBytes() == metadata)
    }

    @Test("a malformed key is refused with the key's rule, naming the element", arguments: [
        ("31 bytes", JSONValue.string(Base64.encode([UInt8](repeating: 1, count: 31)))),
        ("33 bytes", .string(Base64.encode([UInt8](repeating: 1, count: 33)))),
        ("unpadded", .string(String(Base64.encode([UInt8](repeating: 1, count: 32)).dropLast()))),
        ("non-zero trailing bits", .string(String(Base64.encode([UInt8](repeating: 0, count: 32)).dropLast(2)) + "B=")),
        ("URL-safe alphabet", .string(String(repeating: "-", count: 43) + "=")),
        ("a space inside", .string("AAAA AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")),
        ("empty", .string("")), ("a number", .number("12")), ("an object", .object(["key": .string("x")])),
        ("null", .null),
    ])
    func malformedKey(label: String, key: JSONValue) throws {
        do {
            _ = try Self.request(Self.element { $0["key"] = key }, index: 2)
            Issue.record("a key that is \(label) was accepted")
        } catch let error as IntakeError {
            #expect(error == IntakeError(.invalidAttachment, "attachments[2].key must be 32 bytes in base64"), "\(label)")
        }
    }

    @Test("a key written with JSON escapes is refused: amanatd reads the key's text as sent, and base64 needs none")
    func escapedKey() throws {
        let text = Base64.encode([UInt8](repeating: 9, count: 32))
        let escapedFirst = "\\u00" + String(text.utf8.first!, radix: 16)
        let body = Array((#"{"attachments":[{"key":""# + escapedFirst + text.dropFirst()
            + #"","media_type":"a/b","name":"n","sha256":""# + String(repeating: "0", count: 64)
            + #"","size":1,"upload":"0123456789abcdef0123456789abcdef"}]}"#).utf8)
        var ranges: [Range<Int>] = []
        let tree = try body.withUnsafeBytes {
            try JSONParser(secretPaths: AttachmentRequest.secretPaths).parse($0, secrets: &ranges)
        }
        let keys = try AttachmentRequest.keys(in: body, at: ranges)
        #expect(keys.count == 1 && keys[0] == nil)
        // The same body with the escape decoded is accepted: only the escape is refused.
        #expect(try JSONParser().parse(body).objectValue?["attachments"]?.arrayValue?[0].objectValue?["key"] == .string(text))
        #expect(throws: IntakeError(.invalidAttachment, "attachments[0].key must be 32 bytes in base64")) {
            try AttachmentRequest.decodeList(tree.objectValue!["attachments"]!, limit: 4, keys: keys)
        }
    }

    @Test("each broken rule is refused, naming the member and not the value", arguments: [
        ("upload", JSONValue.string("0123456789ABCDEF0123456789ABCDEF")), ("upload", .string("../etc/passwd")),
        ("name", .string("")), ("name", .string("MARK\u{7}")), ("name", .string("MARK\u{85}")),
        ("name", .string(String(repeating: "я", count: 128))), ("media_type", .string("MARK")),
        ("media_type", .string("image/")), ("media_type", .string("image/jp eg")), ("size", .number("-1")),
        ("size", .number("1.5")), ("size", .string("10")), ("size", .number("1125899906842625")),
        ("size", .number("18446744073709551616")), ("sha256", .string("MARK")),
        ("key", .string(Base64.encode([UInt8](repeating: 1, count: 31)))), ("key", .string("MARK")),
        ("sealed_to", .string("clear")), ("extra", .string("MARK")),
    ])
    func refused(member: String, value: JSONValue) throws {
        do {
            _ = try Self.request(Self.element { $0[member] = value }, index: 3)
            Issue.record("\(member) = \(value) was accepted")
        } catch let error as IntakeError {
            #expect(error.kind == .invalidAttachment)
            #expect(error.detail.hasPrefix("attachments[3]"))
            #expect(!error.detail.contains("MARK"))
        }
    }

    @Test("sums of stored sizes saturate instead of overflowing, so a huge one is over every limit")
    func saturatingTotal() {
        let limits = EvidenceLimits(maxAttachments: 3, maxBytes: .max - 1)
        let total = EvidenceLimits.total(.max - 10, adding: [5, 6])
        #expect(total == .max)
        #expect(!limits.allow(count: 2, bytes: total))
        #expect(EvidenceLimits.total(1, adding: [2, 3]) == 6)
    }

    @Test("a list is at most the limit long and names each upload once")
    func list() throws {
        let two: JSONValue = .array([Self.element(), Self.element { $0["upload"] = .string(String(repeating: "1", count: 32)) }])
        #expect(try Self.list(two.arrayValue!, limit: 2).count == 2)
        #expect(throws: IntakeError(.recordTooLarge, "a record may have at most 1 attachments")) {
            try Self.list(two.arrayValue!, limit: 1)
        }
        #expect(throws: IntakeError.self) { try Self.list([Self.element(), Self.element()], limit: 4) }
        #expect(throws: IntakeError.self) { try AttachmentRequest.decodeList(.object([:]), limit: 4, keys: []) }
    }
}
