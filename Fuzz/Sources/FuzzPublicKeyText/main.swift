// libFuzzer target: the public key's text parser, `RecipientPublicKey(text:)`.
//
// Invariant (PublicKeyTextProperty.swift, which `make test` also runs on the corpus): a key's text form is
// canonical.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let violation = publicKeyTextViolation(Array(UnsafeBufferPointer(start: data, count: size))) {
        fatalError(violation)
    }
    return 0
}
