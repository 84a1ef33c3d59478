import AmanatCrypto
import AmanatFormat
@testable import AmanatIntake
import AmanatJSON
import Testing

/// The `attachments` elements of PROTOCOL.md section 2.10: each rule refuses with `invalid-attachment` naming the
/// element and member, never the value.
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

    @Test("a well-formed element is read; its stored size is the stream's")
    func accepted() throws {
        let request = try AttachmentRequest(Self.element { $0["sealed_to"] = .string("testimony") }, index: 0)
        #expect(request.storedSize == FileStreamLayout.storedSize(plainSize: 1000))
        #expect(request.sealedTo == .testimony)
        #expect(try AttachmentRequest(Self.element(), index: 0).sealedTo == nil)
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
    func refused(member: String, value: JSONValue) {
        do {
            _ = try AttachmentRequest(Self.element { $0[member] = value }, index: 3)
            Issue.record("\(member) = \(value) was accepted")
        } catch {
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
        #expect(try AttachmentRequest.decodeList(two, limit: 2).count == 2)
        #expect(throws: IntakeError(.recordTooLarge, "a record may have at most 1 attachments")) {
            try AttachmentRequest.decodeList(two, limit: 1)
        }
        #expect(throws: IntakeError.self) { try AttachmentRequest.decodeList(.array([Self.element(), Self.element()]), limit: 4) }
        #expect(throws: IntakeError.self) { try AttachmentRequest.decodeList(.object([:]), limit: 4) }
    }
}
