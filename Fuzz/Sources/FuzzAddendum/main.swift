// libFuzzer target: the body of an addendum (POST /v1/records/{id}/addenda): amanatd's `IntakeCore.evidenceBody`,
// then `Form.validateAddendum` against the shipped form and against no form (the record's form no longer
// loaded), then the sealed plaintext (`IntakeCore.addendumPlaintext`).
//
// Invariants (AddendumProperty.swift, which `make test` also runs on the corpus): an accepted addendum has text in
// NFC of at most 20000 code points and only testimony fields of the form; validating what was accepted again gives
// the same addendum; its plaintext is canonical JSON holding exactly it; a refusal is one line.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let violation = addendumViolation(Array(UnsafeBufferPointer(start: data, count: size))) {
        fatalError(violation)
    }
    return 0
}
