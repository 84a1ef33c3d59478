import AmanatCrypto
import AmanatFormat
import AmanatIntake
import Testing

/// How the intake core turns a rewrap file's lines into the store's replacements (docs/FORMAT.md section 7.2): one
/// per record, in the order of each record's first line, with its attachments and addenda, each naming its line.
@Suite("rewrap file to replacements") struct RewrapReplacementsTests {
    static let first = RecordID(text: "00112233445566778899aabbccddeeff")!
    static let second = RecordID(text: "ffeeddccbbaa99887766554433221100")!

    static func envelope(_ name: Envelope.Name, _ recordID: RecordID) -> String {
        Base64.encode(Envelope(
            name: name, recordID: recordID,
            stanzas: [Envelope.Stanza(keyID: Array(repeating: 7, count: 8), sealedKey: Array(repeating: 9, count: 80))],
            nonce: Array(repeating: 3, count: 24), ciphertext: Array(repeating: 5, count: 1024 + 16)
        ).encoded())
    }

    /// Canonical JSON of string members that need no escapes (hex and base64): keys in byte order.
    static func line(_ members: [String: String]) -> String {
        "{" + members.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",") + "}"
    }

    @Test func recordsComeInTheOrderOfTheirFirstLineWithTheirEvidenceAndLineNumbers() throws {
        try Sodium.initialise()
        let attachment = EvidenceID(hex: "101112131415161718191a1b1c1d1e1f")!
        let addendum = EvidenceID(hex: "202122232425262728292a2b2c2d2e2f")!
        let replaces = String(repeating: "ab", count: 32)
        let lines = [
            #"{"format":"amanat-rewrap-2","lines":3}"#,
            // Line 2: the second record's attachment, before any record line.
            Self.line([
                "attachment_id": attachment.hex, "envelope": Self.envelope(.attachment, Self.second),
                "record_id": Self.second.text, "replaces": replaces,
            ]),
            Self.line(["record_id": Self.first.text, "replaces": replaces, "testimony": Self.envelope(.testimony, Self.first)]),
            Self.line([
                "addendum_id": addendum.hex, "envelope": Self.envelope(.addendum, Self.first), "record_id": Self.first.text,
                "replaces": replaces,
            ]),
        ]
        let body = Array(lines.map { $0 + "\n" }.joined().utf8)
        let file = try RewrapFile(
            decoding: body + Array("{\"digest\":\"\(Hex.encode(BLAKE2b.hash256(body)))\"}\n".utf8)
        )
        let replacements = IntakeCore.replacements(in: file)
        #expect(replacements.map(\.recordID) == [Self.second, Self.first])
        // The second record has no record line: its sections stay, and its replaces digest is not checked.
        #expect(replacements[0].line == nil && replacements[0].replaces == nil && replacements[0].testimony == nil)
        #expect(replacements[0].evidence.map(\.id) == [attachment] && replacements[0].evidence.map(\.line) == [2])
        #expect(replacements[1].line == 3 && replacements[1].testimony != nil && replacements[1].identity == nil)
        #expect(replacements[1].evidence.map(\.kind) == [.addendum] && replacements[1].evidence.map(\.line) == [4])
    }
}
