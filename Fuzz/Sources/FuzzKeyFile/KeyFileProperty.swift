import AmanatKeys

/// The property FuzzKeyFile checks, shared with the unit test that replays its corpus (AmanatKeysTests'
/// FuzzCorpusTests links this file): a parsed key file re-encodes to text that parses back to the same file (public
/// key, Argon2id parameters, salt, nonce and ciphertext). Returns the first broken rule, or nil. `unlock` is never
/// called: Argon2id at 256 MiB per input would leave the fuzzer a few executions a second.
func keyFileViolation(_ bytes: [UInt8]) -> String? {
    // Invalid UTF-8 becomes U+FFFD, as `SecretKeyFile.read(path:)` decodes the file.
    let text = String(decoding: bytes, as: UTF8.self)
    guard let file = try? SecretKeyFile(text: text) else { return nil }
    let again: SecretKeyFile
    do {
        again = try SecretKeyFile(text: file.encoded())
    } catch {
        return "SecretKeyFile.encoded() does not parse back: \(error)"
    }
    guard again.publicKey == file.publicKey, again.parameters == file.parameters else {
        return "SecretKeyFile re-parsed with another public key or other parameters"
    }
    guard again == file else { return "SecretKeyFile re-parsed with another salt, nonce or ciphertext" }
    return nil
}
