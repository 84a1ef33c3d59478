import AmanatTestSupport
import Testing

@testable import AmanatForms
@testable import AmanatJSON

/// The canonical JSON of validated sections is written straight from the validated values (ValidatedTestimony.swift)
/// instead of through `JSONValue.canonicalBytes()`. These tests hold it to the bytes and values the dictionary-based
/// way gives, on forms with ordinary and with awkward field names, for random testimonies.
@Suite("Validated section encoding")
struct ValidatedEncodingTests {
    static func label(_ text: String) -> LocalizedText { LocalizedText(en: text, ru: text, kk: text) }

    static func field(
        _ name: String, _ type: FieldType, _ section: Section = .identity, required: Bool = false,
        options: [String] = [], subfields: [FormField] = []
    ) -> FormField {
        FormField(
            name: name, type: type, section: section, required: required, maxLength: nil, maxItems: nil,
            label: label(name), help: nil, options: options.map { FieldOption(value: $0, label: label($0)) },
            subfields: subfields
        )
    }

    static func form(_ fields: [FormField]) -> Form {
        Form(id: "test", version: 1, title: label("Test"), description: nil, fields: fields)
    }

    /// Names whose NFC differs from them, whose NFC order differs from their byte order, that need escaping, and
    /// two (`tibetanDecomposed`, `tibetanNFC`) that `String` equality tells apart although their NFC is the same.
    static let awkwardForm = form([
        field("z_line", .line),
        field("\u{E9}", .text),
        field("\u{212B}", .line, .testimony),
        field(tibetanDecomposed, .line, .testimony),
        field(tibetanNFC, .text, .testimony),
        field("quote\"back\\slash\ttab", .bool, .clear),
        field("date", .date),
        field("choice", .enumeration, .clear, options: ["a", "b", "c"]),
        field("choices", .enumerationList, .clear, options: ["a", "b", "c", "d"]),
        field("records", .records, subfields: [
            field("b", .line), field("a\u{301}", .text), field("\u{E0}", .enumeration, options: ["x", "y"]),
            field("c", .bool),
        ]),
    ])

    static let tibetanDecomposed = "\u{F74}\u{F81}"
    static let tibetanNFC = "\u{F71}\u{F80}\u{F74}"

    /// Fields that share a name, which only a hand-built form can have: the dictionaries merge them. Fields that
    /// share a name have one type, so that one given value fits both.
    static let sharedNamesForm = form([
        field("dup", .line),
        field("dup", .line, .testimony),
        field("e\u{301}", .text, .clear),
        field("\u{E9}", .text),
        field("records", .records, subfields: [field("n", .line), field("n", .line), field("m", .bool)]),
    ])

    /// Pieces of text: ASCII, characters JSON escapes, precomposed and decomposed letters, the characters whose NFC
    /// the standard library alone gets wrong, Hangul, CJK, Cyrillic, Arabic and an emoji sequence.
    static let linePieces = [
        "a", "Z", " ", "/", "\"", "\\", "\u{7E}", "\u{A0}", "\u{E9}", "e\u{301}", "\u{212B}", "\u{AC00}\u{11A8}",
        "\u{1100}\u{1161}", "\u{439}", "\u{438}\u{306}", "\u{F73}", "\u{F40}\u{F74}\u{F73}", "a\u{344}",
        "\u{1E0A}\u{323}", "\u{F74}\u{F81}", "中", "\u{49A}", "\u{626}", "\u{64A}\u{654}",
        "\u{1F469}\u{200D}\u{2696}\u{FE0F}", "\u{301}",
    ]
    static let textPieces = linePieces + ["\t", "\n", "\r", "\u{2028}", "\u{2029}"]

    static func randomText(_ pieces: [String], using generator: inout SplitMix64) -> String {
        (0..<Int.random(in: 1...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
    }

    /// A random valid value for `field`, or nil to leave it out.
    static func randomValue(for field: FormField, using generator: inout SplitMix64) -> JSONValue? {
        guard field.required || Int.random(in: 0..<5, using: &generator) > 0 else { return nil }
        switch field.type {
        case .line: return .string(randomText(linePieces, using: &generator))
        case .text: return .string(randomText(textPieces, using: &generator))
        case .date: return .string(["1985", "1985-07", "2000-02-29"].randomElement(using: &generator)!)
        case .enumeration: return .string(field.options.randomElement(using: &generator)!.value)
        case .enumerationList:
            let values = field.options.map(\.value).shuffled(using: &generator)
            let count = Int.random(in: 1...min(values.count, field.maxItems ?? .max), using: &generator)
            return .array(values.prefix(count).map { .string($0) })
        case .bool: return .bool(Bool.random(using: &generator))
        case .records:
            return .array((0..<Int.random(in: 1...3, using: &generator)).map { _ in
                .object(randomObject(for: field.subfields, using: &generator))
            })
        }
    }

    static func randomObject(for fields: [FormField], using generator: inout SplitMix64) -> [String: JSONValue] {
        var object: [String: JSONValue] = [:]
        for field in fields {
            if let value = randomValue(for: field, using: &generator) { object[field.name] = value }
        }
        return object
    }

    /// What validation stored before it kept values in field order: each field's value in a dictionary keyed by
    /// name, text in NFC, then the dictionary of each section.
    static func expectedObject(_ given: [String: JSONValue], _ fields: [FormField]) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for field in fields {
            guard let value = given[field.name] else { continue }
            switch (field.type, value) {
            case (.line, .string(let text)), (.text, .string(let text)): out[field.name] = .string(text.nfc)
            case (.records, .array(let items)):
                out[field.name] = .array(items.map { .object(expectedObject($0.objectValue!, field.subfields)) })
            case (.enumerationList, .array(let items)):
                // Stored in the form's order of the options, whatever the order given.
                out[field.name] = .array(field.options.map { JSONValue.string($0.value) }.filter(items.contains))
            default: out[field.name] = value
            }
        }
        return out
    }

    static func expectedSections(_ given: [String: JSONValue], _ form: Form) -> [Section: [String: JSONValue]] {
        let values = expectedObject(given, form.fields)
        var sections: [Section: [String: JSONValue]] = [.clear: [:], .identity: [:], .testimony: [:]]
        for field in form.fields {
            if let value = values[field.name] { sections[field.section, default: [:]][field.name] = value }
        }
        return sections
    }

    static func checkRandomTestimonies(_ form: Form, seed: UInt64, count: Int) throws {
        var generator = SplitMix64(state: seed)
        for _ in 0..<count {
            let given = randomObject(for: form.fields, using: &generator)
            let testimony = try form.validate(fields: .object(given))
            let expected = expectedSections(given, form)
            for section in Section.allCases {
                let stored = try #require(testimony.sections[section])
                let wanted = try #require(expected[section])
                #expect(scalarExact(.object(stored), .object(wanted)), "\(section) of \(given)")
                let bytes = testimony.canonicalJSON(section)
                #expect(bytes == JSONValue.object(wanted).canonicalBytes(), "\(section) of \(given)")
                // Reserved at once, so no partial copy of the plaintext is left behind in freed memory.
                let estimate = ValidatedTestimony.estimatedSize(
                    testimony.values, of: testimony.fields, plan: testimony.plan, section: section
                )
                #expect(bytes.count <= estimate, "\(section) of \(given)")
            }
        }
    }

    @Test func awkwardNamesAreDistinct() throws {
        // Otherwise the random tests below would not reach the encoder they are about.
        #expect(Self.awkwardForm.fieldPlan.namesAreDistinct)
        #expect(!Self.sharedNamesForm.fieldPlan.namesAreDistinct)
        let shipped = try RepositoryFiles.shippedForm()
        #expect(shipped.fieldPlan.namesAreDistinct)
        #expect(Self.tibetanDecomposed != Self.tibetanNFC)
        #expect(Array(Self.tibetanDecomposed.nfc.utf8) == Array(Self.tibetanNFC.utf8))
    }

    @Test func shippedFormMatchesTheDictionaryEncoding() throws {
        try Self.checkRandomTestimonies(RepositoryFiles.shippedForm(), seed: 1, count: 300)
    }

    @Test func awkwardNamesMatchTheDictionaryEncoding() throws {
        try Self.checkRandomTestimonies(Self.awkwardForm, seed: 2, count: 500)
    }

    @Test func sharedNamesMatchTheDictionaryEncoding() throws {
        try Self.checkRandomTestimonies(Self.sharedNamesForm, seed: 3, count: 300)
    }

    @Test func awkwardNamesInCanonicalOrder() throws {
        let testimony = try Self.awkwardForm.validate(fields: .object([
            "z_line": .string("1"), "\u{E9}": .string("2"), "date": .string("2001"),
            "records": .array([.object(["b": .string("3"), "a\u{301}": .string("4"), "\u{E0}": .string("x")])]),
            Self.tibetanDecomposed: .string("5"), Self.tibetanNFC: .string("6"), "\u{212B}": .string("7"),
            "quote\"back\\slash\ttab": .bool(true),
        ]))
        // Keys in NFC, by their UTF-8 bytes: U+212B as Å (C3 85), before é (C3 A9) in the identity section though
        // its own bytes (E2 84 AB) are larger; the two spellings of one NFC by their own bytes (E0 BD B1 first).
        let tibetan = Self.tibetanNFC
        #expect(testimony.canonicalJSON(.identity) == Array(
            #"{"date":"2001","records":[{"b":"3","\#u{E0}":"x","\#u{E1}":"4"}],"z_line":"1","\#u{E9}":"2"}"#.utf8
        ))
        #expect(
            testimony.canonicalJSON(.testimony) == Array(#"{"\#u{C5}":"7","\#(tibetan)":"6","\#(tibetan)":"5"}"#.utf8)
        )
        #expect(testimony.canonicalJSON(.clear) == Array(#"{"quote\"back\\slash\ttab":true}"#.utf8))
    }

    @Test func changedFieldsChangeThePlan() throws {
        var form = try Testimonies.kindsForm()
        form.fields[0].name = "renamed"
        form.fields[6].subfields[0].name = "zz"
        form.fields.append(Self.field("extra", .line, .testimony))
        let testimony = try form.validate(fields: .object([
            "renamed": .string("ab"), "extra": .string("c"),
            "items": .array([.object(["zz": .string("d"), "kind": .string("x")])]),
        ]))
        #expect(testimony.canonicalJSON(.testimony) == Array(#"{"extra":"c","renamed":"ab"}"#.utf8))
        #expect(testimony.canonicalJSON(.identity) == Array(#"{"items":[{"kind":"x","zz":"d"}]}"#.utf8))
        Testimonies.expectRejection(form, .object(["line": .string("ab")]), .unknownField, field: nil)
        Testimonies.expectRejection(
            form, .object(["items": .array([.object(["label": .string("d")])])]), .unknownField, field: "items[0]"
        )
    }

    /// Records inside records: only a hand-built form has them; their paths are still spelled out in full.
    @Test func nestedRecordPaths() {
        let form = Self.form([
            Self.field("outer", .records, subfields: [
                Self.field("inner", .records, subfields: [Self.field("leaf", .line, required: true)])
            ])
        ])
        func fields(_ inner: [JSONValue]) -> JSONValue {
            .object(["outer": .array([.object(["inner": .array([.object(["leaf": .string("x")])])]),
                                      .object(["inner": .array(inner)])])])
        }
        Testimonies.expectRejection(
            form, fields([.object(["leaf": .string("y")]), .object([:])]), .missingField, field: "outer[1].inner[1].leaf"
        )
        Testimonies.expectRejection(form, fields([.number("5")]), .wrongType, field: "outer[1].inner[0]")
        Testimonies.expectRejection(form, fields([.object(["leaf": .bool(true)])]), .wrongType, field: "outer[1].inner[0].leaf")
        Testimonies.expectRejection(
            form, fields([.object(["leaf": .string("y"), "other": .null])]), .unknownField, field: "outer[1].inner[0]"
        )
        let error = Testimonies.rejection(form, fields([.object([:])]))
        #expect(error?.detail == "outer[1].inner[0].leaf is required")
    }

    // MARK: - NFC helpers

    @Test(arguments: textPieces + ["", "plain", "Қазақ тілі", "e\u{301}\u{E9}", "\u{F73}x", String(repeating: "é", count: 9)])
    func nfcNotingChange(_ text: String) {
        let (normalized, wasNFC) = text.nfcNotingChange
        #expect(Array(normalized.utf8) == Array(text.nfc.utf8))
        #expect(wasNFC == (Array(text.nfc.utf8) == Array(text.utf8)))
        if wasNFC { #expect(Array(normalized.nfc.utf8) == Array(normalized.utf8)) }
    }

    @Test func nonStarterDecompositionsAreFoundInTheBytes() {
        // Every scalar from U+0300 (below it the quick check answers), alone and between others.
        let special: Set<UInt32> = [0x0344, 0x0F73, 0x0F75, 0x0F81]
        var alone: Set<UInt32> = []
        var inText: Set<UInt32> = []
        for value in UInt32(0x300)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(Character(scalar))
            if text.hasNonStarterDecomposition { alone.insert(value) }
            if ("\u{F40}" + text + "x\u{E0}").hasNonStarterDecomposition { inText.insert(value) }
        }
        #expect(alone == special)
        #expect(inText == special)
    }
}

/// The byte loops that skip eight plain bytes at a time (the parser's string scanner, the character check of text
/// fields, the NFC quick check) must find what they look for at every position within and across those words.
@Suite("Word-at-a-time scanning")
struct WordScanningTests {
    static let positions = Array(0..<26)

    @Test(arguments: positions)
    func parserFindsEverySpecialByte(_ position: Int) throws {
        let before = String(repeating: "a", count: position)
        let after = String(repeating: "b", count: 25 - position)
        for (escape, decoded) in [(#"\""#, "\""), (#"\\"#, "\\"), (#"\n"#, "\n"), (#"\u00e9"#, "\u{E9}"), (#"\/"#, "/")] {
            let value = try JSONParser().parse(Array("\"\(before)\(escape)\(after)\"".utf8))
            #expect(value == .string(before + decoded + after))
        }
        for plain in ["\u{7F}", "\u{E9}", "中", "\u{1F600}", " ", "~"] {
            #expect(try JSONParser().parse(Array("\"\(before)\(plain)\(after)\"".utf8)) == .string(before + plain + after))
        }
        for control in [UInt8(0x00), 0x01, 0x0A, 0x1F] {
            let document = Array("\"\(before)".utf8) + [control] + Array("\(after)\"".utf8)
            #expect(throws: JSONParseError(kind: .syntax, offset: 1 + position)) { try JSONParser().parse(document) }
        }
        // A quote there ends the string, and the rest is left over.
        #expect(throws: JSONParseError(kind: .syntax, offset: 2 + position)) {
            try JSONParser().parse(Array("\"\(before)\"\(after)\"".utf8))
        }
        #expect(throws: JSONParseError(kind: .syntax, offset: 26)) {
            try JSONParser().parse(Array("\"\(before)\(after)".utf8))
        }
    }

    @Test(arguments: positions)
    func textCheckFindsEveryControlCharacter(_ position: Int) throws {
        let form = try RepositoryFiles.shippedForm()
        let before = String(repeating: "a", count: position)
        let after = String(repeating: "b", count: 25 - position)
        for code in FormValidationControlCodes.refusedInLines {
            let value = before + String(Character(Unicode.Scalar(code)!)) + after
            Testimonies.expectRejection(
                form, Testimonies.minimal(with: ["full_name": .string(value)]), .invalidValue, field: "full_name"
            )
            if !FormValidationControlCodes.lineBreaks.contains(code) {
                Testimonies.expectRejection(
                    form, Testimonies.minimal(with: ["narrative": .string(value)]), .invalidValue, field: "narrative"
                )
            }
        }
        for code in FormValidationControlCodes.lineBreaks {
            let value = before + String(Character(Unicode.Scalar(code)!)) + after
            let testimony = try form.validate(fields: Testimonies.minimal(with: ["narrative": .string(value)]))
            #expect(testimony.sections[.testimony]?["narrative"] == .string(value))
        }
    }

    /// Lengths are counted in scalars across word boundaries, with one- to four-byte characters anywhere.
    @Test(arguments: [1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 40])
    func lengthIsCountedAcrossWords(_ maxLength: Int) throws {
        for filler in ["a", "\u{E9}", "中", "\u{1F600}"] {
            for position in 0..<maxLength {
                let fitting = String(repeating: "x", count: position) + filler
                    + String(repeating: "y", count: maxLength - position - 1)
                var field = ValidatedEncodingTests.field("line", .line)
                field.maxLength = maxLength
                let form = ValidatedEncodingTests.form([field])
                _ = try form.validate(fields: .object(["line": .string(fitting)]))
                Testimonies.expectRejection(form, .object(["line": .string(fitting + "z")]), .tooLong, field: "line")
            }
        }
    }

    @Test(arguments: positions)
    func encoderEscapesEverySpecialByte(_ position: Int) {
        let before = String(repeating: "a", count: position)
        let after = String(repeating: "\u{E9}b", count: 13 - position / 2)
        let named: [UInt8: String] = [
            0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: "\\\"", 0x5C: "\\\\",
        ]
        for byte in Array(UInt8(0x00)...0x1F) + [0x22, 0x5C] {
            let escaped = named[byte] ?? "\\u00" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16)
            let value = JSONValue.string(before + String(UnicodeScalar(byte)) + after)
            #expect(value.canonicalString() == "\"" + before + escaped + after + "\"", "byte \(byte)")
        }
        for plain in ["/", "\u{7F}", "\u{2028}", "中", " "] {
            #expect(JSONValue.string(before + plain + after).canonicalString() == "\"" + before + plain + after + "\"")
        }
    }

    @Test(arguments: positions)
    func quickCheckFindsEveryCombiningMark(_ position: Int) {
        let before = String(repeating: "a", count: position)
        let after = String(repeating: "b", count: 25 - position)
        #expect(Array((before + "e\u{301}" + after).nfc.utf8) == Array((before + "\u{E9}" + after).utf8))
        #expect((before + "\u{E9}\u{FF}" + after).isNFC)
        #expect(!(before + "\u{212B}" + after).isNFC)
    }
}

enum FormValidationControlCodes {
    static let lineBreaks: [UInt32] = [0x09, 0x0A, 0x0D, 0x2028, 0x2029]
    static let refusedInLines: [UInt32] = lineBreaks + [0x00, 0x01, 0x07, 0x08, 0x0B, 0x0C, 0x1B, 0x1F, 0x7F, 0x80, 0x85, 0x9F]
}
