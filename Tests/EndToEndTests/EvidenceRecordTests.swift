import AmanatCrypto
import AmanatFormat
import AmanatForms
import AmanatJSON
import AmanatProtocol
import Foundation
import GRDB
import Glibc
import Testing

/// Evidence files and addenda on the daemon's side (PROTOCOL.md 2.9 to 2.12): finished uploads bound to records
/// with their testimony or later by the witness's token, addenda, withdrawal and export. Uploads are made by the
/// stand-in (Support/UploadStandIn.swift) until the uploads endpoints are in main.
@Suite("evidence files on the daemon's side")
struct EvidenceRecordTests {
    /// A testimony body with an `attachments` member.
    static func testimony(attachments: [JSONValue]?) -> [UInt8] {
        guard case .object(var top) = try! JSONParser().parse(BadInputTests.minimal()) else { return [] }
        if let attachments { top["attachments"] = .array(attachments) }
        return JSONValue.object(top).canonicalBytes()
    }

    static func post(_ daemon: Daemon, _ path: String, _ body: JSONValue) throws -> (status: Int, json: JSONValue) {
        try post(daemon, path, body.canonicalBytes())
    }

    static func post(_ daemon: Daemon, _ path: String, _ body: [UInt8]) throws -> (status: Int, json: JSONValue) {
        let response = try daemon.client.request(method: "POST", path: path, body: body)
        return (response.status, try JSONParser().parse(response.body))
    }

    static func siteKey(_ daemon: Daemon) throws -> SigningPublicKey {
        let response = try daemon.client.request(method: "GET", path: "/v1/signing-key")
        let text = try #require(try JSONParser().parse(response.body).objectValue?["signing_key"]?.stringValue)
        return try SigningPublicKey(text: text)
    }

    /// Counts of the evidence tables and the ledger, to show that a refusal changed nothing.
    static func counts(_ daemon: Daemon) async throws -> [String: Int] {
        let queue = try DatabaseQueue(path: daemon.databasePath)
        defer { try? queue.close() }
        return try await queue.read { db in
            var counts: [String: Int] = [:]
            for table in ["attachments", "addenda", "uploads", "ledger", "records"] {
                counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            }
            return counts
        }
    }

    /// The receipt in `json` verifies with the site key, and names the ledger entry at its seq.
    static func checkReceipt(_ json: JSONValue?, key: SigningPublicKey, daemon: Daemon, kind: Ledger.Kind) async throws {
        let receipt = try Receipt(json: try #require(json))
        #expect(receipt.isValid(for: key))
        let queue = try DatabaseQueue(path: daemon.databasePath)
        defer { try? queue.close() }
        let row = try await queue.read { db in
            try Row.fetchOne(db, sql: "SELECT kind, entry_hash, record_id FROM ledger WHERE seq = ?", arguments: [receipt.seq])
        }
        let entry = try #require(row)
        #expect(entry["kind"] as Int == Int(kind.rawValue))
        #expect([UInt8](entry["entry_hash"] as Data) == receipt.entryHash)
        #expect([UInt8](entry["record_id"] as Data) == receipt.recordID.bytes)
    }

    @Test("a testimony with two files stores their rows and entries, and answers a receipt for each")
    func submitWithFiles() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let site = try Self.siteKey(daemon)
        let photo = try await StandInUpload.make(daemon, plainSize: 1000)
        let video = try await StandInUpload.make(daemon, plainSize: 70_000)
        let (status, json) = try Self.post(
            daemon, "/v1/testimonies",
            Self.testimony(attachments: [photo.element(name: "photo.jpg"), video.element(name: "v.mp4", sealedTo: "testimony")])
        )
        #expect(status == 201, "\(json)")
        let listed = try #require(json.objectValue?["attachments"]?.arrayValue)
        #expect(listed.count == 2)
        for (index, item) in listed.enumerated() {
            #expect(item.objectValue?["position"] == .number(String(index + 1)))
            #expect(EvidenceID(hex: item.objectValue?["attachment_id"]?.stringValue ?? "") != nil)
            try await Self.checkReceipt(item.objectValue?["receipt"], key: site, daemon: daemon, kind: .attachment)
        }
        #expect(listed[0].objectValue?["stored_size"] == .number(String(photo.stream.count)))
        try await Self.checkReceipt(json.objectValue?["receipt"], key: site, daemon: daemon, kind: .record)

        let queue = try DatabaseQueue(path: daemon.databasePath)
        let recordID = try #require(RecordID(text: json.objectValue?["record_id"]?.stringValue ?? ""))
        let (rows, kinds, digests, uploads) = try await queue.read { db in
            (try Row.fetchAll(db, sql: """
                SELECT attachment_id, position, sealed_to, envelope, stored_size, ciphertext_sha256, storage
                FROM attachments WHERE record_id = ? ORDER BY position
                """, arguments: [Data(recordID.bytes)]),
             try Int.fetchAll(db, sql: "SELECT kind FROM ledger WHERE record_id = ? ORDER BY seq", arguments: [Data(recordID.bytes)]),
             try Data.fetchAll(db, sql: "SELECT content_digest FROM ledger WHERE kind = 4 ORDER BY seq"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM uploads") ?? -1)
        }
        try queue.close()
        // The record's entry, then one per file in position order.
        #expect(kinds == [1, 4, 4])
        #expect(uploads == 0, "bound uploads are no longer uploads")
        #expect(rows.count == 2)
        for (row, upload) in zip(rows, [photo, video]) {
            #expect(row["storage"] as String? == upload.id, "the stream stays in its upload's file")
            #expect([UInt8](row["ciphertext_sha256"] as Data) == upload.sha256)
            #expect(row["stored_size"] as Int64 == Int64(upload.stream.count))
        }
        #expect(rows.map { $0["sealed_to"] as String } == ["identity", "testimony"])
        // Each row's digest is its entry's.
        for (row, digest) in zip(rows, digests) {
            let recomputed = Ledger.attachmentDigest(
                recordID: recordID, attachmentID: try #require(EvidenceID(bytes: [UInt8](row["attachment_id"] as Data))),
                position: row["position"], sealedTo: Section(rawValue: row["sealed_to"])!,
                envelope: [UInt8](row["envelope"] as Data), storedSize: UInt64(row["stored_size"] as Int64),
                ciphertextSHA256: [UInt8](row["ciphertext_sha256"] as Data)
            )
            #expect(recomputed == [UInt8](digest))
        }
        #expect(await daemon.stop() == 0)
    }

    @Test("the witness's token adds files and addenda, and is not used up; a wrong token changes nothing")
    func attachAndAddendum() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let site = try Self.siteKey(daemon)
        let (status, stored) = try Self.post(daemon, "/v1/testimonies", BadInputTests.minimal())
        #expect(status == 201)
        let recordID = try #require(stored.objectValue?["record_id"]?.stringValue)
        let token = try #require(stored.objectValue?["withdrawal_token"]?.stringValue)
        #expect(stored.objectValue?["attachments"] == nil, "no member when the request had none")
        let scan = try await StandInUpload.make(daemon, plainSize: 5000)

        // A wrong token (another record's, well-formed), an unknown record, a malformed id and a malformed token: one
        // answer, nothing changed, the upload still there.
        let (_, other) = try Self.post(daemon, "/v1/testimonies", BadInputTests.minimal())
        let wrongToken = try #require(other.objectValue?["withdrawal_token"]?.stringValue)
        let before = try await Self.counts(daemon)
        let otherRecord = Hex.encode(randomBytes(16))
        for (id, offered) in [(recordID, wrongToken), (otherRecord, token), ("nothex", token), (recordID, "amanat-wt-x")] {
            let attach = try Self.post(daemon, Endpoint.recordAttachments(id), .object([
                "token": .string(offered), "attachments": .array([scan.element(name: "scan.png")]),
            ]))
            #expect(attach.status == 404)
            #expect(attach.json.objectValue?["type"]?.stringValue == "urn:amanat:problem:token-refused")
            let addendum = try Self.post(daemon, Endpoint.recordAddenda(id), .object([
                "token": .string(offered), "text": .string("news"),
            ]))
            #expect(addendum.status == 404)
            #expect(addendum.json.objectValue?["type"]?.stringValue == "urn:amanat:problem:token-refused")
        }
        #expect(try await Self.counts(daemon) == before)

        let attached = try Self.post(daemon, Endpoint.recordAttachments(recordID), .object([
            "token": .string(token), "attachments": .array([scan.element(name: "scan.png", mediaType: "image/png")]),
        ]))
        #expect(attached.status == 201, "\(attached.json)")
        #expect(attached.json.objectValue?["record_id"]?.stringValue == recordID)
        let item = try #require(attached.json.objectValue?["attachments"]?.arrayValue?.first)
        #expect(item.objectValue?["position"] == .number("1"))
        try await Self.checkReceipt(item.objectValue?["receipt"], key: site, daemon: daemon, kind: .attachment)

        for (position, body) in [
            (1, JSONValue.object(["token": .string(token), "text": .string("My brother was moved to another camp.")])),
            (2, .object(["token": .string(token), "fields": .object(["narrative": .string("A correction.")])])),
        ] {
            let added = try Self.post(daemon, Endpoint.recordAddenda(recordID), body)
            #expect(added.status == 201, "\(added.json)")
            #expect(added.json.objectValue?["position"] == .number(String(position)))
            #expect(EvidenceID(hex: added.json.objectValue?["addendum_id"]?.stringValue ?? "") != nil)
            try await Self.checkReceipt(added.json.objectValue?["receipt"], key: site, daemon: daemon, kind: .addendum)
        }
        // Fields of the identity section, or of no section, are not an addendum's.
        let identity = try Self.post(daemon, Endpoint.recordAddenda(recordID), .object([
            "token": .string(token), "fields": .object(["full_name": .string("x")]),
        ]))
        #expect(identity.status == 422)
        #expect(identity.json.objectValue?["type"]?.stringValue == "urn:amanat:problem:unknown-field")
        let empty = try Self.post(daemon, Endpoint.recordAddenda(recordID), .object(["token": .string(token)]))
        #expect(empty.status == 422)

        let after = try await Self.counts(daemon)
        #expect(after["attachments"] == 1 && after["addenda"] == 2 && after["uploads"] == 0)
        #expect(after["ledger"] == (before["ledger"] ?? 0) + 3)
        // The token still withdraws.
        let withdrawn = try Self.post(daemon, "/v1/withdrawals", .object([
            "record_id": .string(recordID), "token": .string(token),
        ]))
        #expect(withdrawn.status == 200)
        #expect(await daemon.stop() == 0)
    }

    @Test("another uid's upload, an unfinished one, a wrong length and too many bytes are refused; the uploads stay")
    func refusedUploads() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(
            in: directory, recipients: [key.publicKey],
            extraArguments: ["--max-attachments-per-record", "2", "--max-record-bytes", "2097152"]
        )
        let good = try await StandInUpload.make(daemon, plainSize: 100)
        let foreign = try await StandInUpload.make(daemon, plainSize: 100, owner: geteuid() == 65_534 ? 65_533 : 65_534)
        let unfinished = try await StandInUpload.make(daemon, plainSize: 100, complete: false)
        let misfit = try await StandInUpload.make(daemon, plainSize: 100, length: 400)
        let before = try await Self.counts(daemon)
        let cases: [(StandInUpload, Int, String)] = [
            (foreign, 404, "unknown-upload"), (unfinished, 409, "upload-incomplete"), (misfit, 422, "invalid-attachment"),
        ]
        for (upload, status, slug) in cases {
            // The good upload goes first, so a refusal must undo its claim too.
            let answer = try Self.post(daemon, "/v1/testimonies", Self.testimony(attachments: [
                good.element(name: "a.jpg"), upload.element(name: "b.jpg"),
            ]))
            #expect(answer.status == status, "\(answer.json)")
            #expect(answer.json.objectValue?["type"]?.stringValue == "urn:amanat:problem:\(slug)")
        }
        // Three files over a limit of two; a file whose stored size breaks max_record_bytes.
        let three = try Self.post(daemon, "/v1/testimonies", Self.testimony(attachments: [
            good.element(name: "a"), misfit.element(name: "b"), unfinished.element(name: "c"),
        ]))
        #expect(three.status == 413)
        #expect(three.json.objectValue?["type"]?.stringValue == "urn:amanat:problem:record-too-large")
        var huge = good
        huge.plainSize = 3 << 20
        let large = try Self.post(daemon, "/v1/testimonies", Self.testimony(attachments: [huge.element(name: "a")]))
        #expect(large.status == 413)
        // One upload named twice.
        let twice = try Self.post(daemon, "/v1/testimonies", Self.testimony(attachments: [
            good.element(name: "a"), good.element(name: "b"),
        ]))
        #expect(twice.status == 422)
        #expect(try await Self.counts(daemon) == before, "a refused submission changed the database")
        #expect(daemon.attachmentFiles == [good.id, foreign.id, unfinished.id, misfit.id])

        // Still usable: the unfinished one, once finished, binds with the good one.
        try await unfinished.finish(daemon)
        let retry = try Self.post(daemon, "/v1/testimonies", Self.testimony(attachments: [
            good.element(name: "a.jpg"), unfinished.element(name: "b.jpg"),
        ]))
        #expect(retry.status == 201, "\(retry.json)")
        // The record holds two files now: a third is over the limit, whatever the upload.
        let recordID = try #require(retry.json.objectValue?["record_id"]?.stringValue)
        let token = try #require(retry.json.objectValue?["withdrawal_token"]?.stringValue)
        let third = try await StandInUpload.make(daemon, plainSize: 100)
        let over = try Self.post(daemon, Endpoint.recordAttachments(recordID), .object([
            "token": .string(token), "attachments": .array([third.element(name: "c")]),
        ]))
        #expect(over.status == 413)
        #expect(await daemon.stop() == 0)
    }

    @Test("withdrawal erases the record's attachments and addenda, rows and files")
    func withdrawalErasesEvidence() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let first = try await StandInUpload.make(daemon, plainSize: 2000)
        let second = try await StandInUpload.make(daemon, plainSize: 3000)
        let kept = try await StandInUpload.make(daemon, plainSize: 100)
        let (_, stored) = try Self.post(daemon, "/v1/testimonies", Self.testimony(attachments: [first.element(name: "1")]))
        let recordID = try #require(stored.objectValue?["record_id"]?.stringValue)
        let token = try #require(stored.objectValue?["withdrawal_token"]?.stringValue)
        #expect(try Self.post(daemon, Endpoint.recordAttachments(recordID), .object([
            "token": .string(token), "attachments": .array([second.element(name: "2")]),
        ])).status == 201)
        #expect(try Self.post(daemon, Endpoint.recordAddenda(recordID), .object([
            "token": .string(token), "text": .string("later"),
        ])).status == 201)
        // Another record's file must survive the withdrawal.
        let other = try Self.post(daemon, "/v1/testimonies", Self.testimony(attachments: [kept.element(name: "k")]))
        #expect(other.status == 201)
        #expect(daemon.attachmentFiles == [first.id, second.id, kept.id])

        let withdrawn = try Self.post(daemon, "/v1/withdrawals", .object([
            "record_id": .string(recordID), "token": .string(token),
        ]))
        #expect(withdrawn.status == 200)
        #expect(daemon.attachmentFiles == [kept.id], "the withdrawn record's streams must be gone")
        let queue = try DatabaseQueue(path: daemon.databasePath)
        let (attachments, addenda, kinds) = try await queue.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM attachments WHERE record_id = ?", arguments: [Data(Hex.decode(recordID)!)]),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM addenda"),
             try Int.fetchAll(db, sql: "SELECT kind FROM ledger WHERE record_id = ? ORDER BY seq", arguments: [Data(Hex.decode(recordID)!)]))
        }
        try queue.close()
        #expect(attachments == 0 && addenda == 0)
        #expect(kinds == [1, 4, 4, 5, 2])
        // After withdrawal the token adds nothing.
        let late = try Self.post(daemon, Endpoint.recordAddenda(recordID), .object([
            "token": .string(token), "text": .string("late"),
        ]))
        #expect(late.status == 404)
        #expect(await daemon.stop() == 0)
    }

    @Test("markers in addenda and file names appear nowhere on the intake host")
    func noMarkerAtRest() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey], extraArguments: ["--log-level", "trace"])
        let marker = "EVM\(UInt64.random(in: 1_000_000...9_999_999))"
        let markers = ["\(marker)-name", "\(marker)-addendum", "\(marker)-field", "\(marker)-media"]
        let upload = try await StandInUpload.make(daemon, plainSize: 4000)
        let later = try await StandInUpload.make(daemon, plainSize: 4000)
        let (status, stored) = try Self.post(daemon, "/v1/testimonies", Self.testimony(attachments: [
            upload.element(name: "\(marker)-name.jpg", mediaType: "image/\(marker)-media"),
        ]))
        #expect(status == 201, "\(stored)")
        let recordID = try #require(stored.objectValue?["record_id"]?.stringValue)
        let token = try #require(stored.objectValue?["withdrawal_token"]?.stringValue)
        let added = try Self.post(daemon, Endpoint.recordAddenda(recordID), .object([
            "token": .string(token), "text": .string("\(marker)-addendum"),
            "fields": .object(["narrative": .string("\(marker)-field")]),
        ]))
        #expect(added.status == 201)
        // Refusals carrying markers: a wrong token, a name with a control character, an unknown addendum field.
        var errorTexts = ""
        for (path, body) in [
            (Endpoint.recordAttachments(recordID), JSONValue.object([
                "token": .string(token), "attachments": .array([later.element(name: "\(marker)-bad\u{7}name")]),
            ])),
            (Endpoint.recordAttachments(recordID), .object([
                "token": .string(token + "x"), "attachments": .array([later.element(name: "\(marker)-name")]),
            ])),
            (Endpoint.recordAddenda(recordID), .object([
                "token": .string(token), "fields": .object(["\(marker)-unknown": .string("\(marker)-addendum")]),
            ])),
        ] {
            let response = try daemon.client.request(method: "POST", path: path, body: body.canonicalBytes())
            #expect(response.status >= 400)
            errorTexts += String(decoding: response.body, as: UTF8.self)
        }
        #expect(!errorTexts.contains(marker), "an error text echoed submitted content")

        let live = [daemon.databasePath, daemon.databasePath + "-wal", daemon.databasePath + "-shm"]
        #expect(FileManager.default.fileExists(atPath: daemon.databasePath + "-wal"))
        #expect(LeakTests.leaks(markers, in: live) == [])
        #expect(await daemon.stop() == 0)
        let everything = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { !$0.hasSuffix(".pass") && !$0.hasSuffix(".key") }
            .map(directory.file)
            + daemon.attachmentFiles.map { daemon.attachmentsDirectory + "/" + $0 }
        #expect(daemon.attachmentFiles.count == 2)
        #expect(LeakTests.leaks(markers, in: everything) == [])
        #expect(!daemon.output.contains(marker))
        #expect(daemon.output.contains("level=trace") || daemon.output.contains("level=debug"))
    }

    @Test("an export carries each stream in attachment_chunks and no uploads")
    func exportCarriesStreams() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        // Over 1 MiB stored, so that the stream takes two pieces.
        let large = try await StandInUpload.make(daemon, plainSize: 1_500_000)
        let small = try await StandInUpload.make(daemon, plainSize: 10)
        let erased = try await StandInUpload.make(daemon, plainSize: 10)
        let unbound = try await StandInUpload.make(daemon, plainSize: 10)
        #expect(try Self.post(daemon, "/v1/testimonies", Self.testimony(attachments: [
            large.element(name: "big.mp4"), small.element(name: "small.txt"),
        ])).status == 201)
        let (_, gone) = try Self.post(daemon, "/v1/testimonies", Self.testimony(attachments: [erased.element(name: "e")]))
        #expect(try Self.post(daemon, "/v1/withdrawals", .object([
            "record_id": try #require(gone.objectValue?["record_id"]), "token": try #require(gone.objectValue?["withdrawal_token"]),
        ])).status == 200)
        let exportPath = directory.file("export.sqlite")
        let exported = try await daemon.amanat(["export", "--out", exportPath])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(await daemon.stop() == 0)
        #expect(daemon.attachmentFiles == [large.id, small.id, unbound.id], "the export leaves the live streams alone")

        let queue = try DatabaseQueue(path: exportPath)
        let (uploads, rows) = try await queue.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM uploads"),
             try Row.fetchAll(db, sql: "SELECT attachment_id, stored_size, ciphertext_sha256, storage FROM attachments ORDER BY position"))
        }
        #expect(uploads == 0)
        #expect(rows.count == 2)
        for (row, upload) in zip(rows, [large, small]) {
            #expect(row["storage"] as String? == nil)
            let attachmentID: Data = row["attachment_id"]
            let pieces = try await queue.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT piece, data FROM attachment_chunks WHERE attachment_id = ? ORDER BY piece",
                    arguments: [attachmentID]
                )
            }
            #expect(pieces.map { $0["piece"] as Int } == Array(0..<pieces.count))
            #expect(pieces.dropLast().allSatisfy { ($0["data"] as Data).count == 1 << 20 })
            let stream = pieces.reduce(into: [UInt8]()) { $0 += [UInt8]($1["data"] as Data) }
            #expect(stream.count == row["stored_size"] as Int)
            let copy = try directory.write("stream-\(upload.id)", stream)
            #expect(try await sha256File(copy) == [UInt8](row["ciphertext_sha256"] as Data))
            // A Bool, not `==` on the arrays: Testing would diff a megabyte on failure, quadratically.
            let identical = stream == upload.stream
            #expect(identical, "the export's stream is not the upload's")
        }
        let exportedStreams = try await queue.read { db in
            try Int.fetchOne(db, sql: "SELECT count(DISTINCT attachment_id) FROM attachment_chunks")
        }
        #expect(exportedStreams == 2, "the withdrawn record's stream is not exported")
        try queue.close()
    }
}
