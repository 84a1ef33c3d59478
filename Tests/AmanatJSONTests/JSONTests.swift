import AmanatJSON
import Testing

// MARK: - Helpers

/// The error `parser` throws for `input`, or `nil` when it parses.
private func parseError(
    _ input: some Collection<UInt8>,
    parser: JSONParser = JSONParser()
) -> JSONParseError? {
    do {
        _ = try parser.parse(input)
        return nil
    } catch {
        return error
    }
}

private func parse(_ text: String, parser: JSONParser = JSONParser()) throws -> JSONValue {
    try parser.parse(Array(text.utf8))
}

/// `raw` between double quotes, for building strings that hold bytes Swift literals cannot.
private func quoted(_ raw: [UInt8]) -> [UInt8] {
    [0x22] + raw + [0x22]
}

private func scalars(_ string: String) -> [UInt32] {
    string.unicodeScalars.map(\.value)
}

/// `text` as a JSON string literal that escapes every UTF-16 code unit, so non-BMP text uses surrogate pairs.
private func fullyEscapedLiteral(_ text: String) -> String {
    let escapes = text.utf16.map { unit -> String in
        let hex = String(unit, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
    return "\"" + escapes.joined() + "\""
}

@Suite struct JSONTests {
    // MARK: - Valid documents

    struct ValidCase: Sendable, CustomTestStringConvertible {
        let input: String
        let expected: JSONValue
        var testDescription: String { input.debugDescription }

        init(_ input: String, _ expected: JSONValue) {
            self.input = input
            self.expected = expected
        }
    }

    static let validCases: [ValidCase] = [
        ValidCase("null", .null),
        ValidCase("true", .bool(true)),
        ValidCase("false", .bool(false)),
        ValidCase(" \t\r\n true \n\r\t ", .bool(true)),
        ValidCase("0", .number("0")),
        ValidCase("-0", .number("-0")),
        ValidCase("12", .number("12")),
        ValidCase("-12.5e+3", .number("-12.5e+3")),
        ValidCase("1E-7", .number("1E-7")),
        ValidCase("0.0", .number("0.0")),
        ValidCase("1e10", .number("1e10")),
        ValidCase("-0.0e0", .number("-0.0e0")),
        ValidCase("123456789012345678901234567890", .number("123456789012345678901234567890")),
        ValidCase("\"\"", .string("")),
        ValidCase("\"abc\"", .string("abc")),
        ValidCase(#""\"\\\/\b\f\n\r\t""#, .string("\"\\/\u{8}\u{C}\n\r\t")),
        ValidCase(#""\u0041\u00e9\u4E2D\u00E9""#, .string("A\u{E9}\u{4E2D}\u{E9}")),
        ValidCase(#""\ud83d\ude00""#, .string("\u{1F600}")),
        ValidCase(#""\uD83D\uDE00x\uDBFF\uDFFF""#, .string("\u{1F600}x\u{10FFFF}")),
        ValidCase(#""a\u0000b""#, .string("a\u{0}b")),
        ValidCase("\"\u{7F} \u{2028}\u{2029} \u{E9} \u{1F600}\"", .string("\u{7F} \u{2028}\u{2029} \u{E9} \u{1F600}")),
        ValidCase("[]", .array([])),
        ValidCase("[ \n ]", .array([])),
        ValidCase(
            "[1,\"a\",null,[true],{}]",
            .array([.number("1"), .string("a"), .null, .array([.bool(true)]), .object([:])])
        ),
        ValidCase(" [ 1 , [ ] , [ [ ] ] ] ", .array([.number("1"), .array([]), .array([.array([])])])),
        ValidCase("{}", .object([:])),
        ValidCase("{ \t}", .object([:])),
        ValidCase(
            "{\"a\":1,\"b\":[],\"c\":{\"d\":null}}",
            .object(["a": .number("1"), "b": .array([]), "c": .object(["d": .null])])
        ),
        ValidCase(" { \"a\" : \"x\" , \"b\" : false } ", .object(["a": .string("x"), "b": .bool(false)])),
        ValidCase(#"{"\u0041":1,"a":2}"#, .object(["A": .number("1"), "a": .number("2")])),
        ValidCase(#"{"":0}"#, .object(["": .number("0")])),
        ValidCase(
            #"{"a":{"a":1},"b":{"a":1}}"#,
            .object(["a": .object(["a": .number("1")]), "b": .object(["a": .number("1")])])
        ),
    ]

    @Test(arguments: validCases)
    func parsesValidDocument(_ testCase: ValidCase) throws {
        #expect(try parse(testCase.input) == testCase.expected)
    }

    @Test func parsesStringsWithoutNormalizingThem() throws {
        // `==` on String is canonical equivalence, so compare scalars to see that the parser keeps the input's form.
        let value = try parse("[\"e\u{301}\", \"\\u0065\\u0301\", \"\u{E9}\"]")
        let strings = try #require(value.arrayValue).compactMap(\.stringValue)
        #expect(strings.map(scalars) == [[0x65, 0x301], [0x65, 0x301], [0xE9]])
    }

    @Test func acceptsEveryCollectionOfBytes() throws {
        let text = "{\"k\":[1,\"\u{49A}\"]}"
        let expected: JSONValue = .object(["k": .array([.number("1"), .string("\u{49A}")])])
        let parser = JSONParser()
        let array = Array(text.utf8)
        #expect(try parser.parse(array) == expected)
        #expect(try parser.parse(text.utf8) == expected)
        #expect(try parser.parse(Substring(text).utf8) == expected)
        #expect(try parser.parse(array.lazy.map { $0 }) == expected)  // not contiguous: parsed from a copy
        #expect(try array.withUnsafeBytes { buffer in try parser.parse(buffer) } == expected)
        let slice = (Array("xx".utf8) + array)[2...]
        #expect(try parser.parse(slice) == expected)
    }

    @Test func offsetsCountFromTheCollectionsFirstByte() {
        let slice = Array("xxx[1,]".utf8)[3...]
        #expect(parseError(slice) == JSONParseError(kind: .syntax, offset: 3))
        #expect(parseError(Array("[1,]".utf8).lazy.map { $0 }) == JSONParseError(kind: .syntax, offset: 3))
    }

    // MARK: - Rejections

    struct RejectionCase: Sendable, CustomTestStringConvertible {
        let name: String
        let input: [UInt8]
        let kind: JSONParseError.Kind
        let offset: Int
        var testDescription: String { name }

        init(_ name: String, _ text: String, _ kind: JSONParseError.Kind, at offset: Int) {
            self.init(name, bytes: Array(text.utf8), kind, at: offset)
        }

        init(_ name: String, bytes: [UInt8], _ kind: JSONParseError.Kind, at offset: Int) {
            self.name = name
            self.input = bytes
            self.kind = kind
            self.offset = offset
        }
    }

    static let invalidUTF8Cases: [RejectionCase] = [
        RejectionCase("lone continuation byte", bytes: quoted([0x80]), .invalidUTF8, at: 1),
        RejectionCase("continuation byte 0xBF", bytes: quoted([0x61, 0xBF]), .invalidUTF8, at: 2),
        RejectionCase("overlong 2-byte C0 AF", bytes: quoted([0xC0, 0xAF]), .invalidUTF8, at: 1),
        RejectionCase("overlong 2-byte C1 BF", bytes: quoted([0xC1, 0xBF]), .invalidUTF8, at: 1),
        RejectionCase("overlong 3-byte E0 80 AF", bytes: quoted([0xE0, 0x80, 0xAF]), .invalidUTF8, at: 1),
        RejectionCase("overlong 3-byte E0 9F BF", bytes: quoted([0xE0, 0x9F, 0xBF]), .invalidUTF8, at: 1),
        RejectionCase("overlong 4-byte F0 80 80 AF", bytes: quoted([0xF0, 0x80, 0x80, 0xAF]), .invalidUTF8, at: 1),
        RejectionCase("overlong 4-byte F0 8F BF BF", bytes: quoted([0xF0, 0x8F, 0xBF, 0xBF]), .invalidUTF8, at: 1),
        RejectionCase("encoded high surrogate ED A0 80", bytes: quoted([0xED, 0xA0, 0x80]), .invalidUTF8, at: 1),
        RejectionCase("encoded low surrogate ED BF BF", bytes: quoted([0xED, 0xBF, 0xBF]), .invalidUTF8, at: 1),
        RejectionCase(
            "CESU-8 surrogate pair",
            bytes: quoted([0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80]),
            .invalidUTF8,
            at: 1
        ),
        RejectionCase("above U+10FFFF F4 90 80 80", bytes: quoted([0xF4, 0x90, 0x80, 0x80]), .invalidUTF8, at: 1),
        RejectionCase("lead byte F5", bytes: quoted([0xF5, 0x80, 0x80, 0x80]), .invalidUTF8, at: 1),
        RejectionCase("5-byte form F8", bytes: quoted([0xF8, 0x88, 0x80, 0x80, 0x80]), .invalidUTF8, at: 1),
        RejectionCase("byte FE", bytes: quoted([0xFE]), .invalidUTF8, at: 1),
        RejectionCase("byte FF", bytes: quoted([0xFF]), .invalidUTF8, at: 1),
        RejectionCase("truncated 2-byte at end of input", bytes: [0x22, 0xC3], .invalidUTF8, at: 1),
        RejectionCase("truncated 3-byte before quote", bytes: quoted([0xE2, 0x82]), .invalidUTF8, at: 1),
        RejectionCase("truncated 4-byte before quote", bytes: quoted([0xF0, 0x9F, 0x98]), .invalidUTF8, at: 1),
        RejectionCase("missing continuation mid-string", bytes: quoted([0x61, 0xC3, 0x61]), .invalidUTF8, at: 2),
        RejectionCase("after a valid 2-byte scalar", bytes: quoted([0xC3, 0xA9, 0xFF]), .invalidUTF8, at: 3),
        RejectionCase("outside any string", bytes: Array("[1,".utf8) + [0xFF] + Array("]".utf8), .invalidUTF8, at: 3),
        RejectionCase("after a syntax error", bytes: Array("}".utf8) + [0xFF], .invalidUTF8, at: 1),
        RejectionCase(
            "past the ASCII fast path",
            bytes: quoted(Array("0123456789abcdefghij".utf8) + [0xC0, 0x80]),
            .invalidUTF8,
            at: 21
        ),
    ]

    static let syntaxCases: [RejectionCase] = [
        RejectionCase("empty input", "", .syntax, at: 0),
        RejectionCase("whitespace only", " \n", .syntax, at: 2),
        RejectionCase("byte order mark", bytes: [0xEF, 0xBB, 0xBF] + Array("{}".utf8), .syntax, at: 0),
        RejectionCase("lone high surrogate escape", #""\uD83D""#, .syntax, at: 1),
        RejectionCase("lone low surrogate escape", #""\uDE00""#, .syntax, at: 1),
        RejectionCase("high surrogate then BMP escape", #""\uD83D\u0041""#, .syntax, at: 1),
        RejectionCase("high surrogate then text", #""a\uD83Dxx""#, .syntax, at: 2),
        RejectionCase("surrogates in reverse order", #""\uDE00\uD83D""#, .syntax, at: 1),
        RejectionCase("two high surrogates", #""\uD83D\uD83D""#, .syntax, at: 1),
        RejectionCase("unknown escape", #""\x41""#, .syntax, at: 1),
        RejectionCase("uppercase U escape", #""\U0041""#, .syntax, at: 1),
        RejectionCase("short unicode escape", #""\u12""#, .syntax, at: 1),
        RejectionCase("non-hex unicode escape", #""\u12G4""#, .syntax, at: 1),
        RejectionCase("backslash at end of input", "\"\\", .syntax, at: 1),
        RejectionCase("raw tab in string", "\"a\tb\"", .syntax, at: 2),
        RejectionCase("raw NUL in string", bytes: quoted([0x00]), .syntax, at: 1),
        RejectionCase("raw U+001F in string", bytes: quoted([0x1F]), .syntax, at: 1),
        RejectionCase("raw line feed in string", "[\"a\nb\"]", .syntax, at: 3),
        RejectionCase("unterminated string", "\"abc", .syntax, at: 4),
        RejectionCase("leading zero", "01", .syntax, at: 1),
        RejectionCase("negative leading zero", "-01", .syntax, at: 2),
        RejectionCase("double zero in array", "[00]", .syntax, at: 2),
        RejectionCase("fraction without digits", "1.", .syntax, at: 2),
        RejectionCase("fraction without integer", ".5", .syntax, at: 0),
        RejectionCase("exponent after dot", "1.e5", .syntax, at: 2),
        RejectionCase("minus alone", "-", .syntax, at: 1),
        RejectionCase("minus then letter", "-a", .syntax, at: 1),
        RejectionCase("exponent without digits", "1e", .syntax, at: 2),
        RejectionCase("signed exponent without digits", "1e+", .syntax, at: 3),
        RejectionCase("plus sign", "+1", .syntax, at: 0),
        RejectionCase("hexadecimal", "0x10", .syntax, at: 1),
        RejectionCase("NaN", "NaN", .syntax, at: 0),
        RejectionCase("Infinity", "Infinity", .syntax, at: 0),
        RejectionCase("negative Infinity", "-Infinity", .syntax, at: 1),
        RejectionCase("NaN in array", "[1,NaN]", .syntax, at: 3),
        RejectionCase("trailing comma in array", "[1,]", .syntax, at: 3),
        RejectionCase("trailing comma in object", #"{"a":1,}"#, .syntax, at: 7),
        RejectionCase("leading comma", "[,1]", .syntax, at: 1),
        RejectionCase("single-quoted string", "['a']", .syntax, at: 1),
        RejectionCase("single-quoted key", "{'a':1}", .syntax, at: 1),
        RejectionCase("line comment", "[1]//c", .syntax, at: 3),
        RejectionCase("block comment first", "/*c*/[1]", .syntax, at: 0),
        RejectionCase("block comment inside", "[1,/*c*/2]", .syntax, at: 3),
        RejectionCase("hash comment", "# c\n1", .syntax, at: 0),
        RejectionCase("trailing garbage", "{} x", .syntax, at: 3),
        RejectionCase("extra closing bracket", "[1]]", .syntax, at: 3),
        RejectionCase("two values", "1 2", .syntax, at: 2),
        RejectionCase("literal with suffix", "nullx", .syntax, at: 4),
        RejectionCase("truncated literal", "tru", .syntax, at: 0),
        RejectionCase("capitalised literal", "True", .syntax, at: 0),
        RejectionCase("missing colon", #"{"a" 1}"#, .syntax, at: 5),
        RejectionCase("missing value", #"{"a":}"#, .syntax, at: 5),
        RejectionCase("missing comma in array", "[1 2]", .syntax, at: 3),
        RejectionCase("missing comma in object", #"{"a":1 "b":2}"#, .syntax, at: 7),
        RejectionCase("unquoted key", "{a:1}", .syntax, at: 1),
        RejectionCase("number as key", "{1:1}", .syntax, at: 1),
        RejectionCase("mismatched brackets", "[1}", .syntax, at: 2),
        RejectionCase("unclosed array", "[", .syntax, at: 1),
        RejectionCase("unclosed object", "{", .syntax, at: 1),
        RejectionCase("object without value", #"{"a":"#, .syntax, at: 5),
        RejectionCase("array after comma", "[1,", .syntax, at: 3),
        RejectionCase("vertical tab as whitespace", "\u{0B}1", .syntax, at: 0),
        RejectionCase("form feed as whitespace", "[\u{0C}1]", .syntax, at: 1),
        RejectionCase("no-break space as whitespace", "\u{A0}1", .syntax, at: 0),
    ]

    static let duplicateKeyCases: [RejectionCase] = [
        RejectionCase("duplicate key", #"{"a":1,"a":2}"#, .duplicateKey, at: 7),
        RejectionCase("duplicate after decoding escapes", #"{"a":1,"\u0061":2}"#, .duplicateKey, at: 7),
        RejectionCase("duplicate in nested object", #"{"a":{"b":1,"b":2}}"#, .duplicateKey, at: 12),
        RejectionCase("duplicate third key", #"{"a":1,"b":2,"a":3}"#, .duplicateKey, at: 13),
        // A [String: JSONValue] cannot hold both spellings, and canonical JSON would emit both as the same NFC key.
        RejectionCase("canonically equivalent keys", #"{"\u00e9":1,"e\u0301":2}"#, .duplicateKey, at: 12),
        // Equivalent spellings that String equality tells apart still have one NFC; in either order.
        RejectionCase("equivalent Tibetan keys", #"{"\u0f74\u0f81":1,"\u0f71\u0f80\u0f74":2}"#, .duplicateKey, at: 18),
        RejectionCase(
            "equivalent Tibetan keys, reversed",
            #"{"\u0f71\u0f80\u0f74":1,"x":0,"\u0f74\u0f81":2}"#,
            .duplicateKey,
            at: 30
        ),
    ]

    @Test(arguments: invalidUTF8Cases + syntaxCases + duplicateKeyCases)
    func rejectsInvalidDocument(_ testCase: RejectionCase) {
        #expect(parseError(testCase.input) == JSONParseError(kind: testCase.kind, offset: testCase.offset))
    }

    @Test func rejectsEveryKindWithItsOffset() {
        let cases: [(input: [UInt8], parser: JSONParser, expected: JSONParseError)] = [
            (quoted([0xC0, 0xAF]), JSONParser(), JSONParseError(kind: .invalidUTF8, offset: 1)),
            (Array("[1,,2]".utf8), JSONParser(), JSONParseError(kind: .syntax, offset: 3)),
            (Array("[[[1]]]".utf8), JSONParser(maxDepth: 2), JSONParseError(kind: .tooDeep, offset: 2)),
            (Array(#"{"k":0,"k":0}"#.utf8), JSONParser(), JSONParseError(kind: .duplicateKey, offset: 7)),
            (Array(#"["abc","abcd"]"#.utf8), JSONParser(maxStringBytes: 3), JSONParseError(kind: .tooLarge, offset: 7)),
        ]
        #expect(Set(cases.map(\.expected.kind)) == Set(JSONParseError.Kind.allCases))
        for testCase in cases {
            #expect(parseError(testCase.input, parser: testCase.parser) == testCase.expected)
        }
    }

    // MARK: - Limits

    @Test(arguments: [0, 1, 2, 32])
    func nestingExactlyAtMaxDepthIsAccepted(maxDepth: Int) throws {
        let parser = JSONParser(maxDepth: maxDepth)
        let arrays = String(repeating: "[", count: maxDepth) + "1" + String(repeating: "]", count: maxDepth)
        let objects = String(repeating: #"{"a":"#, count: maxDepth) + "1" + String(repeating: "}", count: maxDepth)
        _ = try parse(arrays, parser: parser)
        _ = try parse(objects, parser: parser)
    }

    @Test(arguments: [0, 1, 2, 32])
    func nestingOneAboveMaxDepthIsRejected(maxDepth: Int) {
        let parser = JSONParser(maxDepth: maxDepth)
        let depth = maxDepth + 1
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let objects = String(repeating: #"{"a":"#, count: maxDepth) + "{}" + String(repeating: "}", count: maxDepth)
        #expect(parseError(Array(arrays.utf8), parser: parser) == JSONParseError(kind: .tooDeep, offset: maxDepth))
        #expect(parseError(Array(objects.utf8), parser: parser) == JSONParseError(kind: .tooDeep, offset: 5 * maxDepth))
    }

    @Test func defaultMaxDepthIs32() throws {
        let mixed = String(repeating: #"[{"a":"#, count: 16) + "0" + String(repeating: "}]", count: 16)
        _ = try parse(mixed)
        let deeper = "[" + mixed + "]"
        #expect(parseError(Array(deeper.utf8)) == JSONParseError(kind: .tooDeep, offset: 1 + 6 * 15 + 1))
    }

    @Test func hundredThousandOpenBracketsAreTooDeepWithoutCrashing() {
        let input = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        #expect(parseError(input) == JSONParseError(kind: .tooDeep, offset: 32))
    }

    @Test func megabyteOfOpenBracketsWithoutDepthLimitFailsIteratively() {
        // With no effective depth limit the parser opens a million containers; it must not recurse to do so.
        let count = 1 << 20
        let input = [UInt8](repeating: UInt8(ascii: "["), count: count)
        #expect(parseError(input, parser: JSONParser(maxDepth: .max)) == JSONParseError(kind: .syntax, offset: count))
    }

    @Test func stringLengthLimitCountsDecodedUTF8Bytes() throws {
        let parser = JSONParser(maxStringBytes: 4)
        #expect(try parse(#"["abcd","\u00e9\u00e9","\ud83d\ude00"]"#, parser: parser).arrayValue?.count == 3)
        #expect(try parse("\"\u{49A}\u{49A}\"", parser: parser) == .string("\u{49A}\u{49A}"))
        let rejected: [(String, Int)] = [
            (#""abcde""#, 0),
            (#"["ok","abcde"]"#, 6),
            (#"{"abcde":1}"#, 1),
            (#"{"k":"abcde"}"#, 5),
            (#""\u00e9\u00e9x""#, 0),
            ("\"\u{49A}\u{49A}x\"", 0),
            (#""ab\ncde""#, 0),
        ]
        for (input, offset) in rejected {
            #expect(parseError(Array(input.utf8), parser: parser) == JSONParseError(kind: .tooLarge, offset: offset))
        }
        #expect(parseError(Array(#""""#.utf8), parser: JSONParser(maxStringBytes: 0)) == nil)
    }

    // MARK: - Error descriptions

    @Test func errorDescriptionsNeverContainInputText() {
        let marker = "MARKER-Zx9q-\u{49A}"
        let cases: [(input: [UInt8], parser: JSONParser)] = [
            (Array("{\"note\":\"\(marker)\",}".utf8), JSONParser()),
            (Array(marker.utf8), JSONParser()),
            (Array("[\"\(marker)\" \(marker)]".utf8), JSONParser()),
            (Array("{\"\(marker)\":1,\"\(marker)\":2}".utf8), JSONParser()),
            (quoted(Array(marker.utf8) + [0xFF]), JSONParser()),
            (Array("\"\(marker)\"".utf8), JSONParser(maxStringBytes: 3)),
            (Array("[[[\"\(marker)\"]]]".utf8), JSONParser(maxDepth: 2)),
        ]
        for testCase in cases {
            guard let error = parseError(testCase.input, parser: testCase.parser) else {
                Issue.record("expected an error")
                continue
            }
            for rendered in [error.description, "\(error)", String(reflecting: error)] {
                #expect(!rendered.contains("MARKER"))
                #expect(!rendered.contains("Zx9q"))
                #expect(rendered.hasSuffix("at byte \(error.offset)"))
            }
        }
    }

    @Test func errorDescriptionFormat() {
        #expect(JSONParseError(kind: .syntax, offset: 17).description == "invalid JSON at byte 17")
        #expect(JSONParseError(kind: .invalidUTF8, offset: 3).description == "invalid UTF-8 at byte 3")
        let descriptions = Set(JSONParseError.Kind.allCases.map { JSONParseError(kind: $0, offset: 0).description })
        #expect(descriptions.count == JSONParseError.Kind.allCases.count)
    }

    // MARK: - Round trips in the scripts testimonies arrive in

    static let scriptSamples: [String] = [
        "Қазақстан Республикасы, Алматы: куәгердің айғағы",  // Kazakh Cyrillic (Қ U+049A, ә, ғ, ң, ү, ұ, і)
        "ئۇيغۇر تىلى — شاھىتلىق",  // Uyghur Arabic script
        "中华人民共和国 证词",  // Chinese
        "Свидетельские показания, Москва",  // Russian
        "\u{1F469}\u{1F3FD}\u{200D}\u{2696}\u{FE0F} \u{1F1F0}\u{1F1FF} \u{1F600}",  // emoji: ZWJ sequence, flag, face
    ]

    @Test(arguments: scriptSamples)
    func roundTripsScript(_ sample: String) throws {
        #expect(sample.isNFC)
        let raw = try parse("{\"text\":\"\(sample)\"}")
        let escaped = try parse("{\"text\":\(fullyEscapedLiteral(sample))}")
        for value in [raw, escaped] {
            let text = try #require(value["text"]?.stringValue)
            #expect(scalars(text) == scalars(sample))
            let canonical = value.canonicalBytes()
            #expect(canonical == Array("{\"text\":\"\(sample)\"}".utf8))
            let reparsed = try JSONParser().parse(canonical)
            #expect(reparsed == value)
            #expect(reparsed.canonicalBytes() == canonical)
        }
    }

    // MARK: - Canonical encoding, checked against Python

    struct CanonicalCase: Sendable, CustomTestStringConvertible {
        let name: String
        let value: JSONValue
        let expected: String
        var testDescription: String { name }
    }

    // Each expected string is the output of
    //     json.dumps(v, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    // under CPython 3.11 for the Python value v in the comment; invisible and combining characters are written as
    // \u{...} escapes here so that the bytes of this file cannot be changed by an editor.
    static let canonicalCases: [CanonicalCase] = [
        // v = {"b": [True, False, None], "a": "x", "": {}, "arr": [], "nested": {"z": None, "y": [{"k": "v"}, []]}}
        CanonicalCase(
            name: "structure",
            value: .object([
                "b": .array([.bool(true), .bool(false), .null]),
                "a": .string("x"),
                "": .object([:]),
                "arr": .array([]),
                "nested": .object(["z": .null, "y": .array([.object(["k": .string("v")]), .array([])])]),
            ]),
            expected: "{\"\":{},\"a\":\"x\",\"arr\":[],\"b\":[true,false,null],"
                + "\"nested\":{\"y\":[{\"k\":\"v\"},[]],\"z\":null}}"
        ),
        // v = "quote\" back\\ slash/ \b\t\n\f\r \x00\x01\x1f \x7f \u2028\u2029 \u00e9"
        CanonicalCase(
            name: "escapes",
            value: .string("quote\" back\\ slash/ \u{8}\t\n\u{C}\r \u{0}\u{1}\u{1F} \u{7F} \u{2028}\u{2029} \u{E9}"),
            expected: "\"quote\\\" back\\\\ slash/ \\b\\t\\n\\f\\r "
                + "\\u0000\\u0001\\u001f \u{7F} \u{2028}\u{2029} \u{E9}\""
        ),
        // v = {k: None for k in ["a", "B", "aa", "", "\u00e9", "\u00ff", "\u0100", "\u4e2d", "\ufffd", "\ue000",
        //                         "\U0001F600", "\x7f", "\x1f", "a\x00"]}
        // Code point order, not UTF-16 order: U+E000 and U+FFFD sort before U+1F600.
        CanonicalCase(
            name: "key order",
            value: .object(
                Dictionary(
                    uniqueKeysWithValues: [
                        "a", "B", "aa", "", "\u{E9}", "\u{FF}", "\u{100}", "\u{4E2D}", "\u{FFFD}", "\u{E000}",
                        "\u{1F600}", "\u{7F}", "\u{1F}", "a\u{0}",
                    ].map { ($0, JSONValue.null) }
                )
            ),
            expected: "{\"\":null,\"\\u001f\":null,\"B\":null,\"a\":null,\"a\\u0000\":null,\"aa\":null,\"\u{7F}\":null,"
                + "\"\u{E9}\":null,\"\u{FF}\":null,\"\u{100}\":null,\"\u{4E2D}\":null,\"\u{E000}\":null,"
                + "\"\u{FFFD}\":null,\"\u{1F600}\":null}"
        ),
        // v = {"kk": "Қазақстан Республикасы", "ug": "ئۇيغۇر تىلى", "zh": "中华人民共和国",
        //      "ru": "Свидетельские показания",
        //      "emoji": "\U0001F469\U0001F3FD\u200D\u2696\uFE0F\U0001F1F0\U0001F1FF\U0001F600"}
        CanonicalCase(
            name: "scripts",
            value: .object([
                "kk": .string("Қазақстан Республикасы"),
                "ug": .string("ئۇيغۇر تىلى"),
                "zh": .string("中华人民共和国"),
                "ru": .string("Свидетельские показания"),
                "emoji": .string("\u{1F469}\u{1F3FD}\u{200D}\u{2696}\u{FE0F}\u{1F1F0}\u{1F1FF}\u{1F600}"),
            ]),
            expected: "{\"emoji\":\"👩🏽\u{200D}⚖\u{FE0F}🇰🇿😀\",\"kk\":\"Қазақстан Республикасы\","
                + "\"ru\":\"Свидетельские показания\",\"ug\":\"ئۇيغۇر تىلى\",\"zh\":\"中华人民共和国\"}"
        ),
        // v = {unicodedata.normalize("NFC", "e\u0301"):
        //      unicodedata.normalize("NFC", "\u0438\u0306 \u1100\u1161\u11a8 A\u030a")}
        CanonicalCase(
            name: "NFC of keys and strings",
            value: .object(["e\u{301}": .string("\u{438}\u{306} \u{1100}\u{1161}\u{11A8} A\u{30A}")]),
            expected: "{\"\u{E9}\":\"\u{439} \u{AC01} \u{C5}\"}"
        ),
        // v = unicodedata.normalize("NFC", "\uac00\u11a8 \u0f74\u0f81")
        CanonicalCase(
            name: "NFC where Foundation or String equality differ",
            value: .string("\u{AC00}\u{11A8} \u{F74}\u{F81}"),
            expected: "\"\u{AC01} \u{F71}\u{F80}\u{F74}\""
        ),
        // v = "plain"
        CanonicalCase(name: "top-level string", value: .string("plain"), expected: "\"plain\""),
        // v = None
        CanonicalCase(name: "top-level null", value: .null, expected: "null"),
        // v = True
        CanonicalCase(name: "top-level true", value: .bool(true), expected: "true"),
        // v = []
        CanonicalCase(name: "top-level empty array", value: .array([]), expected: "[]"),
    ]

    @Test(arguments: canonicalCases)
    func canonicalEncodingMatchesPython(_ testCase: CanonicalCase) throws {
        #expect(testCase.value.canonicalBytes() == Array(testCase.expected.utf8))
        #expect(testCase.value.canonicalString() == testCase.expected)
        let reparsed = try JSONParser().parse(testCase.value.canonicalBytes())
        #expect(reparsed.canonicalBytes() == testCase.value.canonicalBytes())
    }

    @Test func canonicalBytesOfScriptsMatchPythonHex() throws {
        // The "scripts" case as hex, from .hex() of the same Python expression, in case this file's text is altered.
        let hex =
            "7b22656d6f6a69223a22f09f91a9f09f8fbde2808de29a96efb88ff09f87b0f09f87bff09f9880222c226b6b223a22d29ad0b0d0"
            + "b7d0b0d29bd181d182d0b0d0bd20d0a0d0b5d181d0bfd183d0b1d0bbd0b8d0bad0b0d181d18b222c227275223a22d0a1d0b2d0"
            + "b8d0b4d0b5d182d0b5d0bbd18cd181d0bad0b8d0b520d0bfd0bed0bad0b0d0b7d0b0d0bdd0b8d18f222c227567223a22d8a6db"
            + "87d98ad8badb87d8b120d8aad989d984d989222c227a68223a22e4b8ade58d8ee4babae6b091e585b1e5928ce59bbd227d"
        let scripts = try #require(Self.canonicalCases.first { $0.name == "scripts" }).value
        let encoded = scripts.canonicalBytes().map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }
        #expect(encoded.joined() == hex)
    }

    @Test func canonicalEncodingKeepsNumberLiteralsAndDropsWhitespace() throws {
        let value = try parse(" { \"b\" : [ 1.50e+10 , -0 , 0.1 ] , \"a\" : 123456789012345678901234567890 } ")
        #expect(value.canonicalString() == "{\"a\":123456789012345678901234567890,\"b\":[1.50e+10,-0,0.1]}")
    }

    @Test func canonicalEncodingIsStableUnderReparsing() throws {
        let input = #"{"z":[{"y":"\u00e9\n","x":null}],"a":"e\u0301\u2028/","m":{"\u00e9":true,"e":false}}"#
        let first = try parse(input).canonicalBytes()
        let second = try JSONParser().parse(first).canonicalBytes()
        #expect(first == second)
        #expect(
            String(decoding: first, as: UTF8.self)
                == "{\"a\":\"\u{E9}\u{2028}/\",\"m\":{\"e\":false,\"\u{E9}\":true},"
                + "\"z\":[{\"x\":null,\"y\":\"\u{E9}\\n\"}]}"
        )
    }

    @Test func canonicalEncodingOfKeysWithOneNFCIsDeterministic() {
        // String equality tells these spellings apart, so a hand-built object can hold both although their NFC is the
        // same. The parser rejects such objects; the encoder must still not depend on hash order.
        let first = "\u{F74}\u{F81}"
        let second = "\u{F71}\u{F80}\u{F74}"
        var forward: [String: JSONValue] = [:]
        forward[first] = .number("1")
        forward[second] = .number("2")
        var backward: [String: JSONValue] = [:]
        backward[second] = .number("2")
        backward[first] = .number("1")
        // Should String equality ever see them as equal, there is no tie left to break.
        guard forward.count == 2 else { return }
        let key = "\"\u{F71}\u{F80}\u{F74}\""
        #expect(JSONValue.object(forward).canonicalString() == "{\(key):2,\(key):1}")
        #expect(JSONValue.object(backward).canonicalString() == "{\(key):2,\(key):1}")
    }

    // MARK: - NFC

    struct NFCCase: Sendable, CustomTestStringConvertible {
        let name: String
        let input: String
        let nfc: String
        var testDescription: String { name }
    }

    static let nfcCases: [NFCCase] = [
        NFCCase(name: "e + combining acute", input: "e\u{301}", nfc: "\u{E9}"),
        NFCCase(name: "Hangul LV jamo", input: "\u{1100}\u{1161}", nfc: "\u{AC00}"),
        NFCCase(name: "Hangul LVT jamo", input: "\u{1100}\u{1161}\u{11A8}", nfc: "\u{AC01}"),
        // Foundation's precomposedStringWithCanonicalMapping on Linux leaves these two as they are.
        NFCCase(name: "Hangul LV syllable + T jamo", input: "\u{AC00}\u{11A8}", nfc: "\u{AC01}"),
        NFCCase(name: "Hangul LV syllable + T jamo + text", input: "\u{AC00}\u{11A8}x", nfc: "\u{AC01}x"),
        NFCCase(name: "Kazakh Қ stays", input: "\u{49A}азақ", nfc: "\u{49A}азақ"),
        NFCCase(name: "decomposed й", input: "\u{438}\u{306}", nfc: "\u{439}"),
        NFCCase(name: "precomposed й stays", input: "\u{439}", nfc: "\u{439}"),
        NFCCase(name: "Uyghur unchanged", input: "ئۇيغۇر تىلى", nfc: "ئۇيغۇر تىلى"),
        NFCCase(name: "Arabic yeh + hamza above composes", input: "\u{64A}\u{654}", nfc: "\u{626}"),
        NFCCase(name: "Chinese unchanged", input: "中华人民共和国", nfc: "中华人民共和国"),
        NFCCase(name: "ASCII unchanged", input: "plain ASCII", nfc: "plain ASCII"),
        NFCCase(name: "Latin-1 unchanged", input: "caf\u{E9}", nfc: "caf\u{E9}"),
        NFCCase(name: "empty", input: "", nfc: ""),
        NFCCase(name: "Angstrom sign singleton", input: "\u{212B}", nfc: "\u{C5}"),
        NFCCase(name: "combining marks reordered", input: "\u{1E0A}\u{323}", nfc: "\u{1E0C}\u{307}"),
        // Decompositions into non-starters must be reordered with the marks before them; expected values from
        // unicodedata.normalize("NFC", ...), which the standard library's normaliser alone does not match.
        NFCCase(name: "Tibetan U + decomposed AA-reversed-I", input: "\u{F74}\u{F81}", nfc: "\u{F71}\u{F80}\u{F74}"),
        NFCCase(name: "Tibetan KA U II", input: "\u{F40}\u{F74}\u{F73}", nfc: "\u{F40}\u{F71}\u{F72}\u{F74}"),
        NFCCase(name: "Greek dialytika tonos", input: "a\u{344}", nfc: "\u{E4}\u{301}"),
        NFCCase(
            name: "emoji ZWJ sequence unchanged",
            input: "\u{1F469}\u{200D}\u{2696}\u{FE0F}",
            nfc: "\u{1F469}\u{200D}\u{2696}\u{FE0F}"
        ),
    ]

    @Test(arguments: nfcCases)
    func normalizesToNFC(_ testCase: NFCCase) {
        #expect(scalars(testCase.input.nfc) == scalars(testCase.nfc))
        #expect(testCase.input.isNFC == (scalars(testCase.input) == scalars(testCase.nfc)))
        #expect(testCase.nfc.isNFC)
        #expect(scalars(testCase.nfc.nfc) == scalars(testCase.nfc))
    }

    // MARK: - Size

    @Test func parsesAMegabyteDocument() throws {
        // A body at the size limit the service expects: many members, non-ASCII text and escapes.
        let entry = "{\"id\":12345,\"text\":\"Қазақ ئۇيغۇر 中文 Русский 😀 \\\"q\\\" \\u00e9\\n\",\"ok\":true}"
        let count = (1 << 20) / entry.utf8.count
        let input = Array(("[" + Array(repeating: entry, count: count).joined(separator: ",") + "]").utf8)
        let value = try JSONParser().parse(input)
        let elements = try #require(value.arrayValue)
        #expect(elements.count == count)
        #expect(elements.last?["text"] == .string("Қазақ ئۇيغۇر 中文 Русский 😀 \"q\" \u{E9}\n"))
    }
}
