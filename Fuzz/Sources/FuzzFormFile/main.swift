// libFuzzer target: form files, `Form(toml:)`, which is TOMLKit (toml++) followed by the project's own rules
// (`StrictTOML`: no floats, dates, times or NULs; then the form schema: unknown keys refused, types checked).
//
// Invariants (FormFileProperty.swift, which `make test` also runs on the corpus): nothing traps; every refusal is
// one line; a form that loads survives its JSON form unchanged. Leak detection is off for this target
// (scripts/fuzz.sh): TOMLKit 0.6.0 never frees a parsed document.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let violation = formFileViolation(Array(UnsafeBufferPointer(start: data, count: size))) {
        fatalError(violation)
    }
    return 0
}
