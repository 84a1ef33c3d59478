public import AmanatJSON

/// What a witness adds to a record later (PROTOCOL.md 2.12): a free text, testimony fields of the record's form,
/// or both, validated as a testimony's fields are.
public struct ValidatedAddendum: Sendable, Equatable {
    /// The text, in NFC; nil when not given.
    public var text: String?
    /// The testimony-section fields given, by name; nil when none was.
    public var fields: [String: JSONValue]?
}

extension Form {
    /// The longest addendum text, in code points after NFC: a `text` field's default.
    public static let addendumTextMaxLength = FormField.defaultMaxLength[.text] ?? 20_000

    /// Checks an addendum's `text` and `fields` members (nil when absent). `fields` may hold only fields of the
    /// testimony section of `form`, the record's form (nil when amanatd no longer has it at the record's version),
    /// each optional (a records field's entries keep their own rules). `null`, an empty string and an empty list
    /// mean "not given", as in a testimony; at least one of the two must be given.
    public static func validateAddendum(
        text: JSONValue?, fields: JSONValue?, form: Form?
    ) throws(ValidationError) -> ValidatedAddendum {
        var addendum = ValidatedAddendum()
        if let text {
            let field = FormField(
                name: "text", type: .text, section: .testimony, required: false, maxLength: addendumTextMaxLength,
                maxItems: nil, label: LocalizedText(en: "Addendum", ru: "Дополнение", kk: "Толықтыру"),
                help: nil, options: [], subfields: []
            )
            // A form of one text field: the rules of a testimony's text, and errors that name "text".
            let textForm = Form(
                id: "addendum", version: 1, title: field.label, description: nil, fields: [field],
                minimumPaddedSizes: [:]
            )
            addendum.text = try textForm.validate(fields: .object(["text": text])).sections[.testimony]?["text"]?
                .stringValue
        }
        if let fields {
            guard let form else {
                throw ValidationError(
                    .unknownForm, field: nil, "the record's form is not loaded at the record's version: send text only"
                )
            }
            var optional = form.fields.filter { $0.section == .testimony }
            for index in optional.indices { optional[index].required = false }
            let testimonyForm = Form(
                id: form.id, version: form.version, title: form.title, description: nil, fields: optional,
                minimumPaddedSizes: [:]
            )
            let given = try testimonyForm.validate(fields: fields).sections[.testimony] ?? [:]
            addendum.fields = given.isEmpty ? nil : given
        }
        guard addendum.text != nil || addendum.fields != nil else {
            throw ValidationError(.missingField, field: "text", "an addendum needs \"text\" or \"fields\", not empty")
        }
        return addendum
    }
}
