import Foundation
import Testing

import AmanatFormFiles
import AmanatForms
import AmanatJSON

/// Files of the repository that the tests read: the shipped form and the example testimonies.
enum RepositoryFiles {
    /// The repository root: this file is Tests/AmanatFormsTests/FormLoadingTests.swift.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: url(relativePath), encoding: .utf8)
    }

    /// config/forms/testimony.toml, loaded.
    static func shippedForm() throws -> Form {
        try Form(toml: text("config/forms/testimony.toml"))
    }
}

/// Every localized text of a form, with a path saying where it is, for checks that apply to all of them.
func localizedTexts(of form: Form) -> [(path: String, text: LocalizedText)] {
    var out: [(path: String, text: LocalizedText)] = [("title", form.title)]
    if let description = form.description { out.append(("description", description)) }
    func collect(_ fields: [FormField], path: String) {
        for field in fields {
            let fieldPath = "\(path).\(field.name)"
            out.append(("\(fieldPath).label", field.label))
            if let help = field.help { out.append(("\(fieldPath).help", help)) }
            for option in field.options { out.append(("\(fieldPath).options.\(option.value)", option.label)) }
            collect(field.subfields, path: fieldPath)
        }
    }
    collect(form.fields, path: "fields")
    return out
}

// MARK: - The shipped form

@Suite("Shipped testimony form")
struct ShippedFormTests {
    /// DESIGN.md, "Forms": the fields of the shipped form `testimony`, by section.
    static let designedSections: [Section: Set<String>] = [
        .identity: [
            "full_name", "other_names", "birth_date", "contact", "current_city", "origin_place", "id_documents",
            "relatives",
        ],
        .testimony: ["narrative", "detention_places", "events_period", "perpetrators", "evidence_notes"],
        .clear: ["language", "region", "violation_types", "consent"],
    ]

    @Test func loadsWithItsIDAndVersion() throws {
        let form = try RepositoryFiles.shippedForm()
        #expect(form.id == "testimony")
        #expect(form.version >= 1)
    }

    @Test func hasExactlyTheDesignedFieldsInTheDesignedSections() throws {
        let form = try RepositoryFiles.shippedForm()
        var actual: [Section: Set<String>] = [:]
        for field in form.fields { actual[field.section, default: []].insert(field.name) }
        #expect(actual == Self.designedSections)
        // A set hides repeats; the loader should refuse them, but the count says so independently.
        #expect(form.fields.count == Self.designedSections.values.map(\.count).reduce(0, +))
    }

    @Test func relativesAreAListOfNameRelationLocationStatus() throws {
        let form = try RepositoryFiles.shippedForm()
        let relatives = try #require(form.field(named: "relatives"))
        #expect(relatives.type == .records)
        #expect(relatives.section == .identity)
        let names = Set(relatives.subfields.map(\.name))
        #expect(names.isSuperset(of: ["name", "relation", "location", "status"]), "\(names)")
        for subfield in relatives.subfields {
            #expect(subfield.section == .identity, "\(subfield.name) must inherit the identity section")
            #expect(subfield.type != .records, "\(subfield.name): records cannot nest")
        }
        #expect(relatives.subfields.first { $0.name == "relation" }?.type == .enumeration)
        #expect(relatives.subfields.first { $0.name == "status" }?.type == .enumeration)
    }

    @Test func clearFieldsAreCoarseValuesOnly() throws {
        let form = try RepositoryFiles.shippedForm()
        let clear = form.fields.filter { $0.section == .clear }
        #expect(!clear.isEmpty)
        for field in clear {
            #expect([.enumeration, .enumerationList, .bool].contains(field.type), "\(field.name) is \(field.type)")
            #expect(field.subfields.isEmpty)
        }
    }

    @Test func freeTextAndDatesAreSealed() throws {
        let form = try RepositoryFiles.shippedForm()
        for field in form.fields where [.line, .text, .date, .records].contains(field.type) {
            #expect(Section.sealed.contains(field.section), "\(field.name) would be stored in clear")
        }
    }

    @Test func everyTextHasEnglishRussianAndKazakh() throws {
        let form = try RepositoryFiles.shippedForm()
        let texts = localizedTexts(of: form)
        // title, description, and at least one label per field and option.
        #expect(texts.count > form.fields.count + 2)
        func hasCyrillic(_ text: String) -> Bool {
            text.unicodeScalars.contains { (0x0400...0x04FF).contains($0.value) }
        }
        for (path, text) in texts {
            for (language, value) in [("en", text.en), ("ru", text.ru), ("kk", text.kk)] {
                #expect(!value.trimmingCharacters(in: .whitespaces).isEmpty, "\(path).\(language) is empty")
            }
            // Russian and Kazakh are written in Cyrillic: an untranslated English copy has none.
            #expect(hasCyrillic(text.ru), "\(path).ru is not Russian")
            #expect(hasCyrillic(text.kk), "\(path).kk is not Kazakh")
            #expect(!hasCyrillic(text.en), "\(path).en is not English")
        }
    }

    @Test func everyOptionListIsNonEmptyAndDistinct() throws {
        let form = try RepositoryFiles.shippedForm()
        let enums = (form.fields + form.fields.flatMap(\.subfields))
            .filter { $0.type == .enumeration || $0.type == .enumerationList }
        #expect(enums.count >= 6)
        for field in enums {
            let values = field.options.map(\.value)
            #expect(!values.isEmpty, "\(field.name)")
            #expect(Set(values).count == values.count, "\(field.name) repeats an option")
        }
    }
}

// MARK: - Form files in general

/// Pieces of small form files.
enum FormTOML {
    /// Label texts that no error message may ever quote.
    static let labelTexts = ["Label in English", "Метка по-русски", "Қазақша белгі"]
    static let label = #"label = { en = "Label in English", ru = "Метка по-русски", kk = "Қазақша белгі" }"#
    static let titleLine = #"title = { en = "Small form", ru = "Малая форма", kk = "Шағын форма" }"#

    static func header(id: String = #""small""#, version: String = "1", extra: String = "") -> String {
        """
        id = \(id)
        version = \(version)
        \(titleLine)
        \(extra)
        """
    }

    /// A sealed text field, so that a form made of it plus anything else has a sealed field.
    static let story = """
        [[fields]]
        name = "story"
        type = "text"
        section = "testimony"
        \(label)
        """

    static func field(_ name: String, _ type: String, section: String? = nil, _ extra: String = "") -> String {
        """
        [[fields]]
        name = "\(name)"
        type = "\(type)"
        \(section.map { "section = \"\($0)\"" } ?? "")
        \(label)
        \(extra)
        """
    }

    static func option(_ value: String, _ extra: String = "", table: String = "fields.options") -> String {
        """
        [[\(table)]]
        value = "\(value)"
        \(label)
        \(extra)
        """
    }

    static func subfield(_ name: String, _ type: String, _ extra: String = "") -> String {
        """
        [[fields.fields]]
        name = "\(name)"
        type = "\(type)"
        \(label)
        \(extra)
        """
    }

    static func form(header: String = header(), _ parts: String...) -> String {
        ([header] + parts).joined(separator: "\n\n")
    }
}

/// A form file that must be refused, what the message must name, and values it must not quote.
struct FormRejection: Sendable, CustomTestStringConvertible {
    var name: String
    var toml: String
    /// Key paths or field names the message must contain.
    var mentions: [String]
    /// Values from the file that the message must not contain.
    var quotesNot: [String]

    init(_ name: String, _ toml: String, mentions: [String], quotesNot: [String] = []) {
        self.name = name
        self.toml = toml
        self.mentions = mentions
        self.quotesNot = quotesNot
    }

    var testDescription: String { name }
}

@Suite("Form loading")
struct FormLoadingTests {
    static func loadError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> FormError? {
        do {
            _ = try Form(toml: text)
            Issue.record("the form loaded but should have been refused", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    @Test func minimumPaddedSizesAreReadAndServed() throws {
        let form = try Form(
            toml: FormTOML.form(
                header: FormTOML.header(extra: "min_padded_bytes = { identity = 4096, testimony = 65536 }"), FormTOML.story
            )
        )
        #expect(form.minimumPaddedSizes == [.identity: 4096, .testimony: 65536])
        #expect(form.minimumPaddedSize(.clear) == 0)
        let partial = try Form(
            toml: FormTOML.form(header: FormTOML.header(extra: "min_padded_bytes = { identity = 512 }"), FormTOML.story)
        )
        #expect(partial.minimumPaddedSizes == [.identity: 512, .testimony: 32768], "an undeclared one keeps its default")
        #expect(try Form(json: try JSONParser().parse(form.json.canonicalBytes())) == form)
    }

    @Test func attachmentsSealedToIsReadAndServed() throws {
        let form = try Form(
            toml: FormTOML.form(header: FormTOML.header(extra: #"attachments_sealed_to = "testimony""#), FormTOML.story)
        )
        #expect(form.attachmentsSealedTo == .testimony)
        #expect(try Form(toml: FormTOML.form(header: FormTOML.header(), FormTOML.story)).attachmentsSealedTo == .identity)
        let served = try Form(json: try JSONParser().parse(form.json.canonicalBytes()))
        #expect(served.attachmentsSealedTo == .testimony)
        for wrong in [#""clear""#, #""nobody""#, "1"] {
            #expect(throws: FormError.self) {
                try Form(toml: FormTOML.form(header: FormTOML.header(extra: "attachments_sealed_to = \(wrong)"), FormTOML.story))
            }
        }
    }

    @Test func smallFormLoadsWithDefaults() throws {
        let form = try Form(
            toml: FormTOML.form(
                header: FormTOML.header(id: #""small-form_2""#, version: "3"),
                FormTOML.story,
                FormTOML.field("who", "line"),
                FormTOML.field("when", "date", section: "identity", "required = true"),
                FormTOML.field("tags", "enum_list", section: "clear"),
                FormTOML.option("a"),
                FormTOML.field("flag", "bool", section: "clear"),
                FormTOML.field("people", "records", section: "testimony"),
                FormTOML.subfield("name", "line", "max_length = 7"),
            )
        )
        #expect(form.id == "small-form_2")
        #expect(form.version == 3)
        #expect(form.minimumPaddedSizes == [.identity: 8192, .testimony: 32768], "the measured defaults")
        #expect(form.title == LocalizedText(en: "Small form", ru: "Малая форма", kk: "Шағын форма"))
        #expect(form.description == nil)
        #expect(form.fields.map(\.name) == ["story", "who", "when", "tags", "flag", "people"])

        let who = try #require(form.field(named: "who"))
        // DESIGN.md: "The default is identity: nothing is stored in clear unless the form says so."
        #expect(who.section == .identity)
        #expect(who.required == false)
        #expect(who.maxLength != nil, "no line field may be unbounded")
        #expect(form.field(named: "story")?.maxLength != nil, "no text field may be unbounded")
        #expect(form.field(named: "when")?.required == true)
        #expect(form.field(named: "when")?.maxLength == nil)
        #expect(form.field(named: "tags")?.maxItems != nil, "no list may be unbounded")
        #expect(form.field(named: "tags")?.options == [FieldOption(value: "a", label: who.label)])
        #expect(form.field(named: "flag")?.section == .clear)

        let people = try #require(form.field(named: "people"))
        #expect(people.maxItems != nil)
        #expect(people.subfields.map(\.name) == ["name"])
        #expect(people.subfields.first?.section == .testimony, "sub-fields inherit their parent's section")
        #expect(people.subfields.first?.maxLength == 7)
    }

    @Test func limitsAtTheirBoundsAndLongestNamesLoad() throws {
        let longName = "n" + String(repeating: "_", count: 63)
        let longID = "f" + String(repeating: "-", count: 63)
        let form = try Form(
            toml: FormTOML.form(
                header: FormTOML.header(id: "\"\(longID)\""),
                FormTOML.field(longName, "line", section: "testimony", "max_length = 1"),
                FormTOML.field("long", "text", section: "testimony", "max_length = 1000000"),
                FormTOML.field("list", "enum_list", "max_items = 1"),
                FormTOML.option("z" + String(repeating: "9", count: 63)),
            )
        )
        #expect(form.id == longID)
        #expect(form.field(named: longName)?.maxLength == 1)
        #expect(form.field(named: "long")?.maxLength == 1_000_000)
        #expect(form.field(named: "list")?.maxItems == 1)
    }

    @Test func labelsAreStoredAsNFC() throws {
        // "й" typed as и + combining breve.
        let form = try Form(
            toml: """
                \(FormTOML.header())
                [[fields]]
                name = "story"
                type = "text"
                section = "testimony"
                label = { en = "Story", ru = "Расскажи\u{0306}", kk = "Ои\u{0306}" }
                """
        )
        let label = try #require(form.field(named: "story")?.label)
        #expect(Array(label.ru.unicodeScalars) == Array("Расскажй".unicodeScalars))
        #expect(Array(label.kk.unicodeScalars) == Array("Ой".unicodeScalars))
    }

    static let rejections: [FormRejection] = {
        let f = FormTOML.self
        return [
            // Unknown keys, at every level.
            FormRejection(
                "unknown key at top level", f.form(header: f.header(extra: #"colour = "vermilion""#), f.story),
                mentions: ["\"colour\""], quotesNot: ["vermilion"]
            ),
            FormRejection(
                "unknown key in a field", f.form(f.story + "\n" + #"placeholder = "vermilion""#),
                mentions: ["fields[0].placeholder"], quotesNot: ["vermilion"]
            ),
            FormRejection(
                "unknown key in an option",
                f.form(f.story, f.field("choice", "enum"), f.option("a", #"colour = "vermilion""#)),
                mentions: ["fields[1].options[0].colour"], quotesNot: ["vermilion"]
            ),
            FormRejection(
                "unknown language in a label",
                f.form(
                    f.story,
                    """
                    [[fields]]
                    name = "who"
                    type = "line"
                    label = { en = "Who", ru = "Кто", kk = "Кім", de = "Wer genau" }
                    """
                ),
                mentions: ["fields[1].label.de"], quotesNot: ["Wer genau"]
            ),
            FormRejection(
                "section key in a sub-field",
                f.form(f.story, f.field("people", "records"), f.subfield("name", "line", #"section = "clear""#)),
                mentions: ["fields[1].fields[0].section"]
            ),
            FormRejection(
                "max_length on an enum",
                f.form(f.story, f.field("choice", "enum", "max_length = 10"), f.option("a")),
                mentions: ["fields[1].max_length"]
            ),
            FormRejection(
                "max_items on a line",
                f.form(f.story, f.field("who", "line", "max_items = 10")),
                mentions: ["fields[1].max_items"]
            ),

            // Labels in every language.
            FormRejection(
                "label without Kazakh",
                f.form(
                    """
                    [[fields]]
                    name = "story"
                    type = "text"
                    label = { en = "Story text", ru = "Текст рассказа" }
                    """
                ),
                mentions: ["fields[0].label.kk"], quotesNot: ["Story text", "Текст рассказа"]
            ),
            FormRejection(
                "title without Russian",
                f.form(
                    header: """
                        id = "small"
                        version = 1
                        title = { en = "Small form", kk = "Шағын форма" }
                        """,
                    f.story
                ),
                mentions: ["title.ru"], quotesNot: ["Small form", "Шағын форма"]
            ),
            FormRejection(
                "option label without English",
                f.form(
                    f.story, f.field("choice", "enum"),
                    """
                    [[fields.options]]
                    value = "a"
                    label = { ru = "Первый вариант", kk = "Бірінші нұсқа" }
                    """
                ),
                mentions: ["fields[1].options[0].label.en"], quotesNot: ["Первый вариант", "Бірінші нұсқа"]
            ),
            FormRejection(
                "help without Kazakh",
                f.form(f.story + "\n" + #"help = { en = "Some help", ru = "Подсказка" }"#),
                mentions: ["fields[0].help.kk"], quotesNot: ["Some help", "Подсказка"]
            ),
            FormRejection(
                "empty language in a label",
                f.form(
                    """
                    [[fields]]
                    name = "story"
                    type = "text"
                    label = { en = "Story text", ru = "Текст рассказа", kk = "" }
                    """
                ),
                mentions: ["fields[0].label"], quotesNot: ["Story text", "Текст рассказа"]
            ),
            FormRejection(
                "field without a label",
                f.form("[[fields]]\nname = \"story\"\ntype = \"text\""),
                mentions: ["fields[0].label"]
            ),

            // Identifier syntax.
            FormRejection(
                "id with a space and capitals", f.form(header: f.header(id: #""Secret Form""#), f.story),
                mentions: ["\"id\""], quotesNot: ["Secret Form"]
            ),
            FormRejection(
                "id starting with a digit", f.form(header: f.header(id: #""1form""#), f.story),
                mentions: ["\"id\""], quotesNot: ["1form"]
            ),
            FormRejection(
                "id of 65 characters",
                f.form(header: f.header(id: "\"f\(String(repeating: "x", count: 64))\""), f.story),
                mentions: ["\"id\""], quotesNot: ["fxxxxxxxx"]
            ),
            FormRejection(
                "id that is not a string", f.form(header: f.header(id: "7"), f.story),
                mentions: ["\"id\""]
            ),
            FormRejection(
                "field name with a space", f.form(f.story, f.field("Full Name", "line")),
                mentions: ["fields[1].name"], quotesNot: ["Full Name"]
            ),
            FormRejection(
                "field name with a hyphen", f.form(f.story, f.field("full-name", "line")),
                mentions: ["fields[1].name"], quotesNot: ["full-name"]
            ),
            FormRejection(
                "field name in Cyrillic", f.form(f.story, f.field("имя", "line")),
                mentions: ["fields[1].name"], quotesNot: ["имя"]
            ),
            FormRejection(
                "empty field name", f.form(f.story, f.field("", "line")),
                mentions: ["fields[1].name"]
            ),
            FormRejection(
                "field name of 65 characters",
                f.form(f.story, f.field("n\(String(repeating: "q", count: 64))", "line")),
                mentions: ["fields[1].name"], quotesNot: ["nqqqqqqqq"]
            ),
            FormRejection(
                "option value with capitals",
                f.form(f.story, f.field("choice", "enum"), f.option("Yes Please")),
                mentions: ["fields[1]", "option"], quotesNot: ["Yes Please"]
            ),
            FormRejection(
                "version 0", f.form(header: f.header(version: "0"), f.story),
                mentions: ["\"version\""]
            ),

            // Types and sections.
            FormRejection(
                "unknown type", f.form(f.story, f.field("who", "paragraphs")),
                mentions: ["fields[1]", "type"], quotesNot: ["paragraphs"]
            ),
            FormRejection(
                "unknown section", f.form(f.story, f.field("who", "enum", section: "publicly"), f.option("a")),
                mentions: ["fields[1]", "section"], quotesNot: ["publicly"]
            ),
            FormRejection(
                "clear line field", f.form(f.story, f.field("who", "line", section: "clear")),
                mentions: ["fields[1]", "clear"]
            ),
            FormRejection(
                "clear text field", f.form(f.story, f.field("notes", "text", section: "clear")),
                mentions: ["fields[1]", "clear"]
            ),
            FormRejection(
                "clear date field", f.form(f.story, f.field("born", "date", section: "clear")),
                mentions: ["fields[1]", "clear"]
            ),
            FormRejection(
                "clear records field",
                f.form(f.story, f.field("people", "records", section: "clear"), f.subfield("kind", "bool")),
                mentions: ["fields[1]", "clear"]
            ),
            FormRejection(
                "nested records",
                f.form(
                    f.story, f.field("people", "records"), f.subfield("children", "records"),
                    f.subfield("name", "line")
                        .replacingOccurrences(of: "[[fields.fields]]", with: "[[fields.fields.fields]]")
                ),
                mentions: ["fields[1].fields[0]", "records"]
            ),
            FormRejection(
                "records without sub-fields", f.form(f.story, f.field("people", "records", "fields = []")),
                mentions: ["fields[1]"]
            ),

            // Repeats and empty option lists.
            FormRejection(
                "duplicate field names", f.form(f.story, f.field("who", "line"), f.field("who", "text")),
                mentions: ["\"who\""]
            ),
            FormRejection(
                "duplicate sub-field names",
                f.form(f.story, f.field("people", "records"), f.subfield("name", "line"), f.subfield("name", "text")),
                mentions: ["people", "\"name\""]
            ),
            FormRejection(
                "duplicate options", f.form(f.story, f.field("choice", "enum"), f.option("a"), f.option("a")),
                mentions: ["fields[1]"]
            ),
            FormRejection(
                "enum without options", f.form(f.story, f.field("choice", "enum")),
                mentions: ["fields[1].options"]
            ),
            FormRejection(
                "enum with an empty option list", f.form(f.story, f.field("choice", "enum", "options = []")),
                mentions: ["fields[1]", "option"]
            ),
            FormRejection(
                "enum_list without options", f.form(f.story, f.field("choices", "enum_list")),
                mentions: ["fields[1].options"]
            ),

            // Minimum padded sizes must be buckets, so that every reader accepts what they pad.
            FormRejection(
                "a minimum padded size that is not a bucket",
                f.form(header: f.header(extra: "min_padded_bytes = { identity = 3000 }"), f.story),
                mentions: ["min_padded_bytes.identity", "bucket"]
            ),
            FormRejection(
                "a minimum padded size below 512",
                f.form(header: f.header(extra: "min_padded_bytes = { testimony = 256 }"), f.story),
                mentions: ["min_padded_bytes.testimony"]
            ),
            FormRejection(
                // A bucket, but readers find the padding's marker only in the last 64 KiB.
                "a minimum padded size over 64 KiB",
                f.form(header: f.header(extra: "min_padded_bytes = { testimony = 131072 }"), f.story),
                mentions: ["min_padded_bytes.testimony", "65536"]
            ),
            FormRejection(
                "a minimum padded size for the clear section",
                f.form(header: f.header(extra: "min_padded_bytes = { clear = 512 }"), f.story),
                mentions: ["clear"]
            ),

            // Limits.
            FormRejection(
                "max_length 0", f.form(f.story, f.field("who", "line", "max_length = 0")),
                mentions: ["fields[1]", "max_length"]
            ),
            FormRejection(
                "negative max_length", f.form(f.story, f.field("who", "text", "max_length = -5")),
                mentions: ["fields[1]", "max_length"], quotesNot: ["-5"]
            ),
            FormRejection(
                "max_length above 1000000", f.form(f.story, f.field("who", "text", "max_length = 1000001")),
                mentions: ["fields[1]", "max_length"], quotesNot: ["1000001"]
            ),
            FormRejection(
                "max_length as a string", f.form(f.story, f.field("who", "line", #"max_length = "80""#)),
                mentions: ["fields[1].max_length"]
            ),
            FormRejection(
                "max_items 0", f.form(f.story, f.field("choices", "enum_list", "max_items = 0"), f.option("a")),
                mentions: ["fields[1]", "max_items"]
            ),

            // The form as a whole.
            FormRejection(
                "only clear fields",
                f.form(
                    f.field("lang", "enum", section: "clear"), f.option("kk"), f.field("ok", "bool", section: "clear")
                ),
                mentions: ["sealed"]
            ),
            FormRejection("no fields at all", f.header(), mentions: ["fields"]),
            FormRejection(
                "not TOML", f.form(f.story, "name = = \"oops\""),
                mentions: ["line "]
            ),
        ]
    }()

    @Test(arguments: rejections)
    func refuses(_ rejection: FormRejection) throws {
        let error = try #require(Self.loadError(rejection.toml))
        let message = error.message
        #expect(!message.isEmpty)
        #expect(!message.contains("\n") && !message.contains("\r"), "one line: \(message)")
        for mention in rejection.mentions {
            #expect(message.contains(mention), "\(message) should name \(mention)")
        }
        for value in rejection.quotesNot + FormTOML.labelTexts + ["Small form", "Малая форма", "Шағын форма"] {
            #expect(!message.contains(value), "\(message) quotes a value")
        }
    }

    /// The rejections above differ from a form that loads in one place only; if the base form did not load,
    /// every rejection would pass for the wrong reason.
    @Test func baseOfTheRejectionsLoads() throws {
        let f = FormTOML.self
        let form = try Form(
            toml: f.form(
                f.story, f.field("who", "line", "max_length = 1000000"), f.field("choice", "enum"),
                f.option("a"), f.option("b"), f.field("people", "records"), f.subfield("name", "line"),
                f.subfield("kind", "bool"), f.field("lang", "enum", section: "clear"), f.option("kk"),
                f.field("ok", "bool", section: "clear")
            )
        )
        #expect(form.fields.count == 6)
    }
}
