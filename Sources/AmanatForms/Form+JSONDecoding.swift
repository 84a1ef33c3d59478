public import AmanatJSON
extension Form {
    /// Reads a form as served by `GET /v1/forms/{id}` (docs/PROTOCOL.md section 2.3).
    ///
    /// Unknown members are ignored, as section 7 asks of clients, but an unknown field `type` is refused: a client
    /// that walks a volunteer through a form must not guess how to ask for a value.
    public init(json: JSONValue) throws(FormError) {
        guard case .object(let object) = json else { throw FormError("the form is not a JSON object") }
        guard let id = object["id"]?.stringValue, !id.isEmpty else { throw FormError("the form has no id") }
        guard let versionText = object["version"]?.numberLiteral, let version = Int(versionText), version >= 1 else {
            throw FormError("the form has no valid version")
        }
        let title = try LocalizedText(json: object["title"], what: "the form's title")
        let description = try object["description"].map { (value) throws(FormError) in
            try LocalizedText(json: value, what: "the form's description")
        }
        guard let fieldValues = object["fields"]?.arrayValue, !fieldValues.isEmpty else {
            throw FormError("the form has no fields")
        }
        var fields: [FormField] = []
        for value in fieldValues {
            fields.append(try FormField(json: value, parentSection: nil))
        }
        // Only servers pad; a client keeps what the server says, or the defaults from an older server.
        var minimumPaddedSizes = Form.defaultMinimumPaddedSizes
        for (name, value) in object["min_padded_bytes"]?.objectValue ?? [:] {
            guard let section = Section(rawValue: name), section != .clear,
                  let size = value.numberLiteral.flatMap(Int.init), Form.isValidMinimumPaddedSize(size)
            else { throw FormError("the form's min_padded_bytes is malformed") }
            minimumPaddedSizes[section] = size
        }
        // An older server names none: its files' metadata would have gone to the identity recipients.
        var attachmentsSealedTo = Section.identity
        if let name = object["attachments_sealed_to"]?.stringValue {
            guard let section = Section(rawValue: name), section != .clear else {
                throw FormError("the form's attachments_sealed_to is neither identity nor testimony")
            }
            attachmentsSealedTo = section
        }
        self.init(
            id: id, version: version, title: title, description: description, fields: fields,
            minimumPaddedSizes: minimumPaddedSizes, attachmentsSealedTo: attachmentsSealedTo
        )
    }
}

extension FormField {
    init(json: JSONValue, parentSection: Section?) throws(FormError) {
        guard case .object(let object) = json else { throw FormError("a field is not a JSON object") }
        guard let name = object["name"]?.stringValue, Form.isIdentifier(name, allowingHyphen: false) else {
            throw FormError("a field has no valid name")
        }
        guard let typeName = object["type"]?.stringValue, let type = FieldType(rawValue: typeName) else {
            throw FormError("field \(name) has a type this client does not know")
        }
        let section = object["section"]?.stringValue.flatMap(Section.init(rawValue:)) ?? parentSection ?? .identity
        let label = try LocalizedText(json: object["label"], what: "the label of field \(name)")
        let help = try object["help"].map { (value) throws(FormError) in
            try LocalizedText(json: value, what: "the help of field \(name)")
        }
        var options: [FieldOption] = []
        if type == .enumeration || type == .enumerationList {
            guard let optionValues = object["options"]?.arrayValue, !optionValues.isEmpty else {
                throw FormError("field \(name) has no options")
            }
            for option in optionValues {
                guard let value = option["value"]?.stringValue else { throw FormError("field \(name) has a bad option") }
                let optionLabel = try LocalizedText(json: option["label"], what: "an option of field \(name)")
                options.append(FieldOption(value: value, label: optionLabel))
            }
        }
        var subfields: [FormField] = []
        if type == .records {
            guard let subValues = object["fields"]?.arrayValue, !subValues.isEmpty else {
                throw FormError("field \(name) has no sub-fields")
            }
            for value in subValues {
                let subfield = try FormField(json: value, parentSection: section)
                guard subfield.type != .records else { throw FormError("field \(name) nests records") }
                subfields.append(subfield)
            }
        }
        self.init(
            name: name, type: type, section: section, required: object["required"]?.boolValue ?? false,
            maxLength: object["max_length"]?.numberLiteral.flatMap { Int($0) },
            maxItems: object["max_items"]?.numberLiteral.flatMap { Int($0) },
            label: label, help: help, options: options, subfields: subfields
        )
    }

    /// Checks one answer for this field as ``Form/validate(fields:)`` would, and returns it as it would be stored
    /// (strings in NFC). Lets an interactive client refuse a bad answer as soon as it is typed.
    ///
    /// For a `records` field this checks the whole list; check each entry's values against ``subfields``.
    public func check(_ value: JSONValue) throws(ValidationError) -> JSONValue {
        try validate(value, path: FieldPath(entry: nil, name: name)).json(subfields: subfields)
    }
}

extension LocalizedText {
    init(json: JSONValue?, what: String) throws(FormError) {
        guard let en = json?["en"]?.stringValue, let ru = json?["ru"]?.stringValue, let kk = json?["kk"]?.stringValue
        else { throw FormError("\(what) lacks a language") }
        self.init(en: en.nfc, ru: ru.nfc, kk: kk.nfc)
    }
}
