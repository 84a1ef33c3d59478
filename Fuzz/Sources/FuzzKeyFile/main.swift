// libFuzzer target: the secret key file parser, `SecretKeyFile(text:)`.
//
// Invariant: a parsed file re-encodes to text that parses back to the same file (public key, Argon2id
// parameters, salt, nonce and ciphertext). `unlock` is never called: Argon2id at 256 MiB per input would
// leave the fuzzer a few executions a second.
import AmanatKeys

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // Invalid UTF-8 becomes U+FFFD, as `SecretKeyFile.read(path:)` decodes the file.
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let file = try? SecretKeyFile(text: text) else { return 0 }
    let encoded = file.encoded()
    let again: SecretKeyFile
    do {
        again = try SecretKeyFile(text: encoded)
    } catch {
        fatalError("SecretKeyFile.encoded() does not parse back: \(error)")
    }
    guard again.publicKey == file.publicKey, again.parameters == file.parameters else {
        fatalError("SecretKeyFile re-parsed with another public key or other parameters")
    }
    guard again == file else { fatalError("SecretKeyFile re-parsed with another salt, nonce or ciphertext") }
    return 0
}
