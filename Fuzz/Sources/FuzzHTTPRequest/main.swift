// libFuzzer target: an HTTP/1.1 request with its JSON body, through amanatd's validation.
//
// Invariants (HTTPRequestProperty.swift and Validation.swift, which `make test` also runs on the corpus): nothing
// traps; every parsed JSON document and every validated section round-trips through canonical JSON.

/// Runs once before the first input, so that loading the shipped form is not charged to an input's time.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutableRawPointer, _ argv: UnsafeMutableRawPointer) -> CInt {
    _ = shippedForm
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let violation = httpRequestViolation(Array(UnsafeBufferPointer(start: data, count: size))) {
        fatalError(violation)
    }
    return 0
}
