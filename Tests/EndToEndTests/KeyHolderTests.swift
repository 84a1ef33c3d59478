import AmanatJSON
import Foundation
import GRDB
import Glibc
import Testing

/// The key holder's failure modes, on databases written by the real daemon.
@Suite("key holder")
struct KeyHolderTests {
    /// A database with `count` records sealed to `key`, written by a real daemon that has stopped.
    static func database(in directory: TempDir, key: TestKey, count: Int) async throws -> String {
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        for _ in 0..<count {
            let outcome = try await daemon.amanat(["submit", Paths.example("testimony-zh.json")])
            #expect(outcome.status == 0)
        }
        #expect(await daemon.stop() == 0)
        return daemon.databasePath
    }

    @Test("a wrong passphrase has its own exit code and leaves no output")
    func wrongPassphrase() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let database = try await Self.database(in: directory, key: key, count: 1)
        let wrong = try directory.write("wrong.pass", "not the passphrase\n")
        let outPath = directory.file("opened.jsonl")
        let outcome = try await run(
            Paths.binary("amanat-keyholder"),
            ["open", database, "--key", key.keyFile, "--passphrase-file", wrong, "--out", outPath] + pinningOwnKey(database)
        )
        #expect(outcome.status == 3)
        #expect(outcome.stderr.hasPrefix("amanat-keyholder: error: wrong passphrase"))
        #expect(outcome.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: outPath))
        #expect(!outcome.stderr.contains("not the passphrase"))
    }

    @Test("a key file readable by group or others is refused", arguments: [0o640, 0o604, 0o660, 0o644] as [mode_t])
    func openPermissions(mode: mode_t) async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        chmod(key.keyFile, mode)
        let pubkey = try await run(Paths.binary("amanat-keyholder"), ["pubkey", key.keyFile])
        #expect(pubkey.status == 4)
        #expect(pubkey.stderr.contains("chmod 600"))
        #expect(pubkey.stdout.isEmpty)
    }

    @Test("init never overwrites a key file")
    func initRefusesOverwrite() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let before = contents(key.keyFile)
        let again = try await run(
            Paths.binary("amanat-keyholder"), ["init", "--out", key.keyFile, "--passphrase-file", key.passphraseFile]
        )
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exists"))
        #expect(contents(key.keyFile) == before)
    }

    @Test("an altered or truncated envelope is reported as tampered; the other records still open")
    func tampered() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let database = try await Self.database(in: directory, key: key, count: 3)
        let queue = try DatabaseQueue(path: database)
        let ids = try await queue.write { db -> [Data] in
            let ids = try Data.fetchAll(db, sql: "SELECT record_id FROM records ORDER BY seq")
            // Record 1: one byte of the identity ciphertext flipped.
            try db.execute(
                sql: "UPDATE records SET identity_envelope = ? WHERE record_id = ?",
                arguments: [Self.flipLastByte(try Data.fetchOne(
                    db, sql: "SELECT identity_envelope FROM records WHERE record_id = ?", arguments: [ids[0]])!),
                    ids[0]]
            )
            // Record 2: the testimony envelope cut short.
            try db.execute(
                sql: "UPDATE records SET testimony_envelope = substr(testimony_envelope, 1, 100) WHERE record_id = ?",
                arguments: [ids[1]]
            )
            return ids
        }
        try queue.close()
        // The ledger catches the change first: open refuses the archive as a whole.
        let refused = try await key.open(database)
        #expect(refused.status == 7 && refused.stdout.isEmpty && refused.stderr.contains("failed verification"))
        // Past the ledger check, each envelope still reports its own tampering.
        let outcome = try await key.open(database, extra: ["--no-verify"])
        #expect(outcome.status == 6)
        let records = try outcome.stdoutLines.map { try JSONParser().parse(Array($0.utf8)) }
        try #require(records.count == 3)
        let hex = ids.map { $0.map { String(format: "%02x", $0) }.joined() }
        #expect(outcome.stderr.contains("record \(hex[0]): identity: tampered"))
        #expect(outcome.stderr.contains("record \(hex[1]): testimony: tampered"))
        #expect(!outcome.stderr.contains("record \(hex[2])"))
        #expect(outcome.stderr.contains("2 tampered"))
        #expect(records[2]["unopened"] == nil)
        #expect(records[0]["unopened"]?["identity"] != nil)
        #expect(records[0]["fields"]?["narrative"] != nil, "the intact testimony section still opens")
        #expect(records[0]["fields"]?["full_name"] == nil)
    }

    @Test("records sealed to another key are named and counted, with exit code 5")
    func notOpenable() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let other = try await TestKey.make(in: directory, name: "other")
        let database = try await Self.database(in: directory, key: key, count: 2)
        let outcome = try await other.open(database)
        #expect(outcome.status == 5)
        #expect(outcome.stderr.contains("not openable with these keys"))
        #expect(outcome.stderr.contains("opened 0 records; 2 not openable"))
    }

    @Test("a file that is not an amanat database is refused")
    func notADatabase() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let bogus = try directory.write("bogus.sqlite", "this is not sqlite")
        // It names no site key to pin, and reading it fails before any verifying: --no-verify reaches that.
        let outcome = try await key.open(bogus, extra: ["--no-verify"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.split(separator: "\n").last?.hasPrefix("amanat-keyholder: error: ") == true, "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
    }

    static func flipLastByte(_ data: Data) -> Data {
        var bytes = [UInt8](data)
        bytes[bytes.count - 1] ^= 0x01
        return Data(bytes)
    }
}
