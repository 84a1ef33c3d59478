// libFuzzer target: form files, `Form(toml:)`, which is TOMLKit (toml++) followed by the project's own rules
// (`StrictTOML`: no floats, dates, times or NULs; then the form schema: unknown keys refused, types checked).
//
// Invariants: nothing traps; every refusal is one line; a form that loads survives its JSON form (what amanatd
// serves on GET /v1/forms) unchanged. Leak detection is off for this target (scripts/fuzz.sh): TOMLKit 0.6.0
// never frees a parsed document.
import AmanatFormFiles
import AmanatForms

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // Invalid UTF-8 is refused before parsing by every caller; here it becomes U+FFFD so that the bytes still count.
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let form: Form
    do {
        form = try Form(toml: text)
    } catch {
        let message = error.description
        guard !message.isEmpty, !message.contains(where: \.isNewline) else {
            fatalError("a form file refusal is empty or spans lines")
        }
        return 0
    }
    let again: Form
    do {
        again = try Form(json: form.json)
    } catch {
        fatalError("a loaded form's JSON does not load: \(error)")
    }
    guard again == form else { fatalError("a loaded form's JSON loads as another form") }
    return 0
}
