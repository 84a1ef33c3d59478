import Foundation
import Testing

import AmanatFormFiles
import AmanatForms
import AmanatJSON

/// Helpers shared by the validation and canonical-output tests.
enum Testimonies {
    static func parse(_ json: String) throws -> JSONValue {
        try JSONParser().parse(Array(json.utf8))
    }

    /// The least the shipped form accepts: its required fields.
    static let minimal: [String: JSONValue] = [
        "full_name": .string("Ақмарал Төлеубайқызы"),
        "narrative": .string("Мен 1985 жылы Тарбағатай аймағында туғанмын."),
        "language": .string("kk"),
        "consent": .string("archive_only"),
    ]

    static func minimal(with changes: [String: JSONValue]) -> JSONValue {
        .object(minimal.merging(changes) { $1 })
    }

    static func minimal(without name: String) -> JSONValue {
        var fields = minimal
        fields[name] = nil
        return .object(fields)
    }

    /// A relatives entry with its required sub-fields and `changes`.
    static func relative(_ changes: [String: JSONValue] = [:]) -> JSONValue {
        .object(["name": .string("Нұрлан Бақытұлы"), "relation": .string("spouse")].merging(changes) { $1 })
    }

    /// Every field of the shipped form, each with a value.
    static let complete: JSONValue = .object([
        "full_name": .string("Ақмарал Төлеубайқызы"),
        "other_names": .string("Akmaral Toleubaikyzy; 阿克玛拉·托列拜"),
        "birth_date": .string("1985-07"),
        "contact": .string("+7 700 000 00 00 (WhatsApp)\nтек кешке"),
        "current_city": .string("Қаскелең"),
        "origin_place": .string("Ақтам ауылы, Дөрбілжін ауданы"),
        "id_documents": .string("ҚР жеке куәлігі 000000000"),
        "relatives": .array([
            relative(["location": .string("Шыңжаң"), "status": .string("imprisoned"), "notes": .string("2019")])
        ]),
        "narrative": .string("Мен 1985 жылы туғанмын."),
        "detention_places": .string("Дөрбілжін ауданы, лагерь"),
        "events_period": .string("2017-04 — 2019-01"),
        "perpetrators": .string("Аудандық кадрлар"),
        "evidence_notes": .string("Сот үкімінің көшірмесі"),
        "language": .string("kk"),
        "region": .string("tarbagatay"),
        "violation_types": .array([.string("arbitrary_detention"), .string("family_separation")]),
        "consent": .string("anonymised_publication"),
    ])

    /// A form with one field of every type and small limits, so that bounds are cheap to reach.
    static let kindsTOML = """
        id = "kinds"
        version = 2
        title = { en = "Kinds", ru = "Виды", kk = "Түрлері" }

        [[fields]]
        name = "line"
        type = "line"
        section = "testimony"
        max_length = 5
        label = { en = "Line", ru = "Строка", kk = "Жол" }

        [[fields]]
        name = "text"
        type = "text"
        section = "testimony"
        max_length = 5
        label = { en = "Text", ru = "Текст", kk = "Мәтін" }

        [[fields]]
        name = "date"
        type = "date"
        label = { en = "Date", ru = "Дата", kk = "Күні" }

        [[fields]]
        name = "choice"
        type = "enum"
        section = "clear"
        label = { en = "Choice", ru = "Выбор", kk = "Таңдау" }
        options = [
            { value = "a", label = { en = "A", ru = "А", kk = "А" } },
            { value = "b", label = { en = "B", ru = "Б", kk = "Б" } },
            { value = "c", label = { en = "C", ru = "В", kk = "В" } },
        ]

        [[fields]]
        name = "choices"
        type = "enum_list"
        section = "clear"
        max_items = 2
        label = { en = "Choices", ru = "Выборы", kk = "Таңдаулар" }
        options = [
            { value = "a", label = { en = "A", ru = "А", kk = "А" } },
            { value = "b", label = { en = "B", ru = "Б", kk = "Б" } },
            { value = "c", label = { en = "C", ru = "В", kk = "В" } },
        ]

        [[fields]]
        name = "flag"
        type = "bool"
        section = "clear"
        label = { en = "Flag", ru = "Флаг", kk = "Белгі" }

        [[fields]]
        name = "items"
        type = "records"
        max_items = 2
        label = { en = "Items", ru = "Записи", kk = "Жазбалар" }

        [[fields.fields]]
        name = "label"
        type = "line"
        required = true
        max_length = 5
        label = { en = "Label", ru = "Метка", kk = "Белгі" }

        [[fields.fields]]
        name = "kind"
        type = "enum"
        label = { en = "Kind", ru = "Вид", kk = "Түрі" }
        options = [{ value = "x", label = { en = "X", ru = "Х", kk = "Х" } }]
        """

    static func kindsForm() throws -> Form {
        try Form(toml: kindsTOML)
    }

    /// The error `form` gives for `fields`, recorded as an issue if the fields validate.
    static func rejection(
        _ form: Form, _ fields: JSONValue, sourceLocation: SourceLocation = #_sourceLocation
    ) -> ValidationError? {
        do {
            _ = try form.validate(fields: fields)
            Issue.record("the testimony validated but should have been refused", sourceLocation: sourceLocation)
            return nil
        } catch {
            #expect(!error.detail.isEmpty, sourceLocation: sourceLocation)
            #expect(!error.detail.contains("\n"), sourceLocation: sourceLocation)
            return error
        }
    }

    /// Checks that `form` refuses `fields` with `kind` naming `field`.
    static func expectRejection(
        _ form: Form, _ fields: JSONValue, _ kind: ValidationError.Kind, field: String?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let error = rejection(form, fields, sourceLocation: sourceLocation) else { return }
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        #expect(error.field == field, "\(error)", sourceLocation: sourceLocation)
        if let field {
            #expect(
                error.detail.contains(field), "\(error.detail) should name \(field)", sourceLocation: sourceLocation
            )
        }
    }

    /// All string values and keys inside `value`, for checks that no error repeats submitted text.
    static func strings(in value: JSONValue) -> [String] {
        switch value {
        case .string(let text): [text]
        case .array(let items): items.flatMap(strings(in:))
        case .object(let members): members.flatMap { [$0.key] + strings(in: $0.value) }
        default: []
        }
    }
}

// MARK: - Examples and section split

@Suite("Validation: examples and sections")
struct ExampleValidationTests {
    static let exampleFiles = [
        "testimony.json", "testimony-kk.json", "testimony-ru.json", "testimony-ug.json", "testimony-zh.json",
    ]

    /// A new example is not silently left out of the parameterised test below.
    @Test func theExampleListIsComplete() throws {
        let listed = try FileManager.default.contentsOfDirectory(atPath: RepositoryFiles.url("examples").path)
            .filter { $0.hasSuffix(".json") }
        #expect(Set(listed) == Set(Self.exampleFiles))
    }

    @Test(arguments: exampleFiles)
    func exampleValidates(_ file: String) throws {
        let document = try Testimonies.parse(RepositoryFiles.text("examples/\(file)"))
        #expect(document["form"] == .string("testimony"))
        let fields = try #require(document["fields"])
        let form = try RepositoryFiles.shippedForm()
        let testimony = try form.validate(fields: fields)
        #expect(testimony.formID == "testimony")
        #expect(testimony.formVersion == form.version)
        // Every field the example gives ends up in exactly one section, under its own name.
        let given = try #require(fields.objectValue)
        let stored = testimony.sections.values.flatMap(\.keys)
        #expect(Set(stored) == Set(given.keys))
        #expect(stored.count == given.count)
        for (name, value) in given {
            let section = try #require(form.field(named: name)?.section)
            #expect(testimony.sections[section]?[name] == value, "\(name)")
        }
    }

    @Test func sectionsHoldExactlyTheirOwnFields() throws {
        let form = try RepositoryFiles.shippedForm()
        let testimony = try form.validate(fields: Testimonies.complete)
        for (section, names) in ShippedFormTests.designedSections {
            #expect(Set(testimony.sections[section].map { Array($0.keys) } ?? []) == names, "\(section)")
        }
        // The clear output is the four coarse values and nothing else.
        let clear =
            #"{"consent":"anonymised_publication","language":"kk","region":"tarbagatay","#
            + #""violation_types":["arbitrary_detention","family_separation"]}"#
        #expect(testimony.canonicalJSON(.clear) == Array(clear.utf8))
    }

    @Test func absentOptionalFieldsAreLeftOut() throws {
        let form = try RepositoryFiles.shippedForm()
        let testimony = try form.validate(fields: .object(Testimonies.minimal))
        #expect(testimony.sections[.identity] == ["full_name": Testimonies.minimal["full_name"]!])
        #expect(testimony.sections[.testimony] == ["narrative": Testimonies.minimal["narrative"]!])
        #expect(testimony.sections[.clear] == ["language": .string("kk"), "consent": .string("archive_only")])
    }

    @Test func listsOfChoicesAreStoredInTheFormsOrderWhateverOrderTheyWereGivenIn() throws {
        let form = try RepositoryFiles.shippedForm()
        // The form lists arbitrary_detention, political_indoctrination, torture, forced_labour, family_separation.
        func clear(_ choices: [String]) throws -> [UInt8] {
            let fields = Testimonies.minimal(with: ["violation_types": .array(choices.map { .string($0) })])
            return try form.validate(fields: fields).canonicalJSON(.clear)
        }
        let named = try clear(["family_separation", "torture", "arbitrary_detention"])
        let typed = try clear(["torture", "arbitrary_detention", "family_separation"])
        #expect(named == typed)
        #expect(
            String(decoding: named, as: UTF8.self).contains(#""violation_types":["arbitrary_detention","torture","family_separation"]"#)
        )
        // A value named twice is refused, not merged: the volunteer sees the slip.
        Testimonies.expectRejection(
            form, Testimonies.minimal(with: ["violation_types": .array([.string("torture"), .string("torture")])]),
            .invalidValue, field: "violation_types"
        )
    }
}

// MARK: - Unknown, missing and empty fields

/// A value that stands for "not given".
struct EmptyValue: Sendable, CustomTestStringConvertible {
    var value: JSONValue
    var testDescription: String { String(decoding: value.canonicalBytes(), as: UTF8.self) }
    static let all: [EmptyValue] = [.init(value: .null), .init(value: .string("")), .init(value: .array([]))]
}

@Suite("Validation: unknown, missing and empty fields")
struct PresenceValidationTests {
    @Test(arguments: [JSONValue.array([]), .string("fields"), .null, .number("1"), .bool(true)])
    func fieldsMustBeAnObject(_ fields: JSONValue) throws {
        Testimonies.expectRejection(try RepositoryFiles.shippedForm(), fields, .notAnObject, field: nil)
    }

    @Test func unknownFieldIsRefusedWithoutNamingIt() throws {
        let form = try RepositoryFiles.shippedForm()
        let name = "witness_secret_alias"
        let fields = Testimonies.minimal(with: [name: .string("Secret value 7731")])
        let error = try #require(Testimonies.rejection(form, fields))
        #expect(error.kind == .unknownField)
        #expect(error.field == nil)
        #expect(!error.detail.contains(name))
        #expect(!error.detail.contains("Secret value 7731"))
        #expect(!error.description.contains(name))
    }

    /// Even an unknown field whose value counts as "not given" is refused: it is never silently dropped.
    @Test(arguments: EmptyValue.all)
    func unknownEmptyFieldIsRefused(_ empty: EmptyValue) throws {
        let fields = Testimonies.minimal(with: ["Full_Name": empty.value])
        Testimonies.expectRejection(try RepositoryFiles.shippedForm(), fields, .unknownField, field: nil)
    }

    @Test func unknownFieldInARelativeIsRefusedWithoutNamingIt() throws {
        let form = try RepositoryFiles.shippedForm()
        let name = "passport_number_of_relative"
        let fields = Testimonies.minimal(with: [
            "relatives": .array([Testimonies.relative(), Testimonies.relative([name: .string("E00000001")])])
        ])
        let error = try #require(Testimonies.rejection(form, fields))
        #expect(error.kind == .unknownField)
        #expect(error.field == "relatives[1]")
        #expect(!error.detail.contains(name))
        #expect(!error.detail.contains("E00000001"))
    }

    @Test(arguments: ["full_name", "narrative", "language", "consent"])
    func missingRequiredField(_ name: String) throws {
        let form = try RepositoryFiles.shippedForm()
        #expect(form.field(named: name)?.required == true)
        Testimonies.expectRejection(form, Testimonies.minimal(without: name), .missingField, field: name)
    }

    @Test(arguments: ["full_name", "narrative", "language", "consent"], EmptyValue.all)
    func emptyRequiredFieldIsMissing(_ name: String, _ empty: EmptyValue) throws {
        let fields = Testimonies.minimal(with: [name: empty.value])
        Testimonies.expectRejection(try RepositoryFiles.shippedForm(), fields, .missingField, field: name)
    }

    /// nil: left out altogether.
    @Test(arguments: ["name", "relation"], [nil, JSONValue.null, .string(""), .array([])])
    func missingRequiredFieldInARelative(_ name: String, _ empty: JSONValue?) throws {
        var relative = try #require(Testimonies.relative().objectValue)
        relative[name] = empty
        let fields = Testimonies.minimal(with: ["relatives": .array([Testimonies.relative(), .object(relative)])])
        Testimonies.expectRejection(
            try RepositoryFiles.shippedForm(), fields, .missingField, field: "relatives[1].\(name)"
        )
    }

    @Test(
        arguments: [
            "other_names", "birth_date", "contact", "current_city", "origin_place", "id_documents", "relatives",
            "detention_places", "events_period", "perpetrators", "evidence_notes", "region", "violation_types",
        ],
        EmptyValue.all
    )
    func emptyOptionalFieldIsAbsent(_ name: String, _ empty: EmptyValue) throws {
        let form = try RepositoryFiles.shippedForm()
        #expect(form.field(named: name)?.required == false)
        let testimony = try form.validate(fields: Testimonies.minimal(with: [name: empty.value]))
        for section in Section.allCases {
            #expect(testimony.sections[section]?[name] == nil, "\(name) stored in \(section)")
            #expect(!String(decoding: testimony.canonicalJSON(section), as: UTF8.self).contains(name))
        }
    }

    @Test(arguments: EmptyValue.all)
    func emptyOptionalSubfieldIsAbsent(_ empty: EmptyValue) throws {
        let form = try RepositoryFiles.shippedForm()
        let relative = Testimonies.relative(["location": empty.value, "status": empty.value, "notes": empty.value])
        let testimony = try form.validate(fields: Testimonies.minimal(with: ["relatives": .array([relative])]))
        #expect(testimony.sections[.identity]?["relatives"] == .array([Testimonies.relative()]))
    }

    /// `false` is a value, not "not given".
    @Test func falseIsKept() throws {
        let testimony = try Testimonies.kindsForm().validate(fields: .object(["flag": .bool(false)]))
        #expect(testimony.sections[.clear] == ["flag": .bool(false)])
    }
}

// MARK: - Types

/// A value of the wrong JSON type for a field of the kinds form, and the field the error must name.
struct WrongType: Sendable, CustomTestStringConvertible {
    var field: String
    var value: JSONValue
    var path: String

    init(_ field: String, _ value: JSONValue, path: String? = nil) {
        self.field = field
        self.value = value
        self.path = path ?? field
    }

    var testDescription: String { "\(field): \(String(decoding: value.canonicalBytes(), as: UTF8.self))" }

    static let all: [WrongType] = {
        let object: JSONValue = .object(["zq_key": .string("zq value")])
        var cases: [WrongType] = []
        for field in ["line", "text", "date", "choice"] {
            cases += [
                WrongType(field, .number("1")), WrongType(field, .number("2024")), WrongType(field, .bool(true)),
                WrongType(field, .bool(false)), WrongType(field, .array([.string("a")])), WrongType(field, object),
            ]
        }
        cases += [
            WrongType("choices", .string("a")), WrongType("choices", .number("1")), WrongType("choices", .bool(true)),
            WrongType("choices", object), WrongType("choices", .array([.number("1")])),
            WrongType("choices", .array([.string("a"), .null])), WrongType("choices", .array([.array([.string("a")])])),
            WrongType("flag", .string("true")), WrongType("flag", .string("false")), WrongType("flag", .number("1")),
            WrongType("flag", .number("0")), WrongType("flag", .array([.bool(true)])), WrongType("flag", object),
            WrongType("items", .string("a")), WrongType("items", .number("1")), WrongType("items", .bool(true)),
            WrongType("items", .object(["label": .string("a")])),
            WrongType("items", .array([.string("a")]), path: "items[0]"),
            WrongType("items", .array([.null]), path: "items[0]"),
            WrongType("items", .array([.array([])]), path: "items[0]"),
            WrongType("items", .array([.object(["label": .string("a")]), .number("1")]), path: "items[1]"),
            WrongType("items", .array([.object(["label": .number("1")])]), path: "items[0].label"),
            WrongType("items", .array([.object(["label": .string("a"), "kind": .bool(true)])]), path: "items[0].kind"),
        ]
        return cases
    }()
}

@Suite("Validation: types and values")
struct ValueValidationTests {
    @Test(arguments: WrongType.all)
    func wrongType(_ wrong: WrongType) throws {
        let form = try Testimonies.kindsForm()
        let fields: JSONValue = .object([wrong.field: wrong.value])
        Testimonies.expectRejection(form, fields, .wrongType, field: wrong.path)
        if let error = Testimonies.rejection(form, fields) {
            #expect(!error.detail.contains("zq"), "the detail repeats submitted content")
        }
    }

    @Test func wrongTypeInTheShippedForm() throws {
        let form = try RepositoryFiles.shippedForm()
        let cases: [(String, JSONValue)] = [
            ("full_name", .number("42")), ("narrative", .array([.string("a"), .string("b")])),
            ("birth_date", .number("1985")), ("language", .array([.string("kk")])),
            ("violation_types", .string("torture")), ("relatives", .object(["name": .string("a")])),
        ]
        for (name, value) in cases {
            Testimonies.expectRejection(form, Testimonies.minimal(with: [name: value]), .wrongType, field: name)
        }
    }

    /// Each value of every type that the kinds form accepts, as it must come out.
    @Test func everyTypeAcceptsItsValues() throws {
        let fields = try Testimonies.parse(
            """
            {"line": "a b", "text": "a\\nb", "date": "2024-02-29", "choice": "c", "choices": ["c", "a"],
             "flag": true, "items": [{"label": "x"}, {"label": "y", "kind": "x"}]}
            """
        )
        let testimony = try Testimonies.kindsForm().validate(fields: fields)
        #expect(testimony.formID == "kinds")
        #expect(testimony.formVersion == 2)
        #expect(testimony.sections[.testimony] == ["line": .string("a b"), "text": .string("a\nb")])
        #expect(
            testimony.sections[.identity] == [
                "date": .string("2024-02-29"),
                "items": .array([
                    .object(["label": .string("x")]), .object(["label": .string("y"), "kind": .string("x")]),
                ]),
            ]
        )
        // Lists of choices are stored in the form's order (c was given first).
        #expect(
            testimony.sections[.clear] == [
                "choice": .string("c"), "choices": .array([.string("a"), .string("c")]), "flag": .bool(true),
            ]
        )
    }

    // MARK: Length

    /// Line and text fields of the kinds form allow 5 code points.
    static let fitting: [String] = [
        "abcde",
        "ӘәҚқҮ",  // 2 bytes each
        "阿克玛拉托",  // 3 bytes each
        "😀😀😀😀😀",  // 4 bytes and 2 UTF-16 units each
        String(repeating: "и\u{0306}", count: 5),  // 10 code points as typed, 5 after NFC
        "\u{0958}\u{0958}",  // composition-excluded: 4 code points after NFC
    ]
    static let tooLong: [String] = [
        "abcdef",
        "ӘәҚқҮү",
        "😀😀😀😀😀😀",
        "🇰🇿🇰🇿🇰🇿",  // 3 characters, 6 code points
        String(repeating: "и\u{0306}", count: 6),
        "\u{0958}\u{0958}\u{0958}",  // 3 code points as typed, 6 after NFC
    ]

    @Test(arguments: ["line", "text"], fitting)
    func fitsMaxLength(_ field: String, _ value: String) throws {
        let testimony = try Testimonies.kindsForm().validate(fields: .object([field: .string(value)]))
        let stored = try #require(testimony.sections[.testimony]?[field]?.stringValue)
        #expect(stored.unicodeScalars.count <= 5)
        #expect(stored == value)
    }

    @Test(arguments: ["line", "text"], tooLong)
    func exceedsMaxLength(_ field: String, _ value: String) throws {
        let form = try Testimonies.kindsForm()
        Testimonies.expectRejection(form, .object([field: .string(value)]), .tooLong, field: field)
    }

    @Test func subfieldMaxLength() throws {
        let form = try Testimonies.kindsForm()
        _ = try form.validate(fields: .object(["items": .array([.object(["label": .string("Айгүл")])])]))
        Testimonies.expectRejection(
            form, .object(["items": .array([.object(["label": .string("Айгүлім")])])]), .tooLong,
            field: "items[0].label"
        )
    }

    /// Every line and text field of the shipped form: exactly its maximum passes, one more code point fails.
    @Test func shippedFormLengthBoundaries() throws {
        let form = try RepositoryFiles.shippedForm()
        var checked = 0
        for field in form.fields where field.type == .line || field.type == .text {
            let maxLength = try #require(field.maxLength, "\(field.name) is unbounded")
            let fitting = String(repeating: "Қ", count: maxLength)
            let testimony = try form.validate(fields: Testimonies.minimal(with: [field.name: .string(fitting)]))
            #expect(testimony.sections[field.section]?[field.name] == .string(fitting))
            Testimonies.expectRejection(
                form, Testimonies.minimal(with: [field.name: .string(fitting + "a")]), .tooLong, field: field.name
            )
            checked += 1
        }
        #expect(checked == 11)
    }

    @Test func shippedRelativeNameLengthBoundary() throws {
        let form = try RepositoryFiles.shippedForm()
        let maxLength = try #require(form.field(named: "relatives")?.subfields.first { $0.name == "name" }?.maxLength)
        let fitting = String(repeating: "阿", count: maxLength)
        _ = try form.validate(
            fields: Testimonies.minimal(with: ["relatives": .array([Testimonies.relative(["name": .string(fitting)])])])
        )
        Testimonies.expectRejection(
            form,
            Testimonies.minimal(with: ["relatives": .array([Testimonies.relative(["name": .string(fitting + "阿")])])]),
            .tooLong, field: "relatives[0].name"
        )
    }

    // MARK: Control characters

    static let c0AndC1: [UInt32] = [0x00, 0x01, 0x07, 0x08, 0x0B, 0x0C, 0x1B, 0x1F, 0x7F, 0x80, 0x85, 0x9F]

    /// A line field is one line: besides controls, U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR are refused.
    @Test(arguments: [0x0A, 0x0D, 0x09, 0x2028, 0x2029] + c0AndC1)
    func lineRefusesControlCharacters(_ code: UInt32) throws {
        let value = "ab\(Character(Unicode.Scalar(code)!))c"
        let form = try Testimonies.kindsForm()
        Testimonies.expectRejection(form, .object(["line": .string(value)]), .invalidValue, field: "line")
        Testimonies.expectRejection(
            form, .object(["items": .array([.object(["label": .string(value)])])]), .invalidValue,
            field: "items[0].label"
        )
        Testimonies.expectRejection(
            try RepositoryFiles.shippedForm(), Testimonies.minimal(with: ["full_name": .string(value)]),
            .invalidValue, field: "full_name"
        )
    }

    @Test(arguments: c0AndC1)
    func textRefusesOtherControlCharacters(_ code: UInt32) throws {
        let value = "ab\(Character(Unicode.Scalar(code)!))c"
        let form = try Testimonies.kindsForm()
        Testimonies.expectRejection(form, .object(["text": .string(value)]), .invalidValue, field: "text")
    }

    @Test(arguments: ["a\nb", "a\r\nb", "a\rb", "\tab", "\n\n\n", "a\u{2028}b", "a\u{2029}"])
    func textAcceptsLineBreaksAndTabs(_ value: String) throws {
        let testimony = try Testimonies.kindsForm().validate(fields: .object(["text": .string(value)]))
        let stored = try #require(testimony.sections[.testimony]?["text"]?.stringValue)
        #expect(Array(stored.unicodeScalars) == Array(value.unicodeScalars))
    }

    /// The neighbours of the refused ranges are ordinary characters.
    @Test(arguments: [" ~", "\u{A0}b", "\u{A1}", "\u{7E}"])
    func lineAcceptsPrintableNeighbours(_ value: String) throws {
        let testimony = try Testimonies.kindsForm().validate(fields: .object(["line": .string(value)]))
        #expect(testimony.sections[.testimony]?["line"] == .string(value))
    }

    // MARK: Dates

    @Test(arguments: ["2024", "2024-01", "2024-12", "2024-01-01", "2024-02-29", "2000-02-29", "2023-02-28",
                      "1985-07-31", "2024-04-30", "0001", "9999-12-31"])
    func validDate(_ value: String) throws {
        let testimony = try Testimonies.kindsForm().validate(fields: .object(["date": .string(value)]))
        #expect(testimony.sections[.identity]?["date"] == .string(value))
    }

    @Test(arguments: [
        "2023-02-29", "2024-02-30", "1900-02-29", "2024-04-31", "2024-01-32", "2024-01-00", "2024-00", "2024-13",
        "24-01-01", "2024-1-1", "2024-01-1", "2024-1", "2024-01-01T00:00", "2024-01-01 ", " 2024", "+2024",
        "202", "20245", "0000", "2024/01/01", "2024-01-", "2024--01", "２０２４", "١٩٨٥", "abcd", "2024-0a",
    ])
    func invalidDate(_ value: String) throws {
        let form = try Testimonies.kindsForm()
        guard let error = Testimonies.rejection(form, .object(["date": .string(value)])) else { return }
        #expect(error.kind == .invalidValue)
        #expect(error.field == "date")
        #expect(!error.detail.contains(value.trimmingCharacters(in: .whitespaces)))
    }

    @Test func shippedBirthDateIsADate() throws {
        let form = try RepositoryFiles.shippedForm()
        _ = try form.validate(fields: Testimonies.minimal(with: ["birth_date": .string("1972")]))
        Testimonies.expectRejection(
            form, Testimonies.minimal(with: ["birth_date": .string("1972-02-30")]), .invalidValue, field: "birth_date"
        )
    }

    // MARK: Options

    @Test(arguments: ["d", "A", " a", "a ", "aa", "x", "choice"])
    func enumValueNotInOptions(_ value: String) throws {
        let form = try Testimonies.kindsForm()
        Testimonies.expectRejection(form, .object(["choice": .string(value)]), .invalidValue, field: "choice")
        Testimonies.expectRejection(
            form, .object(["choices": .array([.string(value)])]), .invalidValue, field: "choices"
        )
    }

    @Test func enumValueIsNotEchoed() throws {
        let form = try RepositoryFiles.shippedForm()
        let fields = Testimonies.minimal(with: ["language": .string("kazakh_zq")])
        let error = try #require(Testimonies.rejection(form, fields))
        #expect(error.kind == .invalidValue)
        #expect(error.field == "language")
        #expect(!error.detail.contains("kazakh_zq"))
        Testimonies.expectRejection(
            form,
            Testimonies.minimal(with: ["relatives": .array([Testimonies.relative(["relation": .string("cat")])])]),
            .invalidValue, field: "relatives[0].relation"
        )
    }

    @Test func enumListRefusesRepeats() throws {
        let form = try Testimonies.kindsForm()
        Testimonies.expectRejection(
            form, .object(["choices": .array([.string("b"), .string("b")])]), .invalidValue, field: "choices"
        )
        let shipped = try RepositoryFiles.shippedForm()
        Testimonies.expectRejection(
            shipped, Testimonies.minimal(with: ["violation_types": .array([.string("torture"), .string("torture")])]),
            .invalidValue, field: "violation_types"
        )
    }

    @Test func enumListMaxItems() throws {
        let form = try Testimonies.kindsForm()
        _ = try form.validate(fields: .object(["choices": .array([.string("a"), .string("b")])]))
        Testimonies.expectRejection(
            form, .object(["choices": .array([.string("a"), .string("b"), .string("c")])]), .tooManyItems,
            field: "choices"
        )
    }

    @Test func shippedViolationTypesAllowsEveryOption() throws {
        let form = try RepositoryFiles.shippedForm()
        let field = try #require(form.field(named: "violation_types"))
        let maxItems = try #require(field.maxItems)
        #expect(field.options.count <= maxItems, "choosing every option must be possible")
        let all = field.options.map { JSONValue.string($0.value) }
        _ = try form.validate(fields: Testimonies.minimal(with: ["violation_types": .array(all)]))
    }

    // MARK: Records

    @Test func recordsMaxItems() throws {
        let form = try Testimonies.kindsForm()
        let item: JSONValue = .object(["label": .string("a")])
        _ = try form.validate(fields: .object(["items": .array([item, item])]))
        Testimonies.expectRejection(form, .object(["items": .array([item, item, item])]), .tooManyItems, field: "items")
    }

    @Test func shippedRelativesMaxItems() throws {
        let form = try RepositoryFiles.shippedForm()
        let maxItems = try #require(form.field(named: "relatives")?.maxItems)
        let relatives = Array(repeating: Testimonies.relative(), count: maxItems)
        let testimony = try form.validate(fields: Testimonies.minimal(with: ["relatives": .array(relatives)]))
        #expect(testimony.sections[.identity]?["relatives"]?.arrayValue?.count == maxItems)
        Testimonies.expectRejection(
            form, Testimonies.minimal(with: ["relatives": .array(relatives + [Testimonies.relative()])]),
            .tooManyItems, field: "relatives"
        )
    }

    @Test func recordsValidateEachEntry() throws {
        let form = try Testimonies.kindsForm()
        let good: JSONValue = .object(["label": .string("a")])
        Testimonies.expectRejection(
            form, .object(["items": .array([good, .object(["kind": .string("y"), "label": .string("b")])])]),
            .invalidValue, field: "items[1].kind"
        )
        Testimonies.expectRejection(
            form, .object(["items": .array([good, .object([:])])]), .missingField, field: "items[1].label"
        )
    }
}
