import AmanatFormFiles
import AmanatForms
import Foundation

/// The form amanatd ships, config/forms/testimony.toml, read from this checkout once per process, so that the
/// fuzzer always validates against the form as it is now.
let shippedForm: Form = {
    let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // FuzzHTTPRequest
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()  // Fuzz
        .deletingLastPathComponent()  // the repository
    let path = root.appendingPathComponent("config/forms/testimony.toml").path
    do {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try Form(toml: text)
    } catch {
        fatalError("FuzzHTTPRequest: cannot load \(path): \(error)")
    }
}()
