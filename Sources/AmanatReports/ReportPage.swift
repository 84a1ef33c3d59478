public import AmanatForms
import AmanatJSON

/// One opened record laid out for reading: labelled fields grouped by section, in the form's order, and a
/// notice wherever a section did not open. The HTML and Markdown writers render the same page.
public struct ReportPage: Sendable {
    /// The page's language.
    public var language: ReportLanguage
    /// The record id, 32 hex digits; also the page's file name.
    public var recordID: String
    /// The page heading: the form's title, or its id when the form is unknown.
    public var title: String
    /// When amanatd received the record.
    public var received: String
    /// Label and value pairs about the record: id, form, received, status.
    public var facts: [(label: String, value: String)]
    /// How the record came out.
    public var status: OpenedRecord.Status
    /// Remarks about the labels (form not found, another version).
    public var notes: [String]
    /// Clear, identity and testimony, in that order.
    public var sections: [ReportSection]
    /// The witness's addenda, in the order they were added.
    public var addenda: [ReportAddendum] = []
    /// The evidence files, in the order they were stored.
    public var attachments: [ReportAttachment] = []
    /// The scripts of its text that need fonts a bare system may lack (``ReportScripts``).
    public var scripts: ReportScripts = []
}

/// One section of a ``ReportPage``.
public struct ReportSection: Sendable {
    /// What the section holds instead of fields.
    public enum Notice: Sendable, Equatable {
        case tampered
        case unopened
        case skipped
    }

    /// Which section.
    public var section: Section
    /// Its heading in the page's language.
    public var heading: String
    /// The fields, when the section opened.
    public var fields: [ReportField]
    /// Set when the section did not open.
    public var notice: Notice?
    /// The notice in words, and the key holder's explanation.
    public var noticeText: String?
    /// The opener's explanation (for example "authentication failed"); never field content.
    public var noticeDetail: String?
}

/// One labelled value.
public struct ReportField: Sendable {
    /// The label in the page's language, or the stored name when the form does not know the field.
    public var label: String
    /// The stored name.
    public var name: String
    /// The value.
    public var value: ReportValue
}

/// A value ready to show.
public indirect enum ReportValue: Sendable {
    /// Text (it may hold line breaks, which are shown).
    case text(String)
    /// Several short values (the labels of an `enum_list`).
    case list([String])
    /// Entries of a `records` field: one row each, a column per sub-field.
    case table(headers: [String], rows: [[ReportValue]])
}

/// Lays out opened records with a form library and a language.
public struct ReportBuilder: Sendable {
    /// The forms used for labels.
    public var forms: FormLibrary
    /// The language of labels and fixed words.
    public var language: ReportLanguage
    /// The directory of extracted attachments relative to the report's (`--attachments-dir`), for links; nil when
    /// none were extracted.
    public var attachmentsLink: String?

    /// A builder.
    public init(forms: FormLibrary, language: ReportLanguage, attachmentsLink: String? = nil) {
        self.forms = forms
        self.language = language
        self.attachmentsLink = attachmentsLink
    }

    var words: ReportWords { ReportWords(language: language) }

    /// The page for `record`.
    public func page(for record: OpenedRecord) -> ReportPage {
        let form = forms.form(id: record.formID)
        var notes: [String] = []
        if let form {
            if form.version != record.formVersion {
                notes.append(words.formVersionDiffers(found: form.version, stored: record.formVersion))
            }
        } else {
            notes.append(words.formMissing(record.formID))
        }
        let title = form?.title.text(in: language.rawValue) ?? record.formID
        let facts: [(label: String, value: String)] = [
            (words.record, record.recordID),
            (words.form, form == nil ? "\(record.formID), \(words.version) \(record.formVersion)"
                : "\(title) (\(record.formID), \(words.version) \(record.formVersion))"),
            (words.received, record.received),
            (words.status, words.statusText(record.status)),
        ]
        let sections = ([Section.clear] + Section.sealed).map { section in
            self.section(section, of: record, form: form)
        }
        var page = ReportPage(
            language: language, recordID: record.recordID, title: title, received: record.received, facts: facts,
            status: record.status, notes: notes, sections: sections, addenda: addenda(of: record, form: form),
            attachments: attachments(of: record)
        )
        let values: [ReportValue] = sections.flatMap(\.fields).map(\.value) + page.addenda.flatMap { addendum in
            addendum.fields.map(\.value) + (addendum.text.map { [ReportValue.text($0)] } ?? [])
        } + page.attachments.map { ReportValue.text($0.name) }
        page.scripts = values.reduce(into: []) { $0.formUnion(ReportScripts(scanning: $1)) }
        return page
    }

    private func section(_ section: Section, of record: OpenedRecord, form: Form?) -> ReportSection {
        var result = ReportSection(section: section, heading: words.heading(section), fields: [])
        if let failure = record.failures[section] {
            switch failure {
            case .tampered: result.notice = .tampered; result.noticeText = words.tampered
            case .noKey: result.notice = .unopened; result.noticeText = words.unopened
            }
            result.noticeDetail = failure.detail
            return result
        }
        if record.skipped.contains(section) {
            result.notice = .skipped
            result.noticeText = words.skipped
            return result
        }
        result.fields = fields(record.fields[section] ?? [:], form: form)
        return result
    }

    /// `values` labelled: the form's order first, whatever section the form puts a field in (the record says
    /// where it is stored), then fields the form does not define, by name.
    func fields(_ values: [String: JSONValue], form: Form?) -> [ReportField] {
        var fields: [ReportField] = []
        var remaining = Set(values.keys)
        for field in form?.fields ?? [] {
            guard let value = values[field.name] else { continue }
            remaining.remove(field.name)
            fields.append(ReportField(label: label(field), name: field.name, value: render(value, as: field)))
        }
        for name in remaining.sorted() {
            fields.append(ReportField(label: name, name: name, value: render(values[name]!, as: nil)))
        }
        return fields
    }

    private func label(_ field: FormField) -> String {
        field.label.text(in: language.rawValue)
    }

    /// `value` as `field` describes it, or generically when there is no field or the value does not fit it.
    func render(_ value: JSONValue, as field: FormField?) -> ReportValue {
        switch (field?.type, value) {
        case (.enumeration?, .string(let chosen)):
            return .text(optionLabel(chosen, in: field!))
        case (.enumerationList?, .array(let items)) where items.allSatisfy({ $0.stringValue != nil }):
            return .list(items.map { optionLabel($0.stringValue!, in: field!) })
        case (.records?, .array(let entries)) where entries.allSatisfy({ $0.objectValue != nil }):
            let objects = entries.map { $0.objectValue! }
            let subfields = field!.subfields
            let known = Set(subfields.map(\.name))
            let extra = Array(Set(objects.flatMap(\.keys)).subtracting(known)).sorted()
            let headers = subfields.map(label) + extra
            let rows = objects.map { object in
                subfields.map { subfield in object[subfield.name].map { render($0, as: subfield) } ?? .text("") }
                    + extra.map { name in object[name].map { render($0, as: nil) } ?? .text("") }
            }
            return .table(headers: headers, rows: rows)
        default:
            return generic(value)
        }
    }

    private func optionLabel(_ value: String, in field: FormField) -> String {
        field.options.first { $0.value == value }?.label.text(in: language.rawValue) ?? value
    }

    private func generic(_ value: JSONValue) -> ReportValue {
        switch value {
        case .string(let text): .text(text)
        case .number(let literal): .text(literal)
        case .bool(let flag): .text(flag ? words.yes : words.no)
        case .null: .text("")
        case .array(let items) where items.allSatisfy({ $0.stringValue != nil }): .list(items.map { $0.stringValue! })
        case .array(let items) where !items.isEmpty && items.allSatisfy({ $0.objectValue != nil }):
            genericTable(items.map { $0.objectValue! })
        default: .text(value.canonicalString())
        }
    }

    private func genericTable(_ objects: [[String: JSONValue]]) -> ReportValue {
        let headers = Array(Set(objects.flatMap(\.keys))).sorted()
        let rows = objects.map { object in headers.map { object[$0].map(generic) ?? .text("") } }
        return .table(headers: headers, rows: rows)
    }
}
