import AmanatFormFiles
import AmanatForms
import Foundation

/// The form amanatd ships, config/forms/testimony.toml, read from this checkout once per process, so that the
/// fuzzer always validates against the form as it is now. The repository is found by walking up from this file,
/// which the unit tests also compile (through a symlink, at another depth).
let shippedForm: Form = {
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while directory.path != "/" {
        let path = directory.appendingPathComponent("config/forms/testimony.toml").path
        if FileManager.default.fileExists(atPath: path) {
            do {
                return try Form(toml: try String(contentsOfFile: path, encoding: .utf8))
            } catch {
                fatalError("FuzzHTTPRequest: cannot load \(path): \(error)")
            }
        }
        directory = directory.deletingLastPathComponent()
    }
    fatalError("FuzzHTTPRequest: no config/forms/testimony.toml above \(#filePath)")
}()
