// libFuzzer target: the secret key file parser, `SecretKeyFile(text:)`.
//
// Invariant (KeyFileProperty.swift, which `make test` also runs on the corpus): a parsed file re-encodes to text
// that parses back to the same file.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let violation = keyFileViolation(Array(UnsafeBufferPointer(start: data, count: size))) {
        fatalError(violation)
    }
    return 0
}
