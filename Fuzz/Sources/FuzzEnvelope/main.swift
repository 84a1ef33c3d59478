// libFuzzer target: the envelope parser, `Envelope(decoding:)`, and `KeyRing.open` behind it.
//
// Invariants (EnvelopeProperty.swift, which `make test` also runs on the corpus): an envelope that parses encodes
// back to exactly the input bytes; `KeyRing.open` throws or returns, never traps, and refuses an envelope asked for
// under the wrong section.

/// Runs once before the first input, so that loading the test key (Argon2id) is not charged to an input's time.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutableRawPointer, _ argv: UnsafeMutableRawPointer) -> CInt {
    _ = keyRing
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let violation = envelopeViolation(Array(UnsafeBufferPointer(start: data, count: size)), keyRing: keyRing) {
        fatalError(violation)
    }
    return 0
}
