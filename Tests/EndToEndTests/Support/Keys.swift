import AmanatCrypto
import AmanatFormat
import Foundation
import GRDB
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

    /// The rewrap-signing key derived from this key (`amanat-keyholder signer`), for amanatd's `--rewrap-signer`.
    func signer() async throws -> String {
        let outcome = try await run(Paths.binary("amanat-keyholder"), ["signer", keyFile, "--passphrase-file", passphraseFile])
        guard outcome.status == 0, let text = outcome.stdoutLines.last, text.hasPrefix("amanat-sig-") else {
            throw HarnessError("amanat-keyholder signer failed: \(outcome.stderr)")
        }
        return text
    }

    /// Runs `amanat-keyholder rewrap` on `database` with this key, resealing to `recipient`, into `out`, pinning
    /// the key the database names for itself.
    func rewrap(_ database: String, to recipient: String, out: String, extra: [String] = []) async throws -> Outcome {
        try await run(
            Paths.binary("amanat-keyholder"),
            ["rewrap", database, "--key", keyFile, "--passphrase-file", passphraseFile, "--to", recipient, "--out", out]
                + extra + pinningOwnKey(database)
        )
    }

    /// Runs `amanat-keyholder open` on `database` with this key, pinning the key the database names for itself
    /// (``pinningOwnKey(_:)``) unless `extra` pins one or says --no-verify.
    func open(_ database: String, extra: [String] = []) async throws -> Outcome {
        let pin = extra.contains("--signing-key") || extra.contains("--no-verify") ? [] : pinningOwnKey(database)
        return try await run(
            Paths.binary("amanat-keyholder"),
            ["open", database, "--key", keyFile, "--passphrase-file", passphraseFile] + extra + pin
        )
    }
}

/// `--signing-key` with the site key `database` names in its `site` table (none when it names none): for tests
/// of other things than pinning, which `open` and `rewrap` require. A real key holder gets the key from
/// `amanat signing-key`, by a separate path.
func pinningOwnKey(_ database: String) -> [String] {
    var readOnly = Configuration()
    readOnly.readonly = true
    guard let queue = try? DatabaseQueue(path: database, configuration: readOnly),
          let bytes = try? queue.read({ db in try Data.fetchOne(db, sql: "SELECT signing_key FROM site WHERE id = 1") }),
          let key = try? SigningPublicKey(bytes: [UInt8](bytes))
    else { return [] }
    try? queue.close()
    return ["--signing-key", key.text]
}
