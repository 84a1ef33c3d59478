import AmanatFormFiles
public import AmanatForms
import Foundation

/// The forms amanatd serves, loaded from `*.toml` files in one directory.
public struct FormCatalog: Sendable {
    /// The forms, sorted by id.
    public let forms: [Form]

    /// Loads every `*.toml` file in `directory`. Any bad file, or two forms with one id, is an error
    /// naming the file: a daemon must not start with half its forms.
    public init(directory: String) throws(FormError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw FormError("cannot read forms directory \(directory)")
        }
        var forms: [String: Form] = [:]
        for name in names.sorted() where name.hasSuffix(".toml") {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw FormError("cannot read form file \(path)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw FormError("\(path): not valid UTF-8")
            }
            let form: Form
            do {
                form = try Form(toml: text)
            } catch {
                throw FormError("\(path): \(error.message)")
            }
            guard forms[form.id] == nil else { throw FormError("\(path): a form with id \"\(form.id)\" is already loaded") }
            forms[form.id] = form
        }
        guard !forms.isEmpty else { throw FormError("no form files (*.toml) in \(directory)") }
        self.forms = forms.values.sorted { $0.id < $1.id }
    }

    /// The form with `id`.
    public func form(id: String) -> Form? {
        forms.first { $0.id == id }
    }
}
