import AmanatFormFiles
public import AmanatForms
import Foundation

/// The forms a report labels fields with, read from a directory of form files (`*.toml`, as amanatd reads).
///
/// Unlike amanatd, which must not start with half its forms, a report makes do with what it finds: a missing
/// directory or a bad file is only a problem to mention, and fields of a form it lacks are shown by name.
public struct FormLibrary: Sendable {
    /// The forms found, by id.
    public private(set) var forms: [String: Form] = [:]
    /// What could not be read, one line each (a path and a reason; never field values).
    public private(set) var problems: [String] = []

    /// No forms at all: every field is shown by its stored name.
    public init() {}

    /// The given forms.
    public init(forms: [Form]) {
        for form in forms { self.forms[form.id] = form }
    }

    /// Every `*.toml` file in `directory` that reads as a form. A form id seen twice keeps the higher version.
    public init(directory: String) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            problems.append("cannot read forms directory \(directory)")
            return
        }
        for name in names.sorted() where name.hasSuffix(".toml") {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
            else {
                problems.append("cannot read form file \(path)")
                continue
            }
            do {
                let form = try Form(toml: text)
                if let other = forms[form.id], other.version >= form.version { continue }
                forms[form.id] = form
            } catch {
                problems.append("\(path): \(error.message)")
            }
        }
        if forms.isEmpty && problems.isEmpty { problems.append("no form files (*.toml) in \(directory)") }
    }

    /// The form with `id`, of whatever version was found.
    public func form(id: String) -> Form? {
        forms[id]
    }
}
