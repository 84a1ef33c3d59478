import AmanatCrypto
import AmanatFormat
import AmanatJSON
import AmanatSigning
import Foundation
import Testing

/// Key rotation of evidence through the real binaries (docs/FORMAT.md section 9, version 2): the key holder reseals
/// each attachment's key and metadata and each addendum to the new key, amanatd imports them with the records', and
/// afterwards only the new key opens the file and the addendum.
@Suite("key rotation of attachments and addenda")
struct EvidenceRotationTests {
    @Test("rewrap an attachment and an addendum; tampered lines are refused; the new key alone opens them")
    func evidenceRotation() async throws {
        let directory = try TempDir()
        let old = try await TestKey.make(in: directory, name: "old")
        let new = try await TestKey.make(in: directory, name: "new")
        var daemon = try Daemon(in: directory, recipients: [old.publicKey])
        let photo = try AttachmentOpenTests.file(
            directory, "IMG 0412.jpg", size: 150_000, head: [0xFF, 0xD8, 0xFF, 0xE1] + Array("Exif".utf8)
        )
        let submitted = try await daemon.amanat(["submit", Paths.example("testimony.json"), "--attach", photo])
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let recordID = try #require(submitted.stdoutLines.first)
        let token = try #require(submitted.stdoutLines.first { $0.hasPrefix("withdrawal-token ") }?.dropFirst(17))
        let tokenFile = try directory.write("token.txt", String(token) + "\n")
        let news = "Her brother was released in March.\n"
        let addendum = try directory.write("news.txt", news)
        #expect(try await daemon.amanat(["addendum", recordID, "--token-file", tokenFile, addendum]).status == 0)
        let copy = directory.file("copy.sqlite")
        #expect(try await daemon.amanat(["export", "--out", copy]).status == 0)
        #expect(await daemon.stop() == 0)

        // Offline: the record, its attachment and its addendum are resealed to the new key.
        let rewrapFile = directory.file("evidence.rewrap")
        let rewrap = try await old.rewrap(copy, to: new.publicKey, out: rewrapFile)
        #expect(rewrap.status == 0, "\(rewrap.stderr)")
        #expect(rewrap.stderr.contains("rewrapped 1 records, 1 attachments and 1 addenda"), "\(rewrap.stderr)")
        let file = try RewrapFile(decoding: contents(rewrapFile))
        try #require(file.entries.count == 1 && file.evidence.map(\.kind) == [.attachment, .addendum])

        // amanatd trusts the old key's rewrap signatures, and a key of this test's, which signs altered files: a
        // trusted signer's file is still checked line by line against the rows.
        try Sodium.initialise()
        let seed = try SecretBytes.random(count: SigningKey.seedLength)
        let tester = try SigningKey(seed: seed)
        daemon = try Daemon(
            in: directory, recipients: [new.publicKey],
            extraArguments: ["--rewrap-signer", try await old.signer(), "--rewrap-signer", tester.publicKey.text]
        )
        var wrongDigest = file
        wrongDigest.evidence[0].replaces[0] ^= 1
        var unknown = file
        unknown.evidence[0].id = EvidenceID.random()
        var misnamed = file
        misnamed.evidence[1].kind = .attachment
        misnamed.evidence[1].id = file.evidence[0].id
        misnamed.evidence.removeFirst()
        var altered = contents(rewrapFile)
        let lines = altered.split(separator: 0x0A, omittingEmptySubsequences: false)
        let envelopeAt = lines[0].count + 1 + lines[1].count + 1 + 1000
        altered[envelopeAt] = altered[envelopeAt] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let refusals: [([UInt8], String)] = [
            (altered, "the digest does not match"),
            (Self.resealDigest(altered, signature: contents(rewrapFile)), "signature does not verify"),
            (wrongDigest.encoded(signedBy: tester.publicKey, sign: tester.sign),
             "line 3: the attachment is not as it was in the copy"),
            (unknown.encoded(signedBy: tester.publicKey, sign: tester.sign),
             "line 3 names an attachment of record \(recordID) this database does not hold"),
            // The addendum's line, now naming the attachment: its envelope is an addendum's.
            (misnamed.encoded(signedBy: tester.publicKey, sign: tester.sign),
             "line 3: the attachment envelope belongs elsewhere"),
        ]
        for (index, (bytes, reason)) in refusals.enumerated() {
            let path = try directory.write("refused-\(index).rewrap", bytes)
            let refused = try await daemon.amanat(["import-rewrap", path])
            #expect(refused.status == 3 && refused.stderr.contains(reason), "\(reason): \(refused.stderr)")
        }
        // Nothing of them stayed: the file's record line, before the refused lines, still matches the live row.
        let imported = try await daemon.amanat(["import-rewrap", rewrapFile])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdoutText.contains("replaced the envelopes of 1 records"))
        let replayed = try await daemon.amanat(["import-rewrap", rewrapFile])
        #expect(replayed.status == 3 && replayed.stderr.contains("not as it was in the copy"), "\(replayed.stderr)")
        let export = directory.file("export.sqlite")
        #expect(try await daemon.amanat(["export", "--out", export]).status == 0)
        #expect(await daemon.stop() == 0)

        // The ledger covers the new envelopes: the rewrap entry, then the attachment and the addendum restated.
        let verified = try await run(Paths.binary("amanat-keyholder"), ["verify", export] + pinningOwnKey(export))
        #expect(verified.status == 0, "\(verified.stdoutText)")
        #expect(verified.stdoutText.contains("1 rewrap entries"), "\(verified.stdoutText)")
        #expect(verified.stdoutText.contains("1 attachment entries"), "\(verified.stdoutText)")

        let files = directory.file("files")
        let withNew = try await new.open(export, extra: ["--attachments-dir", files])
        #expect(withNew.status == 0, "\(withNew.stderr)")
        let line = try #require(withNew.stdoutLines.first { $0.contains(recordID) })
        let object = try JSONParser().parse(Array(line.utf8))
        let path = try #require(object["attachments"]?.arrayValue?.first?["path"]?.stringValue)
        #expect(AttachmentOpenTests.sha256(path) == AttachmentOpenTests.sha256(photo))
        #expect(object["addenda"]?.arrayValue?.first?["text"]?.stringValue == news)

        let withOld = try await old.open(export, extra: ["--attachments-dir", directory.file("old-files")])
        #expect(withOld.status == 5, "\(withOld.stderr)")
        let oldLine = try #require(withOld.stdoutLines.first { $0.contains(recordID) })
        let oldObject = try JSONParser().parse(Array(oldLine.utf8))
        #expect(oldObject["attachments"]?.arrayValue?.first?["path"] == nil)
        #expect(oldObject["attachments"]?.arrayValue?.first?["error"] != nil, "\(oldLine)")
        #expect(oldObject["addenda"]?.arrayValue?.first?["text"] == nil)
        #expect(withOld.stderr.contains("attachment 1: not openable with these keys"), "\(withOld.stderr)")
        #expect(withOld.stderr.contains("addendum 1: not openable with these keys"), "\(withOld.stderr)")
    }

    /// `altered` with its digest recomputed and the trailer's signer and signature kept from `signed`: the digest
    /// check passes, the signature's fails.
    static func resealDigest(_ altered: [UInt8], signature signed: [UInt8]) -> [UInt8] {
        let trailerStart = altered.dropLast().lastIndex(of: 0x0A)! + 1
        let body = Array(altered[..<trailerStart])
        let trailer = try! JSONParser().parse(Array(signed[(signed.dropLast().lastIndex(of: 0x0A)! + 1)..<(signed.count - 1)]))
        return body + JSONValue.object([
            "digest": .string(Hex.encode(BLAKE2b.hash256(body))), "signature": trailer["signature"]!,
            "signer": trailer["signer"]!,
        ]).canonicalBytes() + [0x0A]
    }
}
