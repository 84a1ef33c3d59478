import Foundation
import Glibc
import Testing

/// SLIP-39 threshold backups through the real key holder.
@Suite("threshold backups")
struct ShareTests {
    static func split(_ key: TestKey, in directory: TempDir, name: String, extra: [String] = []) async throws -> [String] {
        let outDir = directory.file(name)
        let outcome = try await run(
            Paths.binary("amanat-keyholder"),
            ["split", key.keyFile, "--threshold", "3", "--shares", "5", "--out-dir", outDir,
             "--passphrase-file", key.passphraseFile] + extra
        )
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty, "nothing secret on stdout")
        return (1...5).map { "\(outDir)/share-\($0)-of-5.txt" }
    }

    static func combine(_ shares: [String], in directory: TempDir, passphrase: String, extra: [String] = []) async throws -> Outcome {
        let out = directory.file("recovered-\(UUID().uuidString).key")
        return try await run(
            Paths.binary("amanat-keyholder"), ["combine", "--out", out, "--passphrase-file", passphrase] + extra + shares
        )
    }

    @Test("any 3 of 5 shares recover the key; the share files follow the key-file rules")
    func everySubset() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let shares = try await Self.split(key, in: directory, name: "shares")
        for share in shares {
            var info = stat()
            #expect(stat(share, &info) == 0 && info.st_mode & 0o777 == 0o600)
            let words = String(decoding: contents(share), as: UTF8.self).split(separator: " ")
            #expect(words.count == 33, "a 32-byte secret is 33 words")
        }
        var subsets: [[String]] = []
        for a in 0..<5 { for b in (a + 1)..<5 { for c in (b + 1)..<5 { subsets.append([shares[a], shares[b], shares[c]]) } } }
        #expect(subsets.count == 10)
        for subset in subsets {
            let outcome = try await Self.combine(subset, in: directory, passphrase: key.passphraseFile)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(outcome.stdoutLines.last == key.publicKey, "\(subset.map { ($0 as NSString).lastPathComponent })")
        }
        // Splitting again never overwrites existing share files.
        let again = try await run(
            Paths.binary("amanat-keyholder"),
            ["split", key.keyFile, "--threshold", "3", "--shares", "5", "--out-dir", directory.file("shares"),
             "--passphrase-file", key.passphraseFile]
        )
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exists"))
    }

    @Test("too few shares, mixed shares and a mistyped word are each reported; a wrong share passphrase gives another key")
    func failures() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let other = try await TestKey.make(in: directory, name: "other")
        let shares = try await Self.split(key, in: directory, name: "mine")
        let otherShares = try await Self.split(other, in: directory, name: "theirs")

        let tooFew = try await Self.combine(Array(shares.prefix(2)), in: directory, passphrase: key.passphraseFile)
        #expect(tooFew.status == 1)
        #expect(tooFew.stderr.contains("too few shares: 2 given, 3 needed"), "\(tooFew.stderr)")

        let mixed = try await Self.combine([shares[0], shares[1], otherShares[2]], in: directory, passphrase: key.passphraseFile)
        #expect(mixed.status == 1)
        #expect(mixed.stderr.contains("mnemonic 3 is from another set of shares"), "\(mixed.stderr)")
        #expect(!mixed.stdoutText.contains("amanat-pk-"))

        var words = String(decoding: contents(shares[0]), as: UTF8.self).split(separator: " ").map(String.init)
        words[5] = words[5] == "academic" ? "acid" : "academic"
        let typo = try directory.write("typo.txt", words.joined(separator: " "))
        let mistyped = try await Self.combine([typo, shares[1], shares[2]], in: directory, passphrase: key.passphraseFile)
        #expect(mistyped.status == 1)
        #expect(mistyped.stderr.contains("checksum") || mistyped.stderr.contains("word"), "\(mistyped.stderr)")
        for word in words { #expect(!mistyped.stderr.contains(" \(word) "), "the error must not repeat a share's words") }

        let sharePassphrase = try directory.write("share.pass", "river stone\n")
        let protected = try await Self.split(key, in: directory, name: "protected", extra: ["--share-passphrase-file", sharePassphrase])
        let right = try await Self.combine(Array(protected.prefix(3)), in: directory, passphrase: key.passphraseFile,
                                           extra: ["--share-passphrase-file", sharePassphrase])
        #expect(right.stdoutLines.last == key.publicKey)
        // SLIP-39 cannot detect a wrong share passphrase (by design: any passphrase gives a valid secret). What
        // shows it is the recovered public key, which differs from the one the key holder wrote down.
        let wrong = try await Self.combine(Array(protected.prefix(3)), in: directory, passphrase: key.passphraseFile)
        #expect(wrong.status == 0)
        let wrongKey = try #require(wrong.stdoutLines.last)
        #expect(wrongKey.hasPrefix("amanat-pk-") && wrongKey != key.publicKey, "\(wrong.stdoutText)")
    }
}
