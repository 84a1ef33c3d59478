/// A testimony that fits its form, split into the three sections, every string in NFC.
public struct ValidatedTestimony: Sendable, Equatable {
    /// The form's id.
    public var formID: String
    /// The form's version.
    public var formVersion: Int
    /// The fields of each section that were given, by name. Absent optional fields are left out.
    public var sections: [Section: [String: JSONValue]]

    /// The canonical JSON of one section's fields: what is stored in clear, or sealed.
    public func canonicalJSON(_ section: Section) -> [UInt8] {
        JSONValue.object(sections[section] ?? [:]).canonicalBytes()
    }
}

extension Form {
    /// Checks `fields` (the submission's `fields` object) against the form.
    ///
    /// `null`, an empty string and an empty list all mean "not given". Unknown fields are refused,
    /// never stored. Strings are normalised to NFC before their length is measured.
    public func validate(fields: JSONValue) throws(ValidationError) -> ValidatedTestimony {
        guard case .object(let given) = fields else {
            throw ValidationError(.notAnObject, field: nil, "\"fields\" must be an object")
        }
        let values = try Self.validateObject(given, against: self.fields, path: nil)
        var sections: [Section: [String: JSONValue]] = [.clear: [:], .identity: [:], .testimony: [:]]
        for field in self.fields {
            if let value = values[field.name] { sections[field.section, default: [:]][field.name] = value }
        }
        return ValidatedTestimony(formID: id, formVersion: version, sections: sections)
    }

    static func validateObject(
        _ given: [String: JSONValue], against fields: [FormField], path: String?
    ) throws(ValidationError) -> [String: JSONValue] {
        let known = Set(fields.map(\.name))
        if given.keys.contains(where: { !known.contains($0) }) {
            // The unknown name itself is submitted content, so it is not repeated.
            let place = path.map { "\($0) has" } ?? "the testimony has"
            throw ValidationError(.unknownField, field: path, "\(place) a field that the form does not define")
        }
        var out: [String: JSONValue] = [:]
        for field in fields {
            let fieldPath = path.map { "\($0).\(field.name)" } ?? field.name
            if let value = given[field.name], !isEmpty(value) {
                out[field.name] = try field.validate(value, path: fieldPath)
            } else if field.required {
                throw ValidationError(.missingField, field: fieldPath, "\(fieldPath) is required")
            }
        }
        return out
    }

    private static func isEmpty(_ value: JSONValue) -> Bool {
        switch value {
        case .null: true
        case .string(let text): text.isEmpty
        case .array(let items): items.isEmpty
        default: false
        }
    }
}

extension FormField {
    func validate(_ value: JSONValue, path: String) throws(ValidationError) -> JSONValue {
        switch type {
        case .line, .text:
            guard case .string(let raw) = value else { throw wrongType(path, "a string") }
            let text = raw.nfc
            let scalars = try checkCharacters(text, path: path, multiline: type == .text)
            if let maxLength, scalars > maxLength {
                throw ValidationError(.tooLong, field: path, "\(path) is longer than \(maxLength) characters")
            }
            return .string(text)
        case .date:
            guard case .string(let text) = value else { throw wrongType(path, "a date string") }
            guard Self.isValidDate(text) else {
                throw ValidationError(.invalidValue, field: path, "\(path) must be a date as YYYY, YYYY-MM or YYYY-MM-DD")
            }
            return .string(text)
        case .enumeration:
            guard case .string(let text) = value else { throw wrongType(path, "a string") }
            try checkOption(text, path: path)
            return .string(text)
        case .enumerationList:
            guard case .array(let items) = value else { throw wrongType(path, "a list of strings") }
            try checkCount(items.count, path: path)
            var seen: Set<String> = []
            for item in items {
                guard case .string(let text) = item else { throw wrongType(path, "a list of strings") }
                try checkOption(text, path: path)
                guard seen.insert(text).inserted else {
                    throw ValidationError(.invalidValue, field: path, "\(path) lists the same value twice")
                }
            }
            return value
        case .bool:
            guard case .bool = value else { throw wrongType(path, "true or false") }
            return value
        case .records:
            guard case .array(let items) = value else { throw wrongType(path, "a list of objects") }
            try checkCount(items.count, path: path)
            var out: [JSONValue] = []
            for (index, item) in items.enumerated() {
                let itemPath = "\(path)[\(index)]"
                guard case .object(let object) = item else { throw wrongType(itemPath, "an object") }
                out.append(.object(try Form.validateObject(object, against: subfields, path: itemPath)))
            }
            return .array(out)
        }
    }

    private func wrongType(_ path: String, _ expected: String) -> ValidationError {
        ValidationError(.wrongType, field: path, "\(path) must be \(expected)")
    }

    private func checkOption(_ text: String, path: String) throws(ValidationError) {
        guard options.contains(where: { $0.value == text }) else {
            let allowed = options.map(\.value).joined(separator: ", ")
            throw ValidationError(.invalidValue, field: path, "\(path) must be one of: \(allowed)")
        }
    }

    private func checkCount(_ count: Int, path: String) throws(ValidationError) {
        if let maxItems, count > maxItems {
            throw ValidationError(.tooManyItems, field: path, "\(path) has more than \(maxItems) entries")
        }
    }

    /// Refuses control characters (C0 but tab, line feed and carriage return in multi-line text; DEL; C1) and,
    /// in one-line fields, U+2028 and U+2029; returns the number of Unicode scalars. One pass over the UTF-8
    /// bytes: a String's UTF-8 is always valid, so every scalar starts with a byte that is not 10xxxxxx.
    private func checkCharacters(_ text: String, path: String, multiline: Bool) throws(ValidationError) -> Int {
        var text = text
        var refused = false
        var scalars = 0
        text.withUTF8 { bytes in
            let count = bytes.count
            var index = 0
            while index < count {
                let byte = bytes[index]
                if byte < 0x20 {
                    // U+2028 and U+2029 are line breaks too, and would sneak a second line into a one-line field.
                    guard multiline && (byte == 0x09 || byte == 0x0A || byte == 0x0D) else { refused = true; return }
                } else if byte == 0x7F {
                    refused = true; return
                } else if byte == 0xC2, index + 1 < count, bytes[index + 1] <= 0x9F {
                    // U+0080…U+009F are C2 80…C2 9F.
                    refused = true; return
                } else if byte == 0xE2, !multiline, index + 2 < count, bytes[index + 1] == 0x80,
                    bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9
                {
                    refused = true; return
                }
                if byte & 0xC0 != 0x80 { scalars += 1 }
                index += 1
            }
        }
        if refused {
            let what = multiline ? "control characters" : "line breaks or control characters"
            throw ValidationError(.invalidValue, field: path, "\(path) must not contain \(what)")
        }
        return scalars
    }

    static func isValidDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard [4, 7, 10].contains(bytes.count), let year = number(0..<4), year >= 1 else { return false }
        if bytes.count == 4 { return true }
        guard bytes[4] == UInt8(ascii: "-"), let month = number(5..<7), (1...12).contains(month) else { return false }
        if bytes.count == 7 { return true }
        guard bytes[7] == UInt8(ascii: "-"), let day = number(8..<10) else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }
}
