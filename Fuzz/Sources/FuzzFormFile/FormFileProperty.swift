import AmanatFormFiles
import AmanatForms

/// The property FuzzFormFile checks, shared with the unit test that replays its corpus and regressions
/// (AmanatFormsTests' FuzzCorpusTests links this file): nothing traps; every refusal is one line; a form that loads
/// survives its JSON form (what amanatd serves on GET /v1/forms) unchanged. Returns the first broken rule, or nil.
func formFileViolation(_ bytes: [UInt8]) -> String? {
    // Invalid UTF-8 is refused before parsing by every caller; here it becomes U+FFFD so that the bytes still count.
    let text = String(decoding: bytes, as: UTF8.self)
    let form: Form
    do {
        form = try Form(toml: text)
    } catch {
        let message = error.description
        guard !message.isEmpty, !message.contains(where: \.isNewline) else {
            return "a form file refusal is empty or spans lines"
        }
        return nil
    }
    let again: Form
    do {
        again = try Form(json: form.json)
    } catch {
        return "a loaded form's JSON does not load: \(error)"
    }
    guard again == form else { return "a loaded form's JSON loads as another form" }
    return nil
}
