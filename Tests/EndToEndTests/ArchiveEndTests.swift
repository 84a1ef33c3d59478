import AmanatJSON
import Foundation
import Glibc
import Testing

/// The archive's end (issue 17, point 4): a copy cut back to an older signed checkpoint is consistent in itself, so
/// only what the key holder keeps outside it can show the cut: the head `amanat export` printed (--expect-head), the
/// head remembered from the site's last verify (the heads file), and witnesses' receipts (--receipts).
@Suite("the archive's end: expected heads, remembered heads, receipts")
struct ArchiveEndTests {
    static func keyholder(_ arguments: [String]) async throws -> Outcome {
        try await run(Paths.binary("amanat-keyholder"), arguments)
    }

    /// Runs `amanat export` and returns the `SEQ:HASH` of its `head` line.
    static func export(_ daemon: Daemon, to path: String) async throws -> String {
        let outcome = try await daemon.amanat(["export", "--out", path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let line = try #require(outcome.stdoutLines.first { $0.hasPrefix("head ") }, "export prints no head: \(outcome.stdoutText)")
        return String(line.dropFirst("head ".count))
    }

    /// Runs sqlite3(1) on `database`, as someone holding the file would.
    static func sqlite(_ database: String, _ script: String) async throws {
        let outcome = try await run("/usr/bin/sqlite3", [database], stdin: Array(script.utf8))
        #expect(outcome.status == 0 && outcome.stderr.isEmpty, "sqlite3: \(outcome.stderr)")
    }

    @Test("a cut tail verifies as intact alone, and is refused against an expected head, a remembered head or a receipt")
    func cutTail() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(
            in: directory, recipients: [key.publicKey], extraArguments: ["--submissions-per-minute", "1000"]
        )
        // A heads file no run has written: each run with it is the site's first verify.
        func nowhere() -> String { directory.file("heads-\(UUID().uuidString)") }
        let receipts = directory.file("receipts")
        try FileManager.default.createDirectory(atPath: receipts, withIntermediateDirectories: false)
        func submit(_ example: String) async throws {
            let outcome = try await daemon.amanat(["submit", "--json", Paths.example(example)])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            guard case .object(let answer) = try JSONParser().parse(outcome.stdout), let id = answer["record_id"]?.stringValue
            else { throw HarnessError("malformed submit answer") }
            // Saved as amanat gives it: the whole answer, receipt inside.
            try directory.write("receipts/\(id).json", outcome.stdout)
        }
        // amanatd signs a checkpoint into its own database only where it dates nothing: every 100 entries, at a day's
        // change and at a clean stop (an export's own checkpoint stays in the export). So the early head, the one a
        // cut can go back to, is the hundredth entry.
        for _ in 0..<98 {
            let response = try daemon.client.request(method: "POST", path: "/v1/testimonies", body: BadInputTests.minimal())
            try #require(response.status == 201)
        }
        try await submit("testimony.json")
        try await submit("testimony-kk.json")
        let early = directory.file("early.sqlite")
        let earlyHead = try await Self.export(daemon, to: early)
        try await submit("testimony-zh.json")
        try await submit("testimony-ru.json")
        let late = directory.file("late.sqlite")
        let lateHead = try await Self.export(daemon, to: late)
        let json = try await daemon.amanat(["--json", "export", "--out", directory.file("third.sqlite")])
        guard case .object(let exported) = try JSONParser().parse(json.stdout), let jsonHead = exported["head"]?.stringValue else {
            throw HarnessError("export --json names no head: \(json.stdoutText)")
        }
        #expect(jsonHead == lateHead, "nothing was stored since: the same head")
        let signingKey = try #require(try await daemon.amanat(["signing-key"]).stdoutLines.first)
        #expect(await daemon.stop() == 0)
        let earlySeq = Int(earlyHead.prefix { $0 != ":" })!
        #expect(earlySeq == 100 && earlyHead != lateHead)

        // The late export cut back to the early head: the last records go with their entries and every checkpoint
        // after the early export's, and VACUUM leaves no trace of them.
        let cut = directory.file("cut.sqlite")
        try FileManager.default.copyItem(atPath: late, toPath: cut)
        try await Self.sqlite(cut, """
            DELETE FROM records WHERE record_id IN (SELECT record_id FROM ledger WHERE seq > \(earlySeq));
            DELETE FROM ledger WHERE seq > \(earlySeq);
            DELETE FROM checkpoints WHERE ledger_seq > \(earlySeq);
            VACUUM;
            """)

        // Alone, it is consistent: intact, and verify says which head it verified (the early one).
        let alone = try await Self.keyholder(["verify", cut, "--signing-key", signingKey, "--heads", nowhere()])
        #expect(alone.status == 0, "\(alone.stdoutText)")
        #expect(alone.stdoutText.contains(": intact: ") && alone.stdoutText.contains("head \(earlyHead)"), "\(alone.stdoutText)")
        let aloneJSON = try await Self.keyholder(["verify", cut, "--signing-key", signingKey, "--json", "--heads", nowhere()])
        guard case .object(let report) = try JSONParser().parse(Array(try #require(aloneJSON.stdoutLines.first).utf8)) else {
            throw HarnessError("verify --json: \(aloneJSON.stdoutText)")
        }
        #expect(report["head"] == .string(earlyHead))

        // --expect-head with the head the late export printed: refused; with the early one, or the whole line: held.
        let expected = try await Self.keyholder(
            ["verify", cut, "--signing-key", signingKey, "--expect-head", lateHead, "--heads", nowhere()]
        )
        #expect(expected.status == 7, "\(expected.stdoutText)")
        #expect(expected.stdoutText.contains("BROKEN") && expected.stdoutText.contains("does not hold the expected head \(lateHead)")
                && expected.stdoutText.contains("cut off"), "\(expected.stdoutText)")
        for form in [earlyHead, "head \(earlyHead)"] {
            let held = try await Self.keyholder(
                ["verify", cut, "--signing-key", signingKey, "--expect-head", form, "--heads", nowhere()]
            )
            #expect(held.status == 0, "\(held.stdoutText)")
        }
        let rewritten = lateHead.prefix { $0 != ":" } + ":" + String(repeating: "0", count: 64)
        let other = try await Self.keyholder(["verify", late, "--signing-key", signingKey, "--expect-head", rewritten,
                                              "--heads", nowhere()])
        #expect(other.status == 7 && other.stdoutText.contains("rewritten"), "\(other.stdoutText)")
        let malformed = try await Self.keyholder(["verify", late, "--signing-key", signingKey, "--expect-head", "12"])
        #expect(malformed.status == 64 && malformed.stderr.contains("--expect-head"))

        // The heads file: the first verify of the site records the late head (and says so), mode 0600; the cut copy
        // does not extend it and is refused; the early export, given with the late one, is still an earlier state.
        let heads = directory.file("state/heads")
        let first = try await Self.keyholder(["verify", late, "--signing-key", signingKey, "--heads", heads])
        #expect(first.status == 0 && first.stdoutText.contains("first verify of site"), "\(first.stdoutText)")
        var info = stat()
        #expect(stat(heads, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(String(decoding: contents(heads), as: UTF8.self).contains("\(signingKey) \(lateHead)\n"))
        let remembered = try await Self.keyholder(["verify", cut, "--signing-key", signingKey, "--heads", heads])
        #expect(remembered.status == 7, "\(remembered.stdoutText)")
        #expect(remembered.stdoutText.contains("does not extend the head \(lateHead) verified before"), "\(remembered.stdoutText)")
        let together = try await Self.keyholder(["verify", early, late, "--signing-key", signingKey, "--heads", heads])
        #expect(together.status == 0, "\(together.stdoutText)")
        // The remembered key pins the site for verify and open without --signing-key.
        let pinnedByFile = try await Self.keyholder(["verify", late, "--heads", heads])
        #expect(pinnedByFile.status == 0 && !pinnedByFile.stdoutText.contains("first verify"), "\(pinnedByFile.stdoutText)")
        let openCut = try await key.open(cut, extra: ["--heads", heads])
        #expect(openCut.status == 7 && openCut.stdout.isEmpty && openCut.stderr.contains("does not extend"), "\(openCut.stderr)")
        let openLate = try await run(
            Paths.binary("amanat-keyholder"),
            ["open", late, "--key", key.keyFile, "--passphrase-file", key.passphraseFile, "--heads", heads]
        )
        #expect(openLate.status == 0 && openLate.stdoutLines.count == 102, "\(openLate.stderr)")

        // Receipts: all four are in the late export; the cut lost two of them, which proves the cut.
        let withReceipts = try await Self.keyholder(["verify", late, "--signing-key", signingKey, "--receipts", receipts,
                                                     "--heads", nowhere()])
        #expect(withReceipts.status == 0 && withReceipts.stdoutText.contains("4 of 4 receipts checked"), "\(withReceipts.stdoutText)")
        let cutReceipts = try await Self.keyholder(["verify", cut, "--signing-key", signingKey, "--receipts", receipts,
                                                    "--heads", nowhere()])
        #expect(cutReceipts.status == 7, "\(cutReceipts.stdoutText)")
        #expect(cutReceipts.stdoutText.contains("the archive ends at entry \(earlySeq): the archive was cut after it"),
                "\(cutReceipts.stdoutText)")
        // A receipt altered after signing is refused as such, not taken as a cut.
        let forgedDirectory = directory.file("forged")
        try FileManager.default.createDirectory(atPath: forgedDirectory, withIntermediateDirectories: false)
        let one = try #require(try FileManager.default.contentsOfDirectory(atPath: receipts).first)
        var forged = contents("\(receipts)/\(one)")
        let at = try #require(forged.indices.first { forged[$0...].starts(with: Array("\"entry_hash\":\"".utf8)) })
        forged[at + 14] = forged[at + 14] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        try directory.write("forged/\(one)", forged)
        let forgedCheck = try await Self.keyholder(["verify", late, "--signing-key", signingKey, "--receipts", forgedDirectory,
                                                    "--heads", nowhere()])
        #expect(forgedCheck.status == 7 && forgedCheck.stdoutText.contains("does not verify"), "\(forgedCheck.stdoutText)")
    }

    @Test("open needs a pinned key: given, or remembered by a verify, unless --no-verify")
    func openNeedsPin() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        #expect(try await daemon.amanat(["submit", Paths.example("testimony.json")]).status == 0)
        let export = directory.file("export.sqlite")
        _ = try await Self.export(daemon, to: export)
        #expect(await daemon.stop() == 0)
        let arguments = ["open", export, "--key", key.keyFile, "--passphrase-file", key.passphraseFile,
                         "--heads", directory.file("heads")]
        let unpinned = try await run(Paths.binary("amanat-keyholder"), arguments)
        #expect(unpinned.status == 64 && unpinned.stdout.isEmpty, "\(unpinned.stderr)")
        #expect(unpinned.stderr.contains("no site key to verify against"), "\(unpinned.stderr)")
        let rewrap = try await run(
            Paths.binary("amanat-keyholder"),
            ["rewrap", export, "--key", key.keyFile, "--passphrase-file", key.passphraseFile, "--to", key.publicKey,
             "--heads", directory.file("heads"), "--out", directory.file("rewrap")]
        )
        #expect(rewrap.status == 64 && !FileManager.default.fileExists(atPath: directory.file("rewrap")), "\(rewrap.stderr)")
        let forced = try await run(Paths.binary("amanat-keyholder"), arguments + ["--no-verify"])
        #expect(forced.status == 0 && forced.stdoutLines.count == 1, "\(forced.stderr)")
        let signingKey = try #require(pinningOwnKey(export).last)
        let verified = try await Self.keyholder(["verify", export, "--signing-key", signingKey, "--heads", directory.file("heads")])
        #expect(verified.status == 0, "\(verified.stdoutText)")
        let remembered = try await run(Paths.binary("amanat-keyholder"), arguments)
        #expect(remembered.status == 0 && remembered.stdoutLines.count == 1, "\(remembered.stderr)")
    }
}
