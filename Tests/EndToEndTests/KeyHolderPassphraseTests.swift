import Foundation
import Glibc
import Testing

/// A new key file's passphrase, chosen the way a key holder does: typed at the real `amanat-keyholder` on a
/// terminal, generated, or read from a file. Weak ones are refused with an estimate, never written.
@Suite("key holder passphrases")
struct KeyHolderPassphraseTests {
    static let strong = "the quick Жаркент lorry ate 17 green umbrellas"

    static func environment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "dumb"
        return environment
    }

    /// The passphrase unlocks the key file: `signer` derives from the secret key, so it must unlock it.
    static func unlocks(_ keyFile: String, with passphrase: String, in directory: TempDir) async throws -> Bool {
        let file = try directory.write("check-\(UUID().uuidString).pass", passphrase + "\n")
        let outcome = try await run(Paths.binary("amanat-keyholder"), ["signer", keyFile, "--passphrase-file", file])
        return outcome.status == 0 && outcome.stdoutLines.last?.hasPrefix("amanat-sig-") == true
    }

    /// `amanat-keyholder init` on a fresh terminal, writing `holder.key` in `directory`.
    static func initOnTerminal(in directory: TempDir) throws -> (terminal: PseudoTerminal, keyFile: String) {
        let keyFile = directory.file("holder.key")
        let terminal = try PseudoTerminal(
            Paths.binary("amanat-keyholder"), ["init", "--out", keyFile],
            environment: environment(), directory: directory.path
        )
        return (terminal, keyFile)
    }

    @Test("init on a terminal refuses `a` with an estimate, then takes a strong passphrase typed twice")
    func terminalRefusesWeakAcceptsStrong() async throws {
        let directory = try TempDir()
        let (terminal, keyFile) = try Self.initOnTerminal(in: directory)
        try terminal.expect("passphrase for the new key (Enter alone for 6 random words): ")
        try terminal.type("a\r")
        // The explanation is wrapped to the terminal: compare it with its lines joined.
        let refusal = try terminal.expect("passphrase for the new key (Enter alone for 6 random words): ")
            .replacingOccurrences(of: "\r\n", with: " ")
        #expect(refusal.contains("passphrase too weak, about 10^1 guesses (4 bits)"), "\(refusal)")
        #expect(refusal.contains("one GPU tries about 10^3 passphrases a second"), "\(refusal)")
        #expect(refusal.contains("(3 passes over 256 MiB)"), "\(refusal)")
        #expect(refusal.contains("at least 10^16 guesses"), "\(refusal)")
        #expect(!FileManager.default.fileExists(atPath: keyFile))
        try terminal.type("qwerty123\r")
        let second = try terminal.expect("passphrase for the new key (Enter alone for 6 random words): ")
            .replacingOccurrences(of: "\r\n", with: " ")
        #expect(second.contains("it is one of the most common passwords"), "\(second)")
        try terminal.type(Self.strong + "\r")
        try terminal.expect("repeat the passphrase: ")
        try terminal.type(Self.strong + "\r")
        try terminal.expect("amanat-pk-")
        #expect(try terminal.finish() == 0)
        #expect(terminal.output.firstRange(of: Array(Self.strong.utf8)) == nil, "echo is off: it never shows")
        #expect(try await Self.unlocks(keyFile, with: Self.strong, in: directory))
    }

    @Test("Enter alone at the prompt generates six words, shows them once and has them typed back")
    func generatedAtThePrompt() async throws {
        let directory = try TempDir()
        let (terminal, keyFile) = try Self.initOnTerminal(in: directory)
        try terminal.expect("(Enter alone for 6 random words): ")
        try terminal.type("\r")
        try terminal.expect("It is shown only this once: write it down now.")
        let shown = try terminal.expect("press Enter when it is written down: ")
        let line = try #require(shown.components(separatedBy: "\r\n").first { $0.hasPrefix("    ") })
        let phrase = line.trimmingCharacters(in: .whitespaces)
        #expect(phrase.split(separator: " ").count == 6, "\(phrase)")
        try terminal.type("\r")
        try terminal.expect("type the passphrase back, to check what was written down: ")
        try terminal.type("not the words\r")
        try terminal.expect("that is not it")
        try terminal.type(phrase + "\r")
        try terminal.expect("amanat-pk-")
        #expect(try terminal.finish() == 0)
        let text = String(decoding: terminal.output, as: UTF8.self)
        #expect(text.components(separatedBy: phrase).count == 2, "shown exactly once")
        #expect(try await Self.unlocks(keyFile, with: phrase, in: directory))
    }

    @Test("a weak passphrase file is refused by init, passwd and combine, with the estimate and a hint")
    func weakFilesAreRefused() async throws {
        let directory = try TempDir()
        let weak = try directory.write("weak.pass", "qwerty123\n")
        let keyFile = directory.file("new.key")
        let initOutcome = try await run(
            Paths.binary("amanat-keyholder"), ["init", "--out", keyFile, "--passphrase-file", weak]
        )
        #expect(initOutcome.status == 1)
        let expected = "amanat-keyholder: error: passphrase too weak, about 10^2 guesses (8 bits): "
            + "it is one of the most common passwords\n"
        #expect(initOutcome.stderr.hasPrefix(expected), "\(initOutcome.stderr)")
        #expect(initOutcome.stderr.contains("amanat-keyholder: hint: with the key file, one GPU tries about 10^3"))
        #expect(initOutcome.stderr.contains("--generate-passphrase"))
        #expect(!initOutcome.stderr.contains("qwerty"), "the passphrase is never echoed")
        #expect(initOutcome.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: keyFile))

        let key = try await TestKey.make(in: directory)
        let before = contents(key.keyFile)
        let passwd = try await run(
            Paths.binary("amanat-keyholder"),
            ["passwd", key.keyFile, "--passphrase-file", key.passphraseFile, "--new-passphrase-file", weak]
        )
        #expect(passwd.status == 1)
        #expect(passwd.stderr.contains("error: passphrase too weak"), "\(passwd.stderr)")
        #expect(contents(key.keyFile) == before, "the key file keeps its passphrase")

        let shares = directory.file("shares")
        let split = try await run(
            Paths.binary("amanat-keyholder"),
            ["split", key.keyFile, "--threshold", "2", "--shares", "2", "--out-dir", shares,
             "--passphrase-file", key.passphraseFile]
        )
        #expect(split.status == 0, "\(split.stderr)")
        let combined = directory.file("combined.key")
        let combine = try await run(
            Paths.binary("amanat-keyholder"),
            ["combine", "--out", combined, "--passphrase-file", weak, "\(shares)/share-1-of-2.txt",
             "\(shares)/share-2-of-2.txt"]
        )
        #expect(combine.status == 1)
        #expect(combine.stderr.contains("error: passphrase too weak"), "\(combine.stderr)")
        #expect(!FileManager.default.fileExists(atPath: combined))
    }

    @Test("--generate-passphrase cannot be combined with a passphrase file")
    func generateNeedsTheTerminal() async throws {
        let directory = try TempDir()
        let file = try directory.write("strong.pass", Self.strong + "\n")
        let outcome = try await run(
            Paths.binary("amanat-keyholder"),
            ["init", "--out", directory.file("k.key"), "--passphrase-file", file, "--generate-passphrase"]
        )
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains("--generate-passphrase shows the passphrase on the terminal"))
    }
}
