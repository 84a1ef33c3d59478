import AmanatCrypto
@testable import AmanatKeys
import Foundation
import Glibc
import Testing

@Suite struct KeyFileTests {
    /// A key file that parses but was never sealed, for tests that only write and read: no Argon2id work.
    private func unsealedFile() throws -> SecretKeyFile {
        let key = try RecipientSecretKey.generate()
        return SecretKeyFile(
            publicKey: key.publicKey, parameters: .moderate, salt: randomBytes(16), nonce: randomBytes(24),
            ciphertext: randomBytes(48)
        )
    }

    private func kind(_ body: () throws(KeyFileError) -> Void) -> KeyFileError.Kind? {
        do {
            try body()
            return nil
        } catch {
            return error.kind
        }
    }

    // MARK: - Round trip

    @Test func generateSealWriteReadUnlock() throws {
        let key = try RecipientSecretKey.generate()
        let passphrase = try secret("a round-trip passphrase")
        let file = try SecretKeyFile.seal(key, passphrase: passphrase)
        #expect(file.parameters == .moderate)
        #expect(file.publicKey == key.publicKey)

        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try file.write(path: directory.path("key"))
        #expect(directory.mode("key") == S_IFREG | 0o600)

        let text = String(decoding: try #require(directory.contents("key")), as: UTF8.self)
        #expect(text.contains("# public key: \(key.publicKey.text)\n"))
        #expect(text.contains("\nAMANAT-SECRET-KEY-1\n"))

        let read = try SecretKeyFile.read(path: directory.path("key"))
        #expect(read == file)
        let unlocked = try read.unlock(passphrase: passphrase)
        #expect(unlocked.publicKey == key.publicKey)
        #expect(unlocked.secret == key.secret)
    }

    @Test func wrongPassphraseIsReported() throws {
        let file = try SecretKeyFile.seal(try RecipientSecretKey.generate(), passphrase: try secret("right"))
        let wrong = try secret("wrong")
        // What a passphrase file's line ending would add if it were not stripped.
        let withNewline = try secret("right\n")
        #expect(kind { () throws(KeyFileError) in _ = try file.unlock(passphrase: wrong) } == .wrongPassphrase)
        #expect(kind { () throws(KeyFileError) in _ = try file.unlock(passphrase: withNewline) } == .wrongPassphrase)
    }

    // MARK: - Writing

    @Test func writeCreatesExclusivelyAndNeverOverwrites() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("key")
        try unsealedFile().write(path: path)
        let before = try #require(directory.contents("key"))
        #expect(directory.mode("key") == S_IFREG | 0o600)

        let second = try unsealedFile()
        #expect(kind { () throws(KeyFileError) in try second.write(path: path) } == .alreadyExists)
        #expect(directory.contents("key") == before)
        #expect(directory.mode("key") == S_IFREG | 0o600)
    }

    @Test func writeRefusesAnExistingFileWhateverItsMode() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Array("keep me".utf8), to: "key", mode: 0o644)
        let file = try unsealedFile()
        #expect(kind { () throws(KeyFileError) in try file.write(path: directory.path("key")) } == .alreadyExists)
        #expect(directory.contents("key") == Array("keep me".utf8))
        #expect(directory.mode("key") == S_IFREG | 0o644)
    }

    @Test func writeDoesNotFollowADanglingSymlink() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(symlink(directory.path("elsewhere"), directory.path("key")) == 0)
        let file = try unsealedFile()
        #expect(kind { () throws(KeyFileError) in try file.write(path: directory.path("key")) } == .alreadyExists)
        #expect(directory.mode("elsewhere") == nil, "the link's target was created")
    }

    // MARK: - Reading

    /// A permission mode, shown in octal in test results.
    struct Mode: Sendable, CustomTestStringConvertible {
        let bits: mode_t
        var testDescription: String { "0" + String(bits, radix: 8) }
    }

    @Test(arguments: [0o640, 0o604, 0o660, 0o620, 0o602, 0o644, 0o666, 0o610, 0o601, 0o704].map(Mode.init))
    func groupOrWorldAccessIsRefused(_ mode: Mode) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Array(try unsealedFile().encoded().utf8), to: "key", mode: mode.bits)
        #expect(directory.mode("key").map { $0 & 0o777 } == mode.bits, "the test did not set the mode it meant to")
        #expect(kind { () throws(KeyFileError) in _ = try SecretKeyFile.read(path: directory.path("key")) }
            == .permissionsTooOpen)
    }

    @Test(arguments: [0o600, 0o400].map(Mode.init))
    func ownerOnlyAccessIsAccepted(_ mode: Mode) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try unsealedFile()
        try directory.write(Array(file.encoded().utf8), to: "key", mode: mode.bits)
        #expect(try SecretKeyFile.read(path: directory.path("key")) == file)
    }

    @Test func aSymlinkIsRefusedEvenToAGoodFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Array(try unsealedFile().encoded().utf8), to: "key", mode: 0o600)
        #expect(symlink(directory.path("key"), directory.path("link")) == 0)
        do {
            _ = try SecretKeyFile.read(path: directory.path("link"))
            Issue.record("a symlink was followed")
        } catch {
            guard case .io = error.kind else {
                Issue.record("expected an I/O refusal, got \(error.kind)")
                return
            }
            #expect(error.path == directory.path("link"))
        }
    }

    @Test func aDirectoryAMissingFileAndAnOversizedFileAreRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(mkdir(directory.path("dir"), 0o700) == 0)
        #expect(kind { () throws(KeyFileError) in _ = try SecretKeyFile.read(path: directory.path("dir")) }
            == .io("not a regular file"))
        let missing = kind { () throws(KeyFileError) in _ = try SecretKeyFile.read(path: directory.path("absent")) }
        guard case .io = missing else {
            Issue.record("expected an I/O error for a missing file, got \(String(describing: missing))")
            return
        }
        try directory.write([UInt8](repeating: 0x23, count: 65_537), to: "big", mode: 0o600)
        #expect(kind { () throws(KeyFileError) in _ = try SecretKeyFile.read(path: directory.path("big")) }
            == .badFormat)
    }

    // MARK: - Passphrase files

    /// A passphrase of the greatest accepted length.
    static let p1024 = String(repeating: "p", count: 1024)

    /// A passphrase file's content and the passphrase expected from it (nil: refused).
    struct PassphraseFile: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let content: String
        let expected: String?

        init(_ label: String, _ content: String, _ expected: String?) {
            self.testDescription = label
            self.content = content
            self.expected = expected
        }
    }

    /// FORMAT.md 3.4: the passphrase is the bytes before the first LF (or the whole file), less one final
    /// CR, and at most 1024 bytes.
    @Test(arguments: [
        PassphraseFile("first line only", "first\nsecond\n", "first"),
        PassphraseFile("CRLF stripped", "pass phrase\r\n", "pass phrase"),
        PassphraseFile("no final newline", "pass phrase", "pass phrase"),
        PassphraseFile("CR inside kept", "a\rb\n", "a\rb"),
        PassphraseFile("only one CR stripped", "ab\r\r\n", "ab\r"),
        PassphraseFile("spaces kept", " padded \n", " padded "),
        PassphraseFile("UTF-8", "құпия сөз 🔑\n", "құпия сөз 🔑"),
        PassphraseFile("empty first line", "\nsecond\n", ""),
        PassphraseFile("1024 bytes", KeyFileTests.p1024 + "\n", KeyFileTests.p1024),
        PassphraseFile("1024 bytes at end of file", KeyFileTests.p1024, KeyFileTests.p1024),
        PassphraseFile("1024 bytes and CRLF", KeyFileTests.p1024 + "\r\n", KeyFileTests.p1024),
        PassphraseFile("1025 bytes", KeyFileTests.p1024 + "p" + "\n", nil),
        PassphraseFile("1025 bytes at end of file", KeyFileTests.p1024 + "p", nil),
        PassphraseFile("1025 bytes and CRLF", KeyFileTests.p1024 + "p" + "\r\n", nil),
        PassphraseFile("4096 bytes", String(repeating: KeyFileTests.p1024, count: 4) + "\n", nil),
        // Must not be cut to its first 1024 bytes by taking the CR for the line's end.
        PassphraseFile("1024 bytes, CR, more", KeyFileTests.p1024 + "\rmore\n", nil),
    ])
    func passphraseFile(_ file: PassphraseFile) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Array(file.content.utf8), to: "pass", mode: 0o600)
        if let expected = file.expected {
            #expect(try Passphrase.read(file: directory.path("pass")) == (try secret(expected)))
        } else {
            #expect(throws: Passphrase.Failure.self) { _ = try Passphrase.read(file: directory.path("pass")) }
        }
    }

    @Test func missingPassphraseFileIsAFailure() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(throws: Passphrase.Failure.self) { _ = try Passphrase.read(file: directory.path("absent")) }
    }

    // MARK: - Secrecy of error texts

    /// Plants a marker passphrase and known secret bytes, provokes every failure that could see them, and
    /// checks that no error text or debug description contains them.
    @Test func errorTextsNeverContainThePassphraseOrSecretBytes() throws {
        let marker = "MARKER-9f3a1c-do-not-echo"
        let vector = try #require(Vector.load("keyfile").first { $0.name == "ok" })
        let secretHex = try vector.field("secret_key")
        let secretBase64 = Data(try #require(Hex.decode(secretHex))).base64EncodedString()
        let publicKeyComment = "# public key: \(try vector.field("public_key"))"
        let file = try SecretKeyFile(text: String(decoding: vector.body, as: UTF8.self))
        var texts: [String] = []
        func collect(_ error: any Error) {
            texts.append("\(error)")
            texts.append(String(reflecting: error))
        }

        let markerPassphrase = try secret(marker)
        #expect("\(markerPassphrase)" == "<redacted \(marker.utf8.count) bytes>")
        do {
            _ = try file.unlock(passphrase: markerPassphrase)
            Issue.record("a wrong passphrase unlocked the file")
        } catch {
            #expect(error.kind == .wrongPassphrase)
            collect(error)
        }

        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Array(String(repeating: marker, count: 60).utf8), to: "long", mode: 0o600)
        do {
            _ = try Passphrase.read(file: directory.path("long"))
            Issue.record("an over-long passphrase file was accepted")
        } catch {
            collect(error)
        }

        // Key files whose text carries the marker or the secret in places a parser might echo.
        let hostile = [
            "AMANAT-SECRET-KEY-1\n\(marker)\n",
            String(decoding: vector.body, as: UTF8.self)
                .replacingOccurrences(of: publicKeyComment, with: "# public key: \(marker)"),
            "\(secretHex)\nAMANAT-SECRET-KEY-1\n\(secretBase64)\n",
            "AMANAT-SECRET-KEY-1\n\(secretBase64)\n",
        ]
        for (index, text) in hostile.enumerated() {
            do {
                _ = try SecretKeyFile(text: text)
                Issue.record("hostile text \(index) parsed")
            } catch {
                collect(error)
            }
            // 0600, as a real key file: a group- or world-readable file is refused on its mode before the parser
            // sees it, and the point here is what the parser's errors say.
            try directory.write(Array(text.utf8), to: "hostile-\(index)", mode: 0o600)
            do {
                _ = try SecretKeyFile.read(path: directory.path("hostile-\(index)"))
                Issue.record("hostile file \(index) was read")
            } catch {
                // The parser refused it, not the mode check: otherwise its error texts were never produced.
                #expect(error.kind != .permissionsTooOpen, "hostile file \(index) was refused on its mode")
                collect(error)
            }
        }

        // The unlocked key itself prints nothing secret either.
        let key = try file.unlock(passphrase: try secret(try vector.field("passphrase")))
        var dumped = ""
        dump(key, to: &dumped)
        texts.append(dumped)
        texts.append("\(key.secret)")

        #expect(texts.count >= 12)
        for text in texts {
            #expect(!text.contains(marker), "\(text)")
            #expect(!text.lowercased().contains(secretHex), "\(text)")
            #expect(!text.contains(secretBase64), "\(text)")
        }
    }
}
