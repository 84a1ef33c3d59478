import Foundation
import Testing

/// A key made by the real `amanat-keyholder init`.
struct TestKey: Sendable {
    let keyFile: String
    let passphraseFile: String
    let publicKey: String

    /// Makes a key in `directory`, under `passphrase` (a fresh one when nil).
    static func make(in directory: TempDir, name: String = "holder", passphrase text: String? = nil) async throws -> TestKey {
        let passphrase = try directory.write("\(name).pass", (text ?? "correct horse \(name) \(UUID().uuidString)") + "\n")
        let keyFile = directory.file("\(name).key")
        let outcome = try await run(
            Paths.binary("amanat-keyholder"), ["init", "--out", keyFile, "--passphrase-file", passphrase]
        )
        guard outcome.status == 0, let publicKey = outcome.stdoutLines.last else {
            throw HarnessError("amanat-keyholder init failed: \(outcome.stderr)")
        }
        return TestKey(keyFile: keyFile, passphraseFile: passphrase, publicKey: publicKey)
    }

    /// Runs `amanat-keyholder open` on `database` with this key.
    func open(_ database: String, extra: [String] = []) async throws -> Outcome {
        try await run(
            Paths.binary("amanat-keyholder"),
            ["open", database, "--key", keyFile, "--passphrase-file", passphraseFile] + extra
        )
    }
}
