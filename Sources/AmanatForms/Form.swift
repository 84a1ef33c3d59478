import AmanatJSON
/// An intake form: which fields a testimony has, how each is checked, and in which section it is stored.
public struct Form: Sendable, Equatable {
    /// The form's identifier, `[a-z][a-z0-9_-]{0,63}`.
    public var id: String
    /// The form's version, at least 1. Stored with every record.
    public var version: Int
    /// The form's title in every supported language.
    public var title: LocalizedText
    /// An optional longer description.
    public var description: LocalizedText?
    /// The fields, in display order.
    public var fields: [FormField] {
        didSet { fieldPlan = FieldListPlan(fields) }
    }
    /// Worked out from `fields` whenever they change, so that validating a testimony does not.
    private(set) var fieldPlan: FieldListPlan
    /// The least size each sealed section's canonical JSON is padded to, so that most sections of the form are
    /// one size whatever the script, length and number of names in them (FORMAT.md section 5). Each is a
    /// padding bucket (``isValidMinimumPaddedSize(_:)``).
    public var minimumPaddedSizes: [Section: Int]
    /// The section whose recipients an evidence file's sealed metadata (its key and name) goes to, unless the
    /// request names one: ``Section/identity`` by default, since a face in a video or a passport scan names the
    /// witness (FORMAT.md section 10.2, `attachments_sealed_to`).
    public var attachmentsSealedTo: Section

    /// Assembles a form. ``Form/init(toml:)`` is the checked way to make one.
    public init(
        id: String, version: Int, title: LocalizedText, description: LocalizedText?, fields: [FormField],
        minimumPaddedSizes: [Section: Int] = Form.defaultMinimumPaddedSizes, attachmentsSealedTo: Section = .identity
    ) {
        self.id = id
        self.version = version
        self.title = title
        self.description = description
        self.fields = fields
        self.fieldPlan = FieldListPlan(fields)
        self.minimumPaddedSizes = minimumPaddedSizes
        self.attachmentsSealedTo = attachmentsSealedTo
    }

    /// The field named `name`, if the form has one.
    public func field(named name: String) -> FormField? {
        fields.first { $0.name == name }
    }
}

/// One field of a form.
public struct FormField: Sendable, Equatable {
    /// The field's name, `[a-z][a-z0-9_]{0,63}`.
    public var name: String
    /// What kind of value it takes.
    public var type: FieldType
    /// Where its value is stored. Sub-fields inherit their parent's.
    public var section: Section
    /// Whether a testimony must carry it.
    public var required: Bool
    /// For `line` and `text`: the most Unicode code points, after NFC.
    public var maxLength: Int?
    /// For `enum_list` and `records`: the most entries.
    public var maxItems: Int?
    /// Its label in every supported language.
    public var label: LocalizedText
    /// Optional guidance for the volunteer.
    public var help: LocalizedText?
    /// For `enum` and `enum_list`: the allowed values, in display order.
    public var options: [FieldOption]
    /// For `records`: the fields of each entry.
    public var subfields: [FormField] {
        didSet { subfieldPlan = FieldListPlan(subfields) }
    }
    /// Worked out from `subfields` whenever they change.
    private(set) var subfieldPlan: FieldListPlan

    /// Assembles a field. ``Form/init(toml:)`` is the checked way to make one.
    public init(
        name: String, type: FieldType, section: Section, required: Bool, maxLength: Int?, maxItems: Int?,
        label: LocalizedText, help: LocalizedText?, options: [FieldOption], subfields: [FormField]
    ) {
        self.name = name
        self.type = type
        self.section = section
        self.required = required
        self.maxLength = maxLength
        self.maxItems = maxItems
        self.label = label
        self.help = help
        self.options = options
        self.subfields = subfields
        self.subfieldPlan = FieldListPlan(subfields)
    }
}

/// What validation and canonical JSON need to know about a list of fields (a form's, or a records field's
/// sub-fields), worked out once when the list is set instead of for every testimony.
struct FieldListPlan: Sendable, Equatable {
    /// The fields' names, to refuse names the list does not define.
    let names: Set<String>
    /// Positions in the list, in the order canonical JSON writes members named like the fields: by the UTF-8 bytes
    /// of the names' NFC, ties broken by the names' own bytes (as `JSONValue.canonicalBytes()` orders keys).
    let canonicalOrder: [Int]
    /// For each field, its name as canonical JSON writes a member name: quoted, in NFC, escaped, with the colon.
    let encodedNames: [[UInt8]]
    /// Whether no two names in the list, nor in any records field's sub-fields, are equal as `String`s. Forms read
    /// from files always qualify; only then may validated values be encoded straight from the plan, because a
    /// dictionary keyed by the names would merge fields with equal names.
    let namesAreDistinct: Bool

    init(_ fields: [FormField]) {
        let names = fields.map(\.name)
        self.names = Set(names)
        let nfcNames = names.map { Array($0.nfc.utf8) }
        canonicalOrder = names.indices.sorted { lhs, rhs in
            nfcNames[lhs] == nfcNames[rhs]
                ? names[lhs].utf8.lexicographicallyPrecedes(names[rhs].utf8)
                : nfcNames[lhs].lexicographicallyPrecedes(nfcNames[rhs])
        }
        encodedNames = names.map { CanonicalJSONEncoder.encodedMemberName($0) }
        namesAreDistinct = self.names.count == names.count && fields.allSatisfy { $0.subfieldPlan.namesAreDistinct }
    }
}

/// The value types a field can take.
public enum FieldType: String, Sendable, CaseIterable {
    /// One line of text: no line breaks or other control characters.
    case line
    /// Multi-line text.
    case text
    /// A date, `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: witnesses often know only the year.
    case date
    /// One of the field's options.
    case enumeration = "enum"
    /// A list of distinct options.
    case enumerationList = "enum_list"
    /// true or false.
    case bool
    /// A list of objects with the field's sub-fields (for example, relatives).
    case records
}

/// One allowed value of an `enum` or `enum_list` field.
public struct FieldOption: Sendable, Equatable {
    /// The stored value, `[a-z][a-z0-9_]{0,63}`.
    public var value: String
    /// Its label in every supported language.
    public var label: LocalizedText

    /// An option.
    public init(value: String, label: LocalizedText) {
        self.value = value
        self.label = label
    }
}

/// Text in each supported language: English, Russian and Kazakh.
public struct LocalizedText: Sendable, Equatable {
    /// The supported language codes, in the order they are written out.
    public static let languages = ["en", "ru", "kk"]

    /// English.
    public var en: String
    /// Russian.
    public var ru: String
    /// Kazakh (Cyrillic).
    public var kk: String

    /// Text in the three languages.
    public init(en: String, ru: String, kk: String) {
        self.en = en
        self.ru = ru
        self.kk = kk
    }

    /// The text in `language` (`en`, `ru` or `kk`), falling back to English.
    public func text(in language: String) -> String {
        switch language {
        case "ru": ru
        case "kk": kk
        default: en
        }
    }
}
