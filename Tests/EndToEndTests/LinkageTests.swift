import Foundation
import Testing

/// The daemon holds only public keys; its binary must not even contain the code that opens sealed boxes,
/// derives keys from passphrases, or parses secret key files.
@Suite("linkage")
struct LinkageTests {
    static let forbidden = ["crypto_box_seal_open", "crypto_box_open", "crypto_pwhash"]

    static func symbols(of binary: String) async throws -> String {
        let outcome = try await run("/usr/bin/env", ["nm", binary])
        #expect(outcome.status == 0, "nm failed: \(outcome.stderr)")
        return outcome.stdoutText
    }

    @Test("amanatd references no opening or key-derivation code, nor the AmanatKeys module")
    func daemonCannotDecrypt() async throws {
        let symbols = try await Self.symbols(of: Paths.binary("amanatd"))
        #expect(symbols.contains("crypto_box_seal"), "nm must see the sealing code, or this test proves nothing")
        for name in Self.forbidden {
            #expect(!symbols.contains(name), "amanatd references \(name)")
        }
        // Swift mangles the module name with its length: 10AmanatKeys.
        #expect(!symbols.contains("10AmanatKeys"), "amanatd links the AmanatKeys module")
        // It stores files' ciphertext and never encrypts or decrypts one (FORMAT.md section 13).
        #expect(!symbols.contains("crypto_secretstream"), "amanatd references a secretstream function")
        #expect(!symbols.contains(Self.mangled("AmanatFileSealing")), "amanatd links AmanatFileSealing")
        // It keeps drafts as the client sealed them (FORMAT.md section 15), and cannot open one.
        #expect(!symbols.contains(Self.mangled("AmanatDraftSealing")), "amanatd links AmanatDraftSealing")
        #expect(!symbols.contains("crypto_aead_xchacha20poly1305_ietf_decrypt"), "amanatd references AEAD decryption")
    }

    @Test("the key holder does contain the opening code (the check above can fail)")
    func keyHolderCanDecrypt() async throws {
        let symbols = try await Self.symbols(of: Paths.binary("amanat-keyholder"))
        #expect(symbols.contains("crypto_box_seal_open"))
        #expect(symbols.contains("10AmanatKeys"))
        #expect(symbols.contains("crypto_secretstream_xchacha20poly1305_pull"), "it opens attachments")
    }

    /// The modules under `Sources/` whose code mentions `function`, among those whose mark is in `symbols` (the
    /// modules a binary links) and `binary`'s own.
    static func sourcesCalling(_ function: String, in symbols: String, binary: String) throws -> [String] {
        let sources = Paths.root + "/Sources"
        var callers: [String] = []
        for module in try FileManager.default.contentsOfDirectory(atPath: sources).sorted()
        where module == binary || symbols.contains(mangled(module)) {
            let directory = sources + "/" + module
            let files = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
            for file in files where file.hasSuffix(".swift") {
                if try String(contentsOfFile: directory + "/" + file, encoding: .utf8).contains(function) {
                    callers.append(module)
                    break
                }
            }
        }
        return callers
    }

    /// toml++'s mark in C++ mangled symbols (`toml::v3::…`).
    static let tomlPlusPlus = "_ZN4toml"

    /// A module's mark in mangled symbols: Swift prefixes the name with its length.
    static func mangled(_ module: String) -> String { "\(module.utf8.count)\(module)" }

    @Test("the key holder links no archive writer, no daemon code and no receipt key file")
    func keyHolderLinksNoWriter() async throws {
        let symbols = try await Self.symbols(of: Paths.binary("amanat-keyholder"))
        #expect(symbols.contains(Self.mangled("AmanatArchive")), "it reads archives, or this test proves nothing")
        for module in ["AmanatStore", "AmanatServer", "AmanatIntake", "AmanatSigning"] {
            #expect(!symbols.contains(Self.mangled(module)), "amanat-keyholder links \(module)")
        }
        #expect(!symbols.contains("ReceiptKeyFile"), "amanat-keyholder links the receipt key file's code")
    }

    @Test("the volunteer CLI links no TOML (nor toml++), no form files, no archive, no crypto it does not call")
    func volunteerCLILinksLittle() async throws {
        let symbols = try await Self.symbols(of: Paths.binary("amanat"))
        #expect(symbols.contains(Self.mangled("AmanatForms")), "it reads forms, or this test proves nothing")
        for module in [
            "AmanatTOML", "TOMLKit", "AmanatFormFiles", "AmanatArchive", "AmanatStore", "AmanatKeys", "AmanatServer",
            "AmanatSealing", "AmanatSigning",
        ] {
            #expect(!symbols.contains(Self.mangled(module)), "amanat links \(module)")
        }
        // Nor toml++, the C++ parser under TOMLKit (namespace toml, mangled _ZN4toml), which amanatd does link.
        let daemon = try await Self.symbols(of: Paths.binary("amanatd"))
        #expect(daemon.contains(Self.tomlPlusPlus), "amanatd reads its config with toml++, or this proves nothing")
        #expect(!symbols.contains(Self.tomlPlusPlus), "amanat links toml++")
        // It verifies receipts, encrypts files and seals and opens its own drafts, nothing else: no sealing to a
        // recipient, no opening of a box, a key file or a file, no signing, no key derivation.
        let names = Set(symbols.split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) })
        #expect(names.contains("crypto_sign_verify_detached"), "amanat verifies receipts, or this test proves nothing")
        // Files are one exception: amanat encrypts them as it reads them (FORMAT.md section 13), but never
        // decrypts one.
        let uncalled = Self.forbidden + [
            "crypto_box_seal", "crypto_sign_detached", "crypto_sign_seed_keypair",
            "crypto_secretstream_xchacha20poly1305_init_pull", "crypto_secretstream_xchacha20poly1305_pull",
        ]
        for name in uncalled {
            #expect(!names.contains(name), "amanat references \(name)")
        }
        // The pull checks above prove something only if amanat does link the stream: it pushes every file it sends.
        #expect(symbols.contains(Self.mangled("AmanatFileSealing")), "amanat encrypts files with AmanatFileSealing")
        #expect(names.contains("crypto_secretstream_xchacha20poly1305_push"), "amanat encrypts files as it reads them")
        // Drafts are the other (FORMAT.md section 15): sealed and opened under a key derived from the volunteer's code,
        // by AmanatDraftSealing alone: no other module amanat links may call the AEAD, which the sources show (the
        // binary cannot say which module calls what).
        #expect(symbols.contains(Self.mangled("AmanatDraftSealing")), "amanat keeps drafts with AmanatDraftSealing")
        #expect(names.contains("crypto_aead_xchacha20poly1305_ietf_decrypt"), "amanat opens its own drafts")
        for function in ["crypto_aead_xchacha20poly1305_ietf_encrypt", "crypto_aead_xchacha20poly1305_ietf_decrypt"] {
            let callers = try Self.sourcesCalling(function, in: symbols, binary: "amanat")
            #expect(callers == ["AmanatDraftSealing"], "only AmanatDraftSealing may call \(function): \(callers)")
        }
    }
}
