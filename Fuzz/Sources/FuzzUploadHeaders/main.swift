// libFuzzer target: amanatd's upload headers (Upload-Length, Upload-Offset, Upload-Complete), RFC 9651 structured
// fields read by `UploadHeaders` (AmanatServer/UploadHeaders.swift, compiled here through a symlink).
//
// Invariants (UploadHeadersProperty.swift, which `make test` also runs on the corpus): a header is taken exactly
// when an independent reading of RFC 9651's Integer or Boolean takes it, with the same value; a refusal is one
// line that names the header and never its value; what amanatd answers with (`UploadHeaders.state`) reads back.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let violation = uploadHeadersViolation(Array(UnsafeBufferPointer(start: data, count: size))) {
        fatalError(violation)
    }
    return 0
}
