import AmanatJSON
import Foundation
import Glibc
import Testing

/// Key rotation through the real binaries: rewrap offline, import as an admin, the old key opens nothing.
@Suite("key rotation")
struct RotationTests {
    static let examples = ["testimony.json", "testimony-zh.json", "testimony-ug.json"]

    @Test("rewrap, a refused altered file, import, and the old key opens nothing")
    func rotation() async throws {
        let directory = try TempDir()
        let old = try await TestKey.make(in: directory, name: "old")
        let new = try await TestKey.make(in: directory, name: "new")
        var expected: [String: JSONValue] = [:]
        var daemon = try Daemon(in: directory, recipients: [old.publicKey])
        for name in Self.examples {
            let outcome = try await daemon.amanat(["submit", Paths.example(name)])
            let id = try #require(outcome.stdoutLines.first)
            expected[id] = try JSONParser().parse(contents(Paths.example(name)))["fields"]
        }
        #expect(await daemon.stop() == 0)
        let oldEnvelopeSample = try Self.sample(of: daemon.databasePath)

        // Offline: the key holder reseals everything to the new key.
        let copy = directory.file("copy.sqlite")
        try FileManager.default.copyItem(atPath: daemon.databasePath, toPath: copy)
        let rewrapFile = directory.file("rotation.rewrap")
        let rewrap = try await old.rewrap(copy, to: new.publicKey, out: rewrapFile)
        #expect(rewrap.status == 0, "\(rewrap.stderr)")
        #expect(rewrap.stderr.contains("rewrapped 3 records"))

        // The daemon now seals new testimonies to the new key only, and trusts the old key's rewrap signatures.
        let signer = try await old.signer()
        #expect(rewrap.stderr.contains("signed by \(signer)"))
        daemon = try Daemon(in: directory, recipients: [new.publicKey], extraArguments: ["--rewrap-signer", signer])
        var altered = contents(rewrapFile)
        altered[altered.count / 2] ^= 0x01
        try directory.write("altered.rewrap", altered)
        let refused = try await daemon.amanat(["import-rewrap", directory.file("altered.rewrap")])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("digest does not match"))
        // The live database while amanatd runs: the restart took back the stop's checkpoint (its day is not over),
        // so its entries are unsigned and only --no-verify opens it (FORMAT.md section 12.5).
        let stillOld = try await old.open(daemon.databasePath, extra: ["--no-verify"])
        #expect(stillOld.status == 0, "a refused import must change nothing")

        let imported = try await daemon.amanat(["import-rewrap", rewrapFile])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdoutText.contains("replaced the envelopes of 3 records"))
        // The file names the digest each record had in the copy: a second import (a replay) is refused whole.
        let replayed = try await daemon.amanat(["import-rewrap", rewrapFile])
        #expect(replayed.status == 3 && replayed.stderr.contains("not as it was in the copy"), "\(replayed.stderr)")
        let later = try await daemon.amanat(["submit", Paths.example("testimony-ru.json")])
        let laterID = try #require(later.stdoutLines.first)
        expected[laterID] = try JSONParser().parse(contents(Paths.example("testimony-ru.json")))["fields"]
        #expect(await daemon.stop() == 0)

        let withOld = try await old.open(daemon.databasePath)
        #expect(withOld.status == 5)
        #expect(withOld.stderr.contains("opened 0 records; 4 not openable"))
        let withNew = try await new.open(daemon.databasePath)
        #expect(withNew.status == 0, "\(withNew.stderr)")
        // Each rewrap entry names the key holder who signed the file.
        let verified = try await run(Paths.binary("amanat-keyholder"), ["verify", daemon.databasePath] + pinningOwnKey(daemon.databasePath))
        #expect(verified.status == 0 && verified.stdoutText.contains("3 rewrap entries (signed by \(signer))"), "\(verified.stdoutText)")
        let records = try withNew.stdoutLines.map { try JSONParser().parse(Array($0.utf8)) }
        #expect(records.count == 4)
        for record in records {
            let id = try #require(record["record_id"]?.stringValue)
            #expect(record["fields"] == expected[id])
        }
        // The old ciphertext is gone from the database and its WAL, not just unreferenced.
        for file in [daemon.databasePath, daemon.databasePath + "-wal"] {
            #expect(!contents(file).contains(bytes: oldEnvelopeSample), "old envelope bytes remain in \(file)")
        }
    }

    @Test("a rewrap file naming a record the database does not hold is refused whole")
    func unknownRecord() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let other = try TempDir()
        let otherKey = try await TestKey.make(in: other)
        // A rewrap file made from another archive.
        let foreign = try Daemon(in: other, recipients: [otherKey.publicKey])
        _ = try await foreign.amanat(["submit", Paths.example("testimony-kk.json")])
        #expect(await foreign.stop() == 0)
        let rewrapFile = other.file("foreign.rewrap")
        let rewrap = try await otherKey.rewrap(foreign.databasePath, to: key.publicKey, out: rewrapFile)
        #expect(rewrap.status == 0)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey], extraArguments: ["--rewrap-signer", try await otherKey.signer()])
        _ = try await daemon.amanat(["submit", Paths.example("testimony-zh.json")])
        let outcome = try await daemon.amanat(["import-rewrap", rewrapFile])
        #expect(outcome.status == 3)
        #expect(outcome.stderr.contains("does not hold"))
        #expect(await daemon.stop() == 0)
        #expect(try await key.open(daemon.databasePath).status == 0)
    }

    @Test("a rewrap file unsigned, signed by a key amanatd does not trust, or with a forged signature is refused; nothing changes")
    func untrustedRewrap() async throws {
        let directory = try TempDir()
        // One passphrase for both: rewrap reads one passphrase file for every key.
        let holder = try await TestKey.make(in: directory, name: "holder", passphrase: "one passphrase for both keys")
        let stranger = try await TestKey.make(in: directory, name: "stranger", passphrase: "one passphrase for both keys")
        var daemon = try Daemon(in: directory, recipients: [holder.publicKey])
        for name in Self.examples { #expect(try await daemon.amanat(["submit", Paths.example(name)]).status == 0) }
        #expect(await daemon.stop() == 0)
        let copy = directory.file("copy.sqlite")
        try FileManager.default.copyItem(atPath: daemon.databasePath, toPath: copy)
        // Anyone can seal to the public keys: here an admin who holds only a key of their own.
        let planted = directory.file("planted.rewrap")
        let made = try await holder.rewrap(copy, to: holder.publicKey, out: planted, extra: ["--sign-with", stranger.keyFile])
        #expect(made.status == 0, "\(made.stderr)")
        let signed = contents(planted)
        let trailerStart = try #require(signed.dropLast().lastIndex(of: 0x0A)) + 1
        let body = Array(signed[..<trailerStart])
        let trailer = try JSONParser().parse(Array(signed[trailerStart..<(signed.count - 1)]))
        let digest = try #require(trailer["digest"]?.stringValue)
        let unsigned = try directory.write("unsigned.rewrap", body + Array("{\"digest\":\"\(digest)\"}\n".utf8))
        var forgedBytes = signed
        let signatureAt = try #require(forgedBytes.indices.first { forgedBytes[$0...].starts(with: Array("\"signature\":\"".utf8)) })
        forgedBytes[signatureAt + 13] = forgedBytes[signatureAt + 13] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let forged = try directory.write("forged.rewrap", forgedBytes)

        let before = contents(daemon.databasePath)
        let holderSigner = try await holder.signer()
        let strangerSigner = try await stranger.signer()
        let cases: [(String, [String], String)] = [
            (unsigned, ["--rewrap-signer", strangerSigner], "the file is not signed"),
            (planted, [], "rewrap_signers is empty"),
            (planted, ["--rewrap-signer", holderSigner], "signed by \(strangerSigner), which is not in rewrap_signers"),
            (forged, ["--rewrap-signer", strangerSigner], "signature does not verify"),
        ]
        for (file, trust, reason) in cases {
            daemon = try Daemon(in: directory, recipients: [holder.publicKey], extraArguments: trust)
            let refused = try await daemon.amanat(["import-rewrap", file])
            #expect(refused.status == 3 && refused.stderr.contains(reason), "\(reason): \(refused.stderr)")
            #expect(await daemon.stop() == 0)
            let ledger = try await run("/usr/bin/sqlite3", [daemon.databasePath, "SELECT count(*) FROM ledger WHERE kind = 3"])
            #expect(ledger.stdoutText == "0\n", "a refused rewrap left ledger entries")
        }
        // A clean stop signs a checkpoint, but no record changed: the rows are those of before.
        let rows = "SELECT hex(identity_envelope) || hex(testimony_envelope) FROM records ORDER BY seq"
        let beforeCopy = try directory.write("before.sqlite", before)
        let now = try await run("/usr/bin/sqlite3", [daemon.databasePath, rows])
        let then = try await run("/usr/bin/sqlite3", [beforeCopy, rows])
        #expect(now.stdoutText == then.stdoutText && !now.stdoutText.isEmpty)
        // Trusted, it is imported.
        daemon = try Daemon(in: directory, recipients: [holder.publicKey], extraArguments: ["--rewrap-signer", strangerSigner])
        let imported = try await daemon.amanat(["import-rewrap", planted])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(await daemon.stop() == 0)
    }

    @Test("passwd changes the passphrase in place")
    func passwd() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let newPassphrase = try directory.write("new.pass", "a completely different passphrase\n")
        let changed = try await run(
            Paths.binary("amanat-keyholder"),
            ["passwd", key.keyFile, "--passphrase-file", key.passphraseFile, "--new-passphrase-file", newPassphrase]
        )
        #expect(changed.status == 0, "\(changed.stderr)")
        var info = stat()
        #expect(stat(key.keyFile, &info) == 0 && info.st_mode & 0o777 == 0o600)
        let pubkey = try await run(Paths.binary("amanat-keyholder"), ["pubkey", key.keyFile])
        #expect(pubkey.stdoutLines == [key.publicKey], "the same key under a new passphrase")
        let withOld = try await run(
            Paths.binary("amanat-keyholder"),
            ["passwd", key.keyFile, "--passphrase-file", key.passphraseFile, "--new-passphrase-file", newPassphrase]
        )
        #expect(withOld.status == 3, "the old passphrase no longer unlocks it")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".new-") }
        #expect(leftovers.isEmpty)
    }

    /// 64 bytes from the middle of the first record's identity ciphertext.
    static func sample(of database: String) throws -> [UInt8] {
        let outcome = contents(database)
        // The envelope magic followed by version 1 and the identity section name locates an envelope.
        let marker = Array("AMEV".utf8) + [1, 8] + Array("identity".utf8)
        guard let start = (0..<(outcome.count - marker.count)).first(where: {
            outcome[$0..<$0 + marker.count].elementsEqual(marker)
        }) else { throw HarnessError("no identity envelope in \(database)") }
        let ciphertextStart = start + marker.count + 16 + 1 + 88 + 24 + 4
        return Array(outcome[(ciphertextStart + 100)..<(ciphertextStart + 164)])
    }
}
