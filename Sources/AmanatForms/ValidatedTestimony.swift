public import AmanatJSON
/// A testimony that fits its form, split into the three sections, every string in NFC.
public struct ValidatedTestimony: Sendable, Equatable {
    /// The form's id.
    public var formID: String
    /// The form's version.
    public var formVersion: Int
    /// The form's fields, and what validation worked out about them.
    let fields: [FormField]
    let plan: FieldListPlan
    /// The value of each field, in the fields' order; nil where the field was not given.
    let values: [ValidatedValue?]

    /// `plan` must be the plan of `fields`, and `values` aligned with `fields`: only validation makes one.
    init(formID: String, formVersion: Int, fields: [FormField], plan: FieldListPlan, values: [ValidatedValue?]) {
        self.formID = formID
        self.formVersion = formVersion
        self.fields = fields
        self.plan = plan
        self.values = values
    }

    /// The fields of each section that were given, by name. Absent optional fields are left out.
    public var sections: [Section: [String: JSONValue]] {
        let given = Self.members(values, of: fields)
        var sections: [Section: [String: JSONValue]] = [.clear: [:], .identity: [:], .testimony: [:]]
        for field in fields {
            if let value = given[field.name] { sections[field.section, default: [:]][field.name] = value }
        }
        return sections
    }

    /// The canonical JSON of one section's fields: what is stored in clear, or sealed.
    ///
    /// The bytes are those of `JSONValue.object(sections[section]).canonicalBytes()`. They are written straight
    /// from the validated values, in the member order the form's plan worked out once, and without normalising
    /// again text that validation found to be NFC already.
    public func canonicalJSON(_ section: Section) -> [UInt8] {
        // A form whose fields share a name (only a hand-built one can) stores one value for them: leave that
        // merging to the dictionaries of `sections`.
        guard plan.namesAreDistinct else { return JSONValue.object(sections[section] ?? [:]).canonicalBytes() }
        var output: [UInt8] = []
        // Room for the whole section at once: growing would copy the bytes, and leave copies of what is about to be
        // sealed in freed memory, out of reach of the caller's wipe.
        output.reserveCapacity(Self.estimatedSize(values, of: fields, plan: plan, section: section))
        Self.appendObject(values, of: fields, plan: plan, section: section, to: &output)
        return output
    }

    /// Equal when the form's id and version and the sections are, the sections compared as `JSONValue`s.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.formID == rhs.formID && lhs.formVersion == rhs.formVersion && lhs.sections == rhs.sections
    }

    /// The members of one validated object, as a dictionary keyed by the fields' names.
    static func members(_ values: [ValidatedValue?], of fields: [FormField]) -> [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        for (field, value) in zip(fields, values) {
            if let value { members[field.name] = value.json(subfields: field.subfields) }
        }
        return members
    }

    /// At least the size of the canonical JSON object `appendObject` writes: escapes are counted, and text that
    /// is not known to be NFC yet is allowed to triple (the most NFC can lengthen UTF-8).
    static func estimatedSize(
        _ values: [ValidatedValue?], of fields: [FormField], plan: FieldListPlan, section: Section?
    ) -> Int {
        var size = 2
        for (index, value) in values.enumerated() {
            guard let value, section == nil || fields[index].section == section else { continue }
            size += plan.encodedNames[index].count + 1
            switch value {
            case .nfcText(let text): size += quotedSize(text, normalised: true)
            case .plain(let json): size += estimatedSize(json)
            case .records(let entries):
                let field = fields[index]
                size += entries.count + 1
                for entry in entries {
                    size += estimatedSize(entry, of: field.subfields, plan: field.subfieldPlan, section: nil)
                }
            }
        }
        return size
    }

    private static func estimatedSize(_ json: JSONValue) -> Int {
        switch json {
        case .string(let text): quotedSize(text, normalised: false)
        case .array(let items): items.reduce(items.count + 1) { $0 + estimatedSize($1) }
        case .object(let members):
            members.reduce(members.count * 2 + 1) { $0 + quotedSize($1.key, normalised: false) + estimatedSize($1.value) }
        case .number(let literal): literal.utf8.count
        case .null, .bool: 5
        }
    }

    /// At least the size of `text` written as a JSON string: the quotes, six bytes for any byte that is escaped
    /// (`\u00xx` is the longest escape), and three times the bytes when it may still be normalised.
    private static func quotedSize(_ text: String, normalised: Bool) -> Int {
        var text = text
        let escaped = text.withUTF8 { bytes in
            var count = 0
            var index = ByteWords.firstEscaped(in: bytes, from: 0)
            while index < bytes.count {
                count += 1
                index = ByteWords.firstEscaped(in: bytes, from: index + 1)
            }
            return count
        }
        return (normalised ? 1 : 3) * text.utf8.count + 5 * escaped + 2
    }

    /// Appends the canonical JSON object of the given fields of `section` (of all fields when nil), as
    /// `CanonicalJSONEncoder` would write the dictionary `members(values, of: fields)` restricted to them.
    private static func appendObject(
        _ values: [ValidatedValue?], of fields: [FormField], plan: FieldListPlan, section: Section?,
        to output: inout [UInt8]
    ) {
        output.append(UInt8(ascii: "{"))
        var first = true
        for index in plan.canonicalOrder {
            guard let value = values[index], section == nil || fields[index].section == section else { continue }
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            output.append(contentsOf: plan.encodedNames[index])
            switch value {
            case .nfcText(let text):
                CanonicalJSONEncoder.appendString(text.utf8, to: &output)
            case .plain(let json):
                CanonicalJSONEncoder.append(json, to: &output)
            case .records(let entries):
                let field = fields[index]
                output.append(UInt8(ascii: "["))
                for (position, entry) in entries.enumerated() {
                    if position > 0 { output.append(UInt8(ascii: ",")) }
                    appendObject(entry, of: field.subfields, plan: field.subfieldPlan, section: nil, to: &output)
                }
                output.append(UInt8(ascii: "]"))
            }
        }
        output.append(UInt8(ascii: "}"))
    }
}

/// A field's value after validation, kept in the shape its canonical JSON is written from.
enum ValidatedValue: Sendable {
    /// The text of a `line` or `text` field that was NFC as given: written as it is, without normalising it again.
    case nfcText(String)
    /// Any other value but records, written as `JSONValue.canonicalBytes()` writes it.
    case plain(JSONValue)
    /// The entries of a records field, each with the value of every sub-field in the sub-fields' order.
    case records([[ValidatedValue?]])

    /// The value as JSON; `subfields` are the records field's sub-fields.
    func json(subfields: [FormField]) -> JSONValue {
        switch self {
        case .nfcText(let text): .string(text)
        case .plain(let value): value
        case .records(let entries): .array(entries.map { .object(ValidatedTestimony.members($0, of: subfields)) })
        }
    }
}
