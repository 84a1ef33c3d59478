/// The rules a form obeys however it is written (a TOML file, or the JSON amanatd serves).
extension Form {
    /// Whether `text` is a form id (hyphens allowed) or a field name: `[a-z][a-z0-9_]{0,63}`.
    package static func isIdentifier(_ text: String, allowingHyphen: Bool) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= 64, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first)
        else { return false }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_") || (allowingHyphen && byte == UInt8(ascii: "-"))
        }
    }

    package static func checkUniqueNames(_ fields: [FormField], path: String) throws(FormError) {
        var seen: Set<String> = []
        for field in fields where !seen.insert(field.name).inserted {
            throw FormError("\(path): field \"\(field.name)\" is defined twice")
        }
    }
}

extension FormField {
    /// Default limits where a form gives none, so that no field is unbounded.
    package static let defaultMaxLength: [FieldType: Int] = [.line: 500, .text: 20_000]
    package static let defaultMaxItems = 50
}
