import AmanatClient
import AmanatFormat
import AmanatJSON
import Foundation
import GRDB
import Glibc
import Testing

/// The tamper-evident archive through the real binaries: receipts, withdrawal, export under load, and
/// `amanat-keyholder verify` catching each kind of tampering applied to a real exported file.
@Suite("ledger, receipts, withdrawal and export")
struct LedgerEndToEndTests {
    struct Submitted {
        var id: String
        var answer: [String: JSONValue]
        var receiptFile: String
        var token: String
    }

    static func submit(_ daemon: Daemon, _ example: String, in directory: TempDir) async throws -> Submitted {
        let outcome = try await daemon.amanat(["submit", "--json", Paths.example(example)])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        guard case .object(let answer) = try JSONParser().parse(outcome.stdout),
              let id = answer["record_id"]?.stringValue, let token = answer["withdrawal_token"]?.stringValue
        else { throw HarnessError("malformed submit answer") }
        let receiptFile = try directory.write("receipt-\(id).json", answer["receipt"]!.canonicalBytes())
        return Submitted(id: id, answer: answer, receiptFile: receiptFile, token: token)
    }

    static func keyholder(_ arguments: [String]) async throws -> Outcome {
        try await run(Paths.binary("amanat-keyholder"), arguments)
    }

    /// A copy of `archive` with `edit` applied through SQLite, as an attacker with the file would.
    static func tampered(_ archive: String, _ name: String, in directory: TempDir, _ edit: (Database) throws -> Void) throws -> String {
        let path = directory.file("tampered-\(name).sqlite")
        try FileManager.default.copyItem(atPath: archive, toPath: path)
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.inTransaction {
                try edit(db)
                return .commit
            }
        }
        try queue.close()
        return path
    }

    static func ids(_ db: Database) throws -> [Data] {
        try Data.fetchAll(db, sql: "SELECT record_id FROM records WHERE withdrawn = 0 ORDER BY seq")
    }

    @Test("receipts verify offline; a withdrawal erases the envelopes; an export under load verifies; every tampering is caught")
    func archive() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey], extraArguments: ["--submissions-per-minute", "100000"])
        var submitted: [Submitted] = []
        for example in ["testimony.json", "testimony-kk.json", "testimony-ug.json", "testimony-zh.json", "testimony-ru.json"] {
            submitted.append(try await Self.submit(daemon, example, in: directory))
        }
        let signingKey = try #require(try await daemon.amanat(["signing-key"]).stdoutLines.first)
        #expect(signingKey.hasPrefix("amanat-sig-"))

        // Receipts: each verifies offline against the pinned key; any change breaks it.
        for item in submitted {
            let check = try await run(Paths.binary("amanat"), ["receipt", "verify", item.receiptFile, "--signing-key", signingKey])
            #expect(check.status == 0, "\(check.stderr)")
            let receiptText = item.answer["receipt"]!.canonicalBytes()
            #expect(!String(decoding: receiptText, as: UTF8.self).contains("Seitkhan"), "a receipt names no one")
        }
        var forged = contents(submitted[0].receiptFile)
        let seqMember = Array("\"seq\":1,".utf8)
        let seqAt = try #require(forged.indices.first { forged[$0...].starts(with: seqMember) })
        forged[seqAt + seqMember.count - 2] = UInt8(ascii: "2")
        let forgedFile = try directory.write("forged-receipt.json", forged)
        let refused = try await run(Paths.binary("amanat"), ["receipt", "verify", forgedFile, "--signing-key", signingKey])
        #expect(refused.status == 1 && refused.stderr.contains("does not verify"))

        // Withdrawal: a wrong token and an unknown id get the same answer; the right token erases.
        let target = submitted[1]
        var readOnly = Configuration()
        readOnly.readonly = true
        let liveReader = try DatabaseQueue(path: daemon.databasePath, configuration: readOnly)
        let envelopes: [[UInt8]] = try await liveReader.read { db in
                try Row.fetchOne(db, sql: "SELECT identity_envelope, testimony_envelope FROM records WHERE record_id = ?",
                                 arguments: [Data(RecordID(text: target.id)!.bytes)])
                    .map { [[UInt8]($0[0] as Data), [UInt8]($0[1] as Data)] } ?? []
            }
        try liveReader.close()
        #expect(envelopes.count == 2)
        let wrongToken = try directory.write("wrong.token", submitted[2].token)
        let wrong = try await daemon.amanat(["withdraw", target.id, "--token-file", wrongToken])
        let unknown = try await daemon.amanat(["withdraw", String(repeating: "ab", count: 16), "--token-file", wrongToken])
        #expect(wrong.status == 3 && unknown.status == 3)
        #expect(wrong.stderr == unknown.stderr, "the answers must not tell which ids exist")
        let tokenFile = try directory.write("right.token", target.token + "\n")
        let withdrawn = try await daemon.amanat(["withdraw", target.id, "--token-file", tokenFile])
        #expect(withdrawn.status == 0, "\(withdrawn.stderr)")
        // The holder of the right token is told it was withdrawn already, in their language; a wrong token still
        // gets the answer an unknown id gets.
        let again = try await daemon.amanat(["withdraw", target.id, "--token-file", tokenFile, "--lang", "en"])
        #expect(again.status == 3 && again.stderr.contains("this record was withdrawn already"), "\(again.stderr)")
        #expect(again.stderr != wrong.stderr)
        let againRussian = try await daemon.amanat(["withdraw", target.id, "--token-file", tokenFile, "--lang", "ru"])
        #expect(againRussian.status == 3 && againRussian.stderr.contains("эти показания уже отозваны"),
                "\(againRussian.stderr)")
        let againKazakh = try await daemon.amanat(["withdraw", target.id, "--token-file", tokenFile, "--lang", "kk"])
        #expect(againKazakh.status == 3 && againKazakh.stderr.contains("бұл айғақ бұрын кері алынған"),
                "\(againKazakh.stderr)")
        let wrongAfter = try await daemon.amanat(["withdraw", target.id, "--token-file", wrongToken])
        #expect(wrongAfter.status == 3 && wrongAfter.stderr == wrong.stderr, "\(wrongAfter.stderr)")
        // The tombstone is the token's keyed hash kept beside the withdrawn row, in the live database only.
        let tombstones = try DatabaseQueue(path: daemon.databasePath, configuration: readOnly)
        let tombstone: [UInt8]? = try await tombstones.read { db in
            try Data.fetchOne(db, sql: "SELECT token_hash FROM withdrawal_tokens WHERE record_id = ?",
                              arguments: [Data(RecordID(text: target.id)!.bytes)]).map { [UInt8]($0) }
        }
        try tombstones.close()
        let tombstoneHash = try #require(tombstone)

        // Export while eight clients keep submitting.
        let exportPath = directory.file("export.sqlite")
        let body = contents(Paths.example("testimony-kk.json"))
        let client = daemon.client
        let exported = try await withThrowingTaskGroup(of: Outcome?.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<15 {
                        let answer = try client.request(method: "POST", path: "/v1/testimonies", body: body)
                        #expect(answer.status == 201)
                    }
                    return nil
                }
            }
            group.addTask { try await daemon.amanat(["export", "--out", exportPath]) }
            return try await group.reduce(into: [Outcome]()) { if let outcome = $1 { $0.append(outcome) } }
        }
        #expect(exported.first?.status == 0, "\(exported.first?.stderr ?? "") \(daemon.output.suffix(2000))")
        var info = stat()
        #expect(stat(exportPath, &info) == 0 && info.st_mode & 0o777 == 0o600)
        let verified = try await Self.keyholder(["verify", exportPath, "--signing-key", signingKey])
        #expect(verified.status == 0, "\(verified.stdoutText)\(verified.stderr)")
        #expect(verified.stdoutText.contains("intact") && verified.stdoutText.contains("(1 withdrawn)"))
        let exportedTokens = try await DatabaseQueue(path: exportPath, configuration: readOnly).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM withdrawal_tokens")
        }
        #expect(exportedTokens == 0, "an export keeps no token hash, tombstones included")
        #expect(!contents(exportPath).contains(bytes: tombstoneHash), "the tombstone left its bytes in the export")

        // Nothing of the withdrawn envelopes in the live database, its WAL, or the export.
        for path in [daemon.databasePath, daemon.databasePath + "-wal", exportPath] {
            let bytes = contents(path)
            for envelope in envelopes {
                let middle = envelope.count / 2
                let markers: [[UInt8]] = [Array(envelope.prefix(32)), Array(envelope[middle..<middle + 32]), Array(envelope.suffix(32))]
                for marker in markers {
                    #expect(!bytes.contains(bytes: marker), "\(path) still holds the withdrawn envelope")
                }
            }
        }
        let opened = try await key.open(exportPath, extra: ["--signing-key", signingKey])
        #expect(opened.status == 0, "\(opened.stderr)")
        let withdrawnLine = try #require(opened.stdoutLines.first { $0.contains(target.id) })
        #expect(withdrawnLine.contains("\"withdrawn\":true") && withdrawnLine.contains("\"fields\":{}"))

        // A second site with its own key, for multi-site checks and a record copied across.
        let otherDirectory = try TempDir()
        let other = try Daemon(in: otherDirectory, recipients: [key.publicKey])
        _ = try await Self.submit(other, "testimony-ru.json", in: otherDirectory)
        let otherKey = try #require(try await other.amanat(["signing-key"]).stdoutLines.first)
        let otherExport = directory.file("other.sqlite")
        #expect(try await other.amanat(["export", "--out", otherExport]).status == 0)
        #expect(otherKey != signingKey)
        let both = try await Self.keyholder(["verify", exportPath, otherExport, "--signing-key", signingKey, "--signing-key", otherKey])
        #expect(both.status == 0, "\(both.stdoutText)")
        #expect(both.stdoutLines.filter { $0.contains(": intact:") }.count == 2)
        let twice = try await Self.keyholder(["verify", exportPath, exportPath, "--signing-key", signingKey])
        #expect(twice.status == 0 && twice.stdoutText.contains("the same ledger"), "\(twice.stdoutText)")
        let unpinned = try await Self.keyholder(["verify", otherExport, "--signing-key", signingKey])
        #expect(unpinned.status == 7 && unpinned.stdoutText.contains("not a given --signing-key"))
        let openedBoth = try await key.open(exportPath, extra: [otherExport, "--signing-key", signingKey, "--signing-key", otherKey])
        #expect(openedBoth.status == 0, "\(openedBoth.stderr)")

        // Each kind of tampering, applied to a copy of the real export.
        let foreignRow = try await DatabaseQueue(path: otherExport).read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM records ORDER BY seq LIMIT 1")!
        }
        let foreignEntry = try await DatabaseQueue(path: otherExport).read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM ledger ORDER BY seq LIMIT 1")!
        }
        let cases: [(String, String, (Database) throws -> Void)] = [
            ("deleted record", "it was deleted", { db in
                try db.execute(sql: "DELETE FROM records WHERE record_id = ?", arguments: [try Self.ids(db)[2]])
            }),
            ("changed envelope byte", "were altered", { db in
                let id = try Self.ids(db)[0]
                var envelope = try Data.fetchOne(db, sql: "SELECT testimony_envelope FROM records WHERE record_id = ?", arguments: [id])!
                envelope[envelope.count - 20] ^= 0x01
                try db.execute(sql: "UPDATE records SET testimony_envelope = ? WHERE record_id = ?", arguments: [envelope, id])
            }),
            ("changed clear field", "were altered", { db in
                try db.execute(sql: "UPDATE records SET clear_json = replace(clear_json, 'archive_only', 'named_publication') WHERE seq = (SELECT min(seq) FROM records WHERE clear_json LIKE '%archive_only%')")
                #expect(db.changesCount == 1)
            }),
            ("changed received date", "were altered", { db in
                try db.execute(sql: "UPDATE records SET received = '2020-01-01' WHERE record_id = ?", arguments: [try Self.ids(db)[1]])
            }),
            ("reordered records", "reordered", { db in
                let seqs = try Int64.fetchAll(db, sql: "SELECT seq FROM records ORDER BY seq LIMIT 2")
                try db.execute(sql: "UPDATE records SET seq = -1 WHERE seq = ?", arguments: [seqs[0]])
                try db.execute(sql: "UPDATE records SET seq = ? WHERE seq = ?", arguments: [seqs[0], seqs[1]])
                try db.execute(sql: "UPDATE records SET seq = ? WHERE seq = -1", arguments: [seqs[1]])
            }),
            ("swapped envelopes", "were altered", { db in
                let ids = try Self.ids(db)
                let a = try Data.fetchOne(db, sql: "SELECT identity_envelope FROM records WHERE record_id = ?", arguments: [ids[0]])!
                let b = try Data.fetchOne(db, sql: "SELECT identity_envelope FROM records WHERE record_id = ?", arguments: [ids[1]])!
                try db.execute(sql: "UPDATE records SET identity_envelope = ? WHERE record_id = ?", arguments: [b, ids[0]])
                try db.execute(sql: "UPDATE records SET identity_envelope = ? WHERE record_id = ?", arguments: [a, ids[1]])
            }),
            ("record copied from another archive", "injected or copied in", { db in
                try db.execute(
                    sql: "INSERT INTO records (record_id, form_id, form_version, received, clear_json, identity_envelope, testimony_envelope) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [foreignRow["record_id"], foreignRow["form_id"], foreignRow["form_version"], foreignRow["received"],
                                foreignRow["clear_json"], foreignRow["identity_envelope"], foreignRow["testimony_envelope"]]
                )
            }),
            ("record and ledger entry copied from another archive", "does not link", { db in
                try db.execute(
                    sql: "INSERT INTO records (record_id, form_id, form_version, received, clear_json, identity_envelope, testimony_envelope) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [foreignRow["record_id"], foreignRow["form_id"], foreignRow["form_version"], foreignRow["received"],
                                foreignRow["clear_json"], foreignRow["identity_envelope"], foreignRow["testimony_envelope"]]
                )
                let next = try Int64.fetchOne(db, sql: "SELECT max(seq) + 1 FROM ledger")!
                try db.execute(
                    sql: "INSERT INTO ledger (seq, kind, record_id, content_digest, prev_hash, entry_hash) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [next, foreignEntry["kind"], foreignEntry["record_id"], foreignEntry["content_digest"],
                                foreignEntry["prev_hash"], foreignEntry["entry_hash"]]
                )
            }),
            ("records cut off after the last checkpoint", "unsigned", { db in
                // The last record goes, with its entry and every checkpoint from the new head on: what is left
                // links up, but its tail is signed by no checkpoint.
                let keep = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM ledger WHERE kind = 1")! - 1
                try db.execute(sql: "DELETE FROM records WHERE record_id IN (SELECT record_id FROM ledger WHERE seq > ? AND kind = 1)", arguments: [keep])
                try db.execute(sql: "DELETE FROM ledger WHERE seq > ?", arguments: [keep])
                try db.execute(sql: "DELETE FROM checkpoints WHERE ledger_seq >= ?", arguments: [keep])
                #expect(db.changesCount >= 1)
            }),
            ("records cut off before a checkpoint", "cut off", { db in
                let last = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM ledger")!
                try db.execute(sql: "DELETE FROM records WHERE record_id = (SELECT record_id FROM ledger WHERE seq = ?)", arguments: [last])
                try db.execute(sql: "DELETE FROM ledger WHERE seq = ?", arguments: [last])
            }),
            ("a view standing in for the records table", "contains a view", { db in
                try db.execute(sql: "ALTER TABLE records RENAME TO records_real")
                try db.execute(sql: "CREATE VIEW records AS SELECT * FROM records_real")
            }),
            ("content left in a withdrawn record", "malformed", { db in
                try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
                try db.execute(sql: "UPDATE records SET clear_json = '{}' WHERE withdrawn = 1")
                #expect(db.changesCount == 1)
            }),
            ("a negative form version", "malformed", { db in
                try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
                try db.execute(sql: "UPDATE records SET form_version = -1 WHERE seq = (SELECT min(seq) FROM records)")
            }),
            ("a checkpoint at entry -1", "malformed", { db in
                try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
                try db.execute(sql: "UPDATE checkpoints SET ledger_seq = -1 WHERE ledger_seq = (SELECT min(ledger_seq) FROM checkpoints)")
            }),
            ("forged checkpoint", "invalid signature", { db in
                var signature = try Data.fetchOne(db, sql: "SELECT signature FROM checkpoints ORDER BY ledger_seq DESC LIMIT 1")!
                signature[0] ^= 0x80
                try db.execute(sql: "UPDATE checkpoints SET signature = ? WHERE ledger_seq = (SELECT max(ledger_seq) FROM checkpoints)", arguments: [signature])
            }),
        ]
        for (name, phrase, edit) in cases {
            let path = try Self.tampered(exportPath, name.replacingOccurrences(of: " ", with: "-"), in: directory, edit)
            let outcome = try await Self.keyholder(["verify", path, "--signing-key", signingKey])
            #expect(outcome.status == 7, "\(name) was not detected: \(outcome.stdoutText)")
            #expect(outcome.stdoutText.contains("BROKEN") && outcome.stdoutText.contains(phrase), "\(name): \(outcome.stdoutText)")
            let refusedOpen = try await key.open(path, extra: ["--signing-key", signingKey])
            #expect(refusedOpen.status == 7 && refusedOpen.stdout.isEmpty, "open must refuse \(name)")
            // Resealing a forgery would make it authentic: rewrap refuses it too, and writes no file.
            let rewrapOut = directory.file("rewrap-\(name.replacingOccurrences(of: " ", with: "-"))")
            let rewrap = try await Self.keyholder(
                ["rewrap", path, "--key", key.keyFile, "--passphrase-file", key.passphraseFile, "--to", key.publicKey,
                 "--signing-key", signingKey, "--out", rewrapOut]
            )
            #expect(rewrap.status == 7 && !FileManager.default.fileExists(atPath: rewrapOut), "rewrap must refuse \(name)")
        }
        let forcedOpen = try await key.open(
            try Self.tampered(exportPath, "forced", in: directory) { db in try db.execute(sql: "DELETE FROM ledger") },
            extra: ["--no-verify"]
        )
        #expect(forcedOpen.status == 0 && forcedOpen.stderr.contains("--no-verify"))

        #expect(await other.stop() == 0)
        #expect(await daemon.stop() == 0)
        // A cleanly stopped database is signed up to its head and verifies as it is.
        let live = try await Self.keyholder(["verify", daemon.databasePath, "--signing-key", signingKey])
        #expect(live.status == 0, "\(live.stdoutText)")
        #expect(!daemon.output.contains(target.id) && !daemon.output.contains(target.token), "logs name no record and no token")
    }
}

extension LedgerEndToEndTests {
    @Test("the checkpoint timer signs nothing within the received day (it signs once the day is over)")
    func timedCheckpoint() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(
            in: directory, recipients: [key.publicKey],
            extraArguments: ["--checkpoint-interval-seconds", "1", "--log-level", "debug"]
        )
        let submitted = try await Self.submit(daemon, "testimony-kk.json", in: directory)
        #expect(!submitted.id.isEmpty)
        // Three ticks after the submission (each logs at debug); give up after 30 s (a failure, not a slow machine).
        let ticksBefore = daemon.output.components(separatedBy: "checkpoint timer ran").count - 1
        #expect(daemon.waitForOutput("checkpoint timer ran", count: ticksBefore + 3, seconds: 30), "no 3 ticks in 30 s")
        var readOnly = Configuration()
        readOnly.readonly = true
        let queue = try DatabaseQueue(path: daemon.databasePath, configuration: readOnly)
        let (signed, received) = try await queue.read { db in
            (try Int64.fetchOne(db, sql: "SELECT count(*) FROM checkpoints") ?? -1,
             try String.fetchOne(db, sql: "SELECT received FROM records") ?? "")
        }
        try queue.close()
        // Unless the day ended meanwhile: then the timer signs the day's last record, as it must.
        let today = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        #expect(signed == (received == today ? 0 : 1), "a checkpoint within the day would date the record to the second")
        let emptyConfig = try directory.write("empty.toml", "")
        let outOfRange = try await run(
            Paths.binary("amanatd"),
            ["--check-config", emptyConfig, "--recipient", key.publicKey, "--checkpoint-interval-seconds", "61"]
        )
        #expect(outOfRange.status == 78 && outOfRange.stderr.contains("checkpoint_interval_seconds"))
        #expect(await daemon.stop() == 0)
    }
}
