import AmanatJSON
import Foundation
import Testing

/// Per-section recipients: a case worker's key opens what happened, never who said it.
@Suite("per-section recipients")
struct SectionRecipientTests {
    @Test("each combination of keys opens exactly its sections")
    func combinations() async throws {
        let directory = try TempDir()
        let senior = try await TestKey.make(in: directory, name: "senior")
        // The same passphrase as the senior's, so that one --passphrase-file can unlock both keys below.
        let seniorPassphrase = try String(contentsOfFile: senior.passphraseFile, encoding: .utf8)
            .trimmingCharacters(in: .newlines)
        let caseWorker = try await TestKey.make(in: directory, name: "caseworker", passphrase: seniorPassphrase)
        let daemon = try Daemon(
            in: directory, recipients: [],
            extraArguments: ["--recipient", senior.publicKey, "--testimony-recipient", caseWorker.publicKey]
        )
        let outcome = try await daemon.amanat(["submit", Paths.example("testimony-kk.json")])
        #expect(outcome.status == 0)
        #expect(await daemon.stop() == 0)
        let expected = try #require(JSONParser().parse(contents(Paths.example("testimony-kk.json")))["fields"])

        // The senior key holder opens everything.
        let all = try await senior.open(daemon.databasePath)
        #expect(all.status == 0)
        #expect(try JSONParser().parse(Array(all.stdoutLines[0].utf8))["fields"] == expected)

        // The case worker gets the testimony and the clear fields; the identity is marked, not hidden.
        let partial = try await caseWorker.open(daemon.databasePath)
        #expect(partial.status == 5)
        let record = try JSONParser().parse(Array(partial.stdoutLines[0].utf8))
        #expect(record["fields"]?["narrative"] == expected["narrative"])
        #expect(record["fields"]?["language"] == expected["language"])
        #expect(record["fields"]?["full_name"] == nil)
        #expect(record["unopened"]?["identity"] == .string("not openable with these keys"))
        #expect(partial.stderr.contains("identity: not openable with these keys"))

        // Asking only for the testimony is not an error.
        let testimonyOnly = try await caseWorker.open(daemon.databasePath, extra: ["--sections", "testimony"])
        #expect(testimonyOnly.status == 0)
        let chosen = try JSONParser().parse(Array(testimonyOnly.stdoutLines[0].utf8))
        #expect(chosen["unopened"] == nil)
        #expect(chosen["fields"]?["narrative"] == expected["narrative"])

        // The senior key can also leave the identity closed.
        let withoutIdentity = try await senior.open(daemon.databasePath, extra: ["--sections", "testimony"])
        #expect(try JSONParser().parse(Array(withoutIdentity.stdoutLines[0].utf8))["fields"]?["full_name"] == nil)

        // Both keys together open everything, each used only where its key id matches.
        let both = try await run(
            Paths.binary("amanat-keyholder"),
            ["open", daemon.databasePath, "--key", caseWorker.keyFile, "--key", senior.keyFile,
             "--passphrase-file", senior.passphraseFile] + pinningOwnKey(daemon.databasePath)
        )
        #expect(both.status == 0, "\(both.stderr)")
        #expect(both.stdoutLines.count == 1)
        let opened = try JSONParser().parse(Array(try #require(both.stdoutLines.first).utf8))
        #expect(opened["fields"] == expected)
        #expect(opened["unopened"] == nil)

        // A passphrase that unlocks neither key fails cleanly, says why, and writes nothing.
        let wrong = try directory.write("wrong.pass", "not the passphrase of either key\n")
        let refused = try await run(
            Paths.binary("amanat-keyholder"),
            ["open", daemon.databasePath, "--key", caseWorker.keyFile, "--key", senior.keyFile,
             "--passphrase-file", wrong] + pinningOwnKey(daemon.databasePath)
        )
        #expect(refused.status == 3)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.contains("wrong passphrase"), "\(refused.stderr)")

        let bad = try await senior.open(daemon.databasePath, extra: ["--sections", "who"])
        #expect(bad.status == 64)
    }
}
