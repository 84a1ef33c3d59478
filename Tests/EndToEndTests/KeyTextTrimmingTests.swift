import AmanatCrypto
import Foundation
import GRDB
import Testing

/// docs/FORMAT.md 2.1: every program trims a key text a person gives of ASCII space, tab, CR and LF at either end,
/// and of nothing else. amanatd's side is in SettingTests; the Python readers' in interop/check.sh.
@Suite("key texts given by a person")
struct KeyTextTrimmingTests {
    @Test("rewrap takes --to keys with a line end around them, and refuses one with a no-break space")
    func rewrapRecipients() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let database = try await KeyHolderTests.database(in: directory, key: key, count: 1)
        let siteKey = try await Self.siteKeyText(database)
        let rewrap = { (to: String, out: String) in
            try await run(Paths.binary("amanat-keyholder"), [
                "rewrap", database, "--key", key.keyFile, "--passphrase-file", key.passphraseFile, "--to", to,
                "--testimony-to", key.publicKey, "--signing-key", siteKey, "--out", directory.file(out),
            ])
        }
        let trimmed = try await rewrap("\t" + key.publicKey + "\r\n", "trimmed.rewrap")
        #expect(trimmed.status == 0, "\(trimmed.stderr)")
        // The same key twice, once with a line end: one stanza, as amanatd dedupes its lists.
        #expect(trimmed.stderr.contains("rewrapped 1 records"), "\(trimmed.stderr)")
        let refused = try await rewrap(key.publicKey + "\u{00A0}", "refused.rewrap")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--to 1: "), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("refused.rewrap")))
    }

    @Test("verify takes its site's --signing-key with a line end around it, and refuses Unicode whitespace")
    func verifySigningKey() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let database = try await KeyHolderTests.database(in: directory, key: key, count: 1)
        let text = try await Self.siteKeyText(database)
        let verify = { (given: String) in
            try await run(Paths.binary("amanat-keyholder"), ["verify", database, "--signing-key", given])
        }
        let trimmed = try await verify(" \t" + text + "\r\n")
        #expect(trimmed.status == 0, "\(trimmed.stderr)")
        for around in ["\u{00A0}", "\u{3000}", "\u{2003}"] {
            let outcome = try await verify(around + text)
            #expect(outcome.status == 64, "U+\(String(around.unicodeScalars.first!.value, radix: 16)): \(outcome.stderr)")
            #expect(outcome.stderr.contains("prefix"), "\(outcome.stderr)")
        }
    }

    /// The text of the site key stored in `database`, to pin it as a key holder would.
    static func siteKeyText(_ database: String) async throws -> String {
        let queue = try DatabaseQueue(path: database)
        let siteKey = try await queue.read { db in try Data.fetchOne(db, sql: "SELECT signing_key FROM site") }
        try queue.close()
        return try SigningPublicKey(bytes: [UInt8](try #require(siteKey))).text
    }
}
