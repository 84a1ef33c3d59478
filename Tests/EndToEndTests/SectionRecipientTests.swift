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
        let caseWorker = try await TestKey.make(in: directory, name: "caseworker")
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
             "--passphrase-file", senior.passphraseFile]
        )
        // One passphrase file serves every key; the case worker's differs, so this must fail cleanly.
        #expect(both.status == 3)
        #expect(both.stdout.isEmpty)

        let bad = try await senior.open(daemon.databasePath, extra: ["--sections", "who"])
        #expect(bad.status == 64)
    }
}
