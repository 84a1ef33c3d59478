import AmanatSigning
import AmanatCrypto
import AmanatFormat
import AmanatJSON
import Testing

/// The rewrap file's version 2 (docs/FORMAT.md section 9): attachment and addendum lines beside the record lines,
/// and version 1 still written and read for a file without them.
@Suite("Rewrap file") struct RewrapFileTests {
    static let key = LedgerTests.key
    static let recordID = RecordID(text: "00112233445566778899aabbccddeeff")!
    static let otherRecord = RecordID(text: "ffeeddccbbaa99887766554433221100")!
    static let attachmentID = EvidenceID(hex: "101112131415161718191a1b1c1d1e1f")!
    static let addendumID = EvidenceID(hex: "202122232425262728292a2b2c2d2e2f")!

    /// A structurally valid envelope (it does not open: nothing here needs it to).
    static func envelope(_ name: Envelope.Name, _ recordID: RecordID = recordID) -> [UInt8] {
        Envelope(
            name: name, recordID: recordID,
            stanzas: [Envelope.Stanza(keyID: Array(repeating: 7, count: 8), sealedKey: Array(repeating: 9, count: 80))],
            nonce: Array(repeating: 3, count: 24), ciphertext: Array(repeating: 5, count: 1024 + 16)
        ).encoded()
    }

    static var sample: RewrapFile {
        RewrapFile(
            entries: [RewrapFile.Entry(
                recordID: recordID, identity: nil, testimony: envelope(.testimony), replaces: Array(repeating: 1, count: 32)
            )],
            evidence: [
                RewrapFile.EvidenceEntry(
                    kind: .attachment, id: attachmentID, recordID: recordID, envelope: envelope(.attachment),
                    replaces: Array(repeating: 2, count: 32)
                ),
                RewrapFile.EvidenceEntry(
                    kind: .addendum, id: addendumID, recordID: recordID, envelope: envelope(.addendum),
                    replaces: Array(repeating: 4, count: 32)
                ),
            ]
        )
    }

    static func signed(_ file: RewrapFile) -> [UInt8] {
        file.encoded(signedBy: key.publicKey, sign: key.sign)
    }

    static func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// `lines` (without the trailer) as a file with a digest that matches, so that only the line checks can refuse it.
    static func file(_ lines: [String]) -> [UInt8] {
        let body = Array(lines.map { $0 + "\n" }.joined().utf8)
        return body + Array("{\"digest\":\"\(Hex.encode(BLAKE2b.hash256(body)))\"}\n".utf8)
    }

    static func refusal(_ bytes: [UInt8]) -> String? {
        do {
            _ = try RewrapFile(decoding: bytes)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func attachmentAndAddendumLinesRoundTripInVersion2() throws {
        let bytes = Self.signed(Self.sample)
        let lines = Self.lines(bytes)
        #expect(lines.count == 5)
        #expect(lines[0] == #"{"format":"amanat-rewrap-2","lines":3}"#)
        let attachmentLine = "{\"attachment_id\":\"101112131415161718191a1b1c1d1e1f\",\"envelope\":\""
            + Base64.encode(Self.envelope(.attachment)) + "\",\"record_id\":\"00112233445566778899aabbccddeeff\","
            + "\"replaces\":\"" + String(repeating: "02", count: 32) + "\"}"
        #expect(lines[2] == attachmentLine)
        #expect(lines[3].hasPrefix(#"{"addendum_id":"202122232425262728292a2b2c2d2e2f","envelope":""#))
        let decoded = try RewrapFile(decoding: bytes)
        #expect(decoded.entries == Self.sample.entries && decoded.evidence == Self.sample.evidence)
        #expect(decoded.isSigned(by: Self.key.publicKey))
        #expect(decoded.line(ofEntry: 0) == 2 && decoded.line(ofEvidence: 0) == 3 && decoded.line(ofEvidence: 1) == 4)
    }

    @Test func aFileWithRecordLinesOnlyStaysVersion1() throws {
        let file = RewrapFile(entries: Self.sample.entries)
        let bytes = Self.signed(file)
        #expect(Self.lines(bytes)[0] == #"{"format":"amanat-rewrap-1","records":1}"#)
        #expect(try RewrapFile(decoding: bytes).entries == file.entries)
    }

    @Test func linesAreNumberedAsReadWhateverTheirOrder() throws {
        let lines = Self.lines(Self.signed(Self.sample))
        // An evidence line first, another record's line after it: each keeps its own number.
        let other = RewrapFile(entries: [RewrapFile.Entry(
            recordID: Self.otherRecord, identity: Self.envelope(.identity, Self.otherRecord), testimony: nil,
            replaces: Array(repeating: 6, count: 32)
        )])
        let otherLine = Self.lines(Self.signed(other))[1]
        let decoded = try RewrapFile(decoding: Self.file([
            #"{"format":"amanat-rewrap-2","lines":4}"#, lines[2], lines[1], otherLine, lines[3],
        ]))
        #expect(decoded.entries.map(\.recordID) == [Self.recordID, Self.otherRecord])
        #expect(decoded.line(ofEntry: 0) == 3 && decoded.line(ofEntry: 1) == 4)
        #expect(decoded.line(ofEvidence: 0) == 2 && decoded.line(ofEvidence: 1) == 5)
    }

    @Test func aLineOnlyNamingEvidenceIsAFile() throws {
        let lines = Self.lines(Self.signed(Self.sample))
        let decoded = try RewrapFile(decoding: Self.file([#"{"format":"amanat-rewrap-2","lines":1}"#, lines[2]]))
        #expect(decoded.entries.isEmpty && decoded.evidence.map(\.kind) == [.attachment])
    }

    @Test func malformedEvidenceLinesAreRefusedByLine() {
        let lines = Self.lines(Self.signed(Self.sample))
        let header2 = #"{"format":"amanat-rewrap-2","lines":2}"#
        let attachment = lines[2]
        let replaces = String(repeating: "02", count: 32)
        func line(_ members: [String: String]) -> String {
            String(decoding: JSONValue.object(members.mapValues { .string($0) }).canonicalBytes(), as: UTF8.self)
        }
        let good = [
            "attachment_id": Self.attachmentID.hex, "envelope": Base64.encode(Self.envelope(.attachment)),
            "record_id": Self.recordID.text, "replaces": replaces,
        ]
        let cases: [([String], String)] = [
            // Version 1 has no attachment lines.
            ([#"{"format":"amanat-rewrap-1","records":2}"#, lines[1], attachment], "line 3 is not a record line"),
            // Version 2 counts every line.
            ([#"{"format":"amanat-rewrap-2","lines":1}"#, lines[1], attachment],
             "the first line is not an amanat-rewrap-2 header with the right count"),
            ([#"{"format":"amanat-rewrap-2","records":2}"#, lines[1], attachment],
             "the first line is not an amanat-rewrap-2 header with the right count"),
            ([header2, attachment, attachment], "line 3 repeats an attachment"),
            ([header2, lines[1], line(good.merging(["extra": "x"]) { $1 })], "line 3 is not an attachment line"),
            ([header2, lines[1], line(good.merging(["attachment_id": Self.attachmentID.hex.uppercased()]) { $1 })],
             "line 3 is not an attachment line"),
            ([header2, lines[1], line(good.merging(["replaces": String(replaces.dropLast(2))]) { $1 })],
             "line 3 is not an attachment line"),
            ([header2, lines[1], line(good.filter { $0.key != "envelope" })], "line 3 is not an attachment line"),
            ([header2, lines[1], line(good.merging(["envelope": "not base64!"]) { $1 })],
             "line 3: the attachment envelope is not base64"),
            ([header2, lines[1], line(good.merging(["envelope": Base64.encode([1, 2, 3])]) { $1 })],
             "line 3: the attachment envelope: envelope is truncated"),
            // An addendum's envelope on an attachment line, and an envelope bound to another record.
            ([header2, lines[1], line(good.merging(["envelope": Base64.encode(Self.envelope(.addendum))]) { $1 })],
             "line 3: the attachment envelope belongs elsewhere"),
            ([header2, lines[1],
              line(good.merging(["envelope": Base64.encode(Self.envelope(.attachment, Self.otherRecord))]) { $1 })],
             "line 3: the attachment envelope belongs elsewhere"),
            ([header2, lines[1], lines[3].replacing("addendum_id", with: "attachment_id")],
             "line 3: the attachment envelope belongs elsewhere"),
        ]
        for (file, expected) in cases {
            #expect(Self.refusal(Self.file(file)) == expected, "\(file.map { $0.prefix(60) })")
        }
    }

    @Test func alteringAnEvidenceLineBreaksTheDigestOrTheSignature() throws {
        var bytes = Self.signed(Self.sample)
        let lines = Self.lines(bytes)
        // A byte of the attachment envelope's ciphertext.
        let offset = lines[0].utf8.count + 1 + lines[1].utf8.count + 1 + 1000
        bytes[offset] = bytes[offset] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(Self.refusal(bytes) == "the digest does not match: the file was altered or truncated")
        // With the digest recomputed the file parses, but its signature no longer verifies.
        let body = Array(bytes[0..<(bytes.count - lines[4].utf8.count - 1)])
        let trailer = "{\"digest\":\"\(Hex.encode(BLAKE2b.hash256(body)))\",\"signature\":\""
            + Base64.encode(Array(repeating: 0, count: 64)) + "\",\"signer\":\"\(Self.key.publicKey.text)\"}\n"
        let resigned = try RewrapFile(decoding: body + Array(trailer.utf8))
        #expect(!resigned.isSigned(by: Self.key.publicKey))
    }
}
