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
    }

    @Test("the key holder does contain the opening code (the check above can fail)")
    func keyHolderCanDecrypt() async throws {
        let symbols = try await Self.symbols(of: Paths.binary("amanat-keyholder"))
        #expect(symbols.contains("crypto_box_seal_open"))
        #expect(symbols.contains("10AmanatKeys"))
    }
}
