public import AmanatJSON
extension Form {
    /// Checks `fields` (the submission's `fields` object) against the form.
    ///
    /// `null`, an empty string and an empty list all mean "not given". Unknown fields are refused,
    /// never stored. Strings are normalised to NFC before their length is measured.
    public func validate(fields: JSONValue) throws(ValidationError) -> ValidatedTestimony {
        guard case .object(let given) = fields else {
            throw ValidationError(.notAnObject, field: nil, "\"fields\" must be an object")
        }
        let values = try Self.validateObject(given, against: self.fields, plan: fieldPlan, entry: nil)
        return ValidatedTestimony(formID: id, formVersion: version, fields: self.fields, plan: fieldPlan, values: values)
    }

    /// Checks one object against `fields` and returns the value of each field, in the fields' order (nil where it
    /// was not given). `entry` is where the object is: nil for the testimony, else the records field and position.
    static func validateObject(
        _ given: [String: JSONValue], against fields: [FormField], plan: FieldListPlan, entry: FieldPath.Entry?
    ) throws(ValidationError) -> [ValidatedValue?] {
        if given.keys.contains(where: { !plan.names.contains($0) }) {
            // The unknown name itself is submitted content, so it is not repeated.
            let path = entry?.text
            let place = path.map { "\($0) has" } ?? "the testimony has"
            throw ValidationError(.unknownField, field: path, "\(place) a field that the form does not define")
        }
        var values: [ValidatedValue?] = []
        values.reserveCapacity(fields.count)
        for field in fields {
            let path = FieldPath(entry: entry, name: field.name)
            if let value = given[field.name], !isEmpty(value) {
                values.append(try field.validate(value, path: path))
            } else if field.required {
                let text = path.text
                throw ValidationError(.missingField, field: text, "\(text) is required")
            } else {
                values.append(nil)
            }
        }
        return values
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

/// Where a value is in a testimony, put into words (`relatives[2].relation`) only when an error names it.
struct FieldPath {
    /// One entry of a records field.
    struct Entry {
        /// The records field's path.
        var records: String
        /// The entry's position in the list.
        var index: Int

        /// For example `relatives[2]`.
        var text: String { "\(records)[\(index)]" }
    }

    /// The entry that holds the field; nil for a field of the testimony itself.
    var entry: Entry?
    /// The field's name.
    var name: String

    /// For example `relatives[2].relation`, or `narrative`.
    var text: String {
        guard let entry else { return name }
        return "\(entry.text).\(name)"
    }
}

extension FormField {
    func validate(_ value: JSONValue, path: FieldPath) throws(ValidationError) -> ValidatedValue {
        switch type {
        case .line, .text:
            guard case .string(let raw) = value else { throw wrongType(path, "a string") }
            let (text, wasNFC) = raw.nfcNotingChange
            let scalars = try checkCharacters(text, path: path, multiline: type == .text)
            if let maxLength, scalars > maxLength {
                let path = path.text
                throw ValidationError(
                    .tooLong, field: path, "\(path) is longer than \(maxLength) characters", limit: maxLength
                )
            }
            // Text that was NFC as given is known to stay as it is; canonical JSON normalises the rest again.
            return wasNFC ? .nfcText(text) : .plain(.string(text))
        case .date:
            guard case .string(let text) = value else { throw wrongType(path, "a date string") }
            guard Self.isValidDate(text) else {
                let path = path.text
                throw ValidationError(
                    .invalidValue, field: path, "\(path) must be a date as YYYY, YYYY-MM or YYYY-MM-DD",
                    expected: "date"
                )
            }
            return .plain(.string(text))
        case .enumeration:
            guard case .string(let text) = value else { throw wrongType(path, "a string") }
            try checkOption(text, path: path)
            return .plain(.string(text))
        case .enumerationList:
            guard case .array(let items) = value else { throw wrongType(path, "a list of strings") }
            try checkCount(items.count, path: path)
            var chosen = [Bool](repeating: false, count: options.count)
            for item in items {
                guard case .string(let text) = item else { throw wrongType(path, "a list of strings") }
                let position = try checkOption(text, path: path)
                guard !chosen[position] else {
                    let path = path.text
                    throw ValidationError(
                        .invalidValue, field: path, "\(path) lists the same value twice", expected: "distinct"
                    )
                }
                chosen[position] = true
            }
            // Stored in the form's order, not the order given: the order a witness named them in, or the volunteer
            // typed them in, is one more thing that tells records apart (and it sits in clear for enum_list fields).
            return .plain(.array(options.indices.filter { chosen[$0] }.map { .string(options[$0].value) }))
        case .bool:
            guard case .bool = value else { throw wrongType(path, "true or false") }
            return .plain(value)
        case .records:
            guard case .array(let items) = value else { throw wrongType(path, "a list of objects") }
            try checkCount(items.count, path: path)
            let records = path.text
            var entries: [[ValidatedValue?]] = []
            entries.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                let entry = FieldPath.Entry(records: records, index: index)
                guard case .object(let object) = item else {
                    let path = entry.text
                    throw ValidationError(.wrongType, field: path, "\(path) must be an object", expected: "object")
                }
                entries.append(try Form.validateObject(object, against: subfields, plan: subfieldPlan, entry: entry))
            }
            return .records(entries)
        }
    }

    private func wrongType(_ path: FieldPath, _ expected: String) -> ValidationError {
        let path = path.text
        let words = [
            "a string": "string", "a date string": "string", "a list of strings": "list-of-strings",
            "true or false": "boolean", "a list of objects": "list-of-objects",
        ]
        return ValidationError(.wrongType, field: path, "\(path) must be \(expected)", expected: words[expected])
    }

    /// The option's position in the form; refuses a value the field does not offer.
    @discardableResult
    private func checkOption(_ text: String, path: FieldPath) throws(ValidationError) -> Int {
        guard let position = options.firstIndex(where: { $0.value == text }) else {
            let path = path.text
            let allowed = options.map(\.value)
            throw ValidationError(
                .invalidValue, field: path, "\(path) must be one of: \(allowed.joined(separator: ", "))",
                expected: "choice", allowed: allowed
            )
        }
        return position
    }

    private func checkCount(_ count: Int, path: FieldPath) throws(ValidationError) {
        if let maxItems, count > maxItems {
            let path = path.text
            throw ValidationError(
                .tooManyItems, field: path, "\(path) has more than \(maxItems) entries", limit: maxItems
            )
        }
    }

    /// Refuses control characters (C0 but tab, line feed and carriage return in multi-line text; DEL; C1) and,
    /// in one-line fields, U+2028 and U+2029; returns the number of Unicode scalars. One pass over the UTF-8
    /// bytes: a String's UTF-8 is always valid, so every scalar starts with a byte that is not 10xxxxxx.
    private func checkCharacters(_ text: String, path: FieldPath, multiline: Bool) throws(ValidationError) -> Int {
        var text = text
        var refused = false
        var scalars = 0
        text.withUTF8 { bytes in
            let count = bytes.count
            var index = 0
            while index < count {
                // Most of a testimony, even in other scripts, is printable ASCII: take it eight bytes at a time.
                if index + 8 <= count, ByteWords.isPrintableASCII(ByteWords.word(bytes, at: index)) {
                    scalars += 8
                    index += 8
                    continue
                }
                let end = min(index + 8, count)
                while index < end {
                    let byte = bytes[index]
                    index += 1
                    if byte >= 0x20 && byte < 0x7F {
                        scalars += 1
                        continue
                    }
                    if byte < 0x20 {
                        // U+2028 and U+2029 are line breaks too, and would sneak a second line into a one-line field.
                        guard multiline && (byte == 0x09 || byte == 0x0A || byte == 0x0D) else { refused = true; return }
                    } else if byte == 0x7F {
                        refused = true; return
                    } else if byte & 0xC0 == 0x80 {
                        continue
                    } else if byte == 0xC2, index < count, bytes[index] <= 0x9F {
                        // U+0080…U+009F are C2 80…C2 9F.
                        refused = true; return
                    } else if byte == 0xE2, !multiline, index + 1 < count, bytes[index] == 0x80,
                        bytes[index + 1] == 0xA8 || bytes[index + 1] == 0xA9
                    {
                        refused = true; return
                    }
                    scalars += 1
                }
            }
        }
        if refused {
            let what = multiline ? "control characters" : "line breaks or control characters"
            let path = path.text
            throw ValidationError(
                .invalidValue, field: path, "\(path) must not contain \(what)",
                expected: multiline ? "text-without-controls" : "line-without-breaks"
            )
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
