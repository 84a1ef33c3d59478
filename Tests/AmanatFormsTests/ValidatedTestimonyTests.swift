import Foundation
import Testing

import AmanatForms
import AmanatJSON

/// Whether `a` and `b` are the same JSON with the same Unicode scalars in every string and key.
///
/// `JSONValue`'s `==` compares strings by canonical equivalence, which would hide a lost or added normalisation.
func scalarExact(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.number(let x), .number(let y)): return x.utf8.elementsEqual(y.utf8)
    case (.string(let x), .string(let y)): return x.unicodeScalars.elementsEqual(y.unicodeScalars)
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(scalarExact)
    case (.object(let x), .object(let y)):
        let xKeys = x.keys.map { Array($0.unicodeScalars) }.sorted { $0.lexicographicallyPrecedes($1) }
        let yKeys = y.keys.map { Array($0.unicodeScalars) }.sorted { $0.lexicographicallyPrecedes($1) }
        return xKeys == yKeys && x.allSatisfy { key, value in y[key].map { scalarExact(value, $0) } ?? false }
    default: return false
    }
}

@Suite("Canonical section output")
struct CanonicalOutputTests {
    static let small: JSONValue = .object([
        "full_name": .string("Ақмарал Төлеубайқызы"),
        "other_names": .string("Akmaral; 阿克玛拉"),
        "birth_date": .string("1985-07"),
        "relatives": .array([
            .object([
                "name": .string("Нұрлан"), "relation": .string("spouse"), "status": .string("imprisoned"),
                "location": .string(""),
            ])
        ]),
        "narrative": .string("Бірінші жол.\r\nSecond \"line\"\t\\ a/b\u{2028}end"),
        "events_period": .string("2017-04 — 2019-01"),
        "language": .string("kk"),
        "violation_types": .array([.string("torture"), .string("arbitrary_detention")]),
        "consent": .string("archive_only"),
        "region": .null,
    ])

    // The expected bytes come from Python 3:
    //     json.dumps(section, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    // with `section` the given fields of that section, the empty `location` and null `region` left out.
    static let expected: [Section: String] = [
        .identity: #"{"birth_date":"1985-07","full_name":"Ақмарал Төлеубайқызы","other_names":"Akmaral; 阿克玛拉","#
            + #""relatives":[{"name":"Нұрлан","relation":"spouse","status":"imprisoned"}]}"#,
        .testimony: #"{"events_period":"2017-04 — 2019-01","#
            + #""narrative":"Бірінші жол.\r\nSecond \"line\"\t\\ a/b\#u{2028}end"}"#,
        .clear: #"{"consent":"archive_only","language":"kk","violation_types":["arbitrary_detention","torture"]}"#,
    ]

    @Test(arguments: [Section.identity, .testimony, .clear])
    func sectionBytesMatchTheReferenceEncoding(_ section: Section) throws {
        let testimony = try RepositoryFiles.shippedForm().validate(fields: Self.small)
        let bytes = testimony.canonicalJSON(section)
        let expected = try #require(Self.expected[section])
        #expect(bytes == Array(expected.utf8), "\(String(decoding: bytes, as: UTF8.self))")
    }

    @Test func decomposedLettersComeOutComposed() throws {
        // Kazakh "Қайрат Ёлкин" and "Айгүл" typed with и + U+0306 COMBINING BREVE and Е + U+0308 COMBINING DIAERESIS.
        let fields = Testimonies.minimal(with: [
            "full_name": .string("Қаи\u{0306}рат Е\u{0308}лкин"),
            "relatives": .array([.object(["name": .string("Аи\u{0306}гүл"), "relation": .string("sister")])]),
        ])
        let testimony = try RepositoryFiles.shippedForm().validate(fields: fields)
        let bytes = testimony.canonicalJSON(.identity)
        // Python: json.dumps of the NFC (unicodedata.normalize("NFC", ...)) values, as above.
        let expected = #"{"full_name":"Қайрат Ёлкин","relatives":[{"name":"Айгүл","relation":"sister"}]}"#
        #expect(bytes == Array(expected.utf8))
        #expect(Array("й".utf8) == [0xD0, 0xB9])
        #expect(!bytes.contains(0xCC), "a combining mark (U+0300...U+033F) was left in")
        // The validated values are NFC too, not only their encoding.
        let name = try #require(testimony.sections[.identity]?["full_name"]?.stringValue)
        #expect(Array(name.unicodeScalars) == Array("Қайрат Ёлкин".unicodeScalars))
        #expect(name.unicodeScalars.count == 12)
    }

    @Test func decomposedAndComposedInputsSealTheSameBytes() throws {
        let form = try RepositoryFiles.shippedForm()
        let typed = "Мои\u{0306} краи\u{0306}, Е\u{0308}лка"
        #expect(!typed.unicodeScalars.elementsEqual("Мой край, Ёлка".unicodeScalars))
        let composed = try form.validate(fields: Testimonies.minimal(with: ["narrative": .string("Мой край, Ёлка")]))
        let decomposed = try form.validate(fields: Testimonies.minimal(with: ["narrative": .string(typed)]))
        #expect(composed.canonicalJSON(.testimony) == decomposed.canonicalJSON(.testimony))
        #expect(composed.canonicalJSON(.testimony) == Array(#"{"narrative":"Мой край, Ёлка"}"#.utf8))
    }

    @Test func emptySectionIsAnEmptyObject() throws {
        let testimony = try Testimonies.kindsForm().validate(fields: .object(["flag": .bool(true)]))
        #expect(testimony.canonicalJSON(.identity) == Array("{}".utf8))
        #expect(testimony.canonicalJSON(.testimony) == Array("{}".utf8))
        #expect(testimony.canonicalJSON(.clear) == Array(#"{"flag":true}"#.utf8))
    }

    /// Text in each script the design names, typed in NFC as it is on the volunteers' keyboards.
    static let scripts: [(String, String)] = [
        ("Kazakh Cyrillic", "Қарағаш ауылы, Күнес ауданы — Әке, Өмір, Ұлы, Үрімжі, Ғалым, Іле, Һ, Ң, ң, ә, ө, ұ, ү, і"),
        ("Uyghur Arabic", "زۆھرە ئىمىن؛ غۇلجا شەھىرى، ئىلى ئوبلاستى. ئۇ «ساقچىلار» دېدى"),
        ("Chinese", "昌吉回族自治州木垒哈萨克自治县大石头乡，“职业技能教育培训中心”"),
        ("Russian", "Ёлка, йогурт, съёмка, Щучье; «кавычки» — тире"),
    ]

    @Test(arguments: scripts)
    func scriptRoundTripsExactly(_ name: String, _ text: String) throws {
        #expect(text.isNFC, "the fixture itself must be NFC")
        let form = try RepositoryFiles.shippedForm()
        let fields = Testimonies.minimal(with: [
            "full_name": .string(text),
            "narrative": .string(text + "\n" + text),
            "relatives": .array([Testimonies.relative(["name": .string(text)])]),
        ])
        let testimony = try form.validate(fields: fields)
        for section in Section.sealed {
            let bytes = testimony.canonicalJSON(section)
            let parsed = try JSONParser().parse(bytes)
            let stored = JSONValue.object(try #require(testimony.sections[section]))
            #expect(scalarExact(parsed, stored), "\(section)")
            // The text is carried as raw UTF-8, byte for byte.
            #expect(bytes.firstRange(of: Array(text.utf8)) != nil, "\(section)")
        }
        let identity = try JSONParser().parse(testimony.canonicalJSON(.identity))
        #expect(scalarExact(identity["full_name"] ?? .null, .string(text)))
        #expect(scalarExact(identity["relatives"]?.arrayValue?.first?["name"] ?? .null, .string(text)))
        let story = try JSONParser().parse(testimony.canonicalJSON(.testimony))
        #expect(scalarExact(story["narrative"] ?? .null, .string(text + "\n" + text)))
    }

    /// The example testimonies: every given string comes back from the sealed bytes exactly as given.
    @Test(arguments: ExampleValidationTests.exampleFiles)
    func exampleRoundTripsExactly(_ file: String) throws {
        let document = try Testimonies.parse(RepositoryFiles.text("examples/\(file)"))
        let fields = try #require(document["fields"]?.objectValue)
        let form = try RepositoryFiles.shippedForm()
        let testimony = try form.validate(fields: .object(fields))
        var decoded: [String: JSONValue] = [:]
        for section in Section.allCases {
            let bytes = testimony.canonicalJSON(section)
            let parsed = try #require(try JSONParser().parse(bytes).objectValue)
            decoded.merge(parsed) { old, _ in old }
            // Canonical output is a fixed point: encoding what was decoded gives the same bytes.
            #expect(JSONValue.object(parsed).canonicalBytes() == bytes)
        }
        // The examples are typed in NFC, so nothing may change on the way through.
        for text in Testimonies.strings(in: .object(fields)) { #expect(text.isNFC) }
        #expect(scalarExact(.object(decoded), .object(fields)))
    }

    @Test func scalarExactTellsNormalisationsApart() {
        // The helper itself must be able to fail where `==` cannot.
        #expect(JSONValue.string("й") == .string("и\u{0306}"))
        #expect(!scalarExact(.string("й"), .string("и\u{0306}")))
        #expect(scalarExact(.object(["a": .array([.string("й")])]), .object(["a": .array([.string("й")])])))
    }
}
