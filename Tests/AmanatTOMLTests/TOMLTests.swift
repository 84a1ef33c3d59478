import Testing

import AmanatTOML

/// A document that must be rejected, and the exact error it must produce.
struct TOMLRejection: Sendable, CustomTestStringConvertible {
    var text: String
    var line: Int
    var column: Int
    var message: String

    init(_ text: String, _ line: Int, _ column: Int, _ message: String) {
        self.text = text
        self.line = line
        self.column = column
        self.message = message
    }

    var testDescription: String { "\(text.debugDescription) → \(message)" }
}

@Suite("TOML parser")
struct TOMLParserTests {
    /// The parse error for `text`, recorded as a test issue if the text parses.
    static func parseError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> TOMLError? {
        do {
            _ = try TOMLParser.parse(text)
            Issue.record("expected a parse error", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    /// Checks the rules every error message follows: one line, lowercase start.
    static func checkWellFormed(_ error: TOMLError, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!error.message.contains("\n") && !error.message.contains("\r"), sourceLocation: sourceLocation)
        #expect(error.message.first?.isLowercase == true, "\(error)", sourceLocation: sourceLocation)
        #expect(error.line >= 1 && error.column >= 1, sourceLocation: sourceLocation)
    }

    // MARK: Values

    @Test func everyValueType() throws {
        let table = try TOMLParser.parse(
            """
            string = "text"
            integer = 42
            yes = true
            no = false
            array = [1, "two", false]
            inline = { a = 1 }

            [table]
            key = "value"
            """
        )
        let expected: TOMLTable = [
            "string": .string("text"),
            "integer": .integer(42),
            "yes": .boolean(true),
            "no": .boolean(false),
            "array": .array([.integer(1), .string("two"), .boolean(false)]),
            "inline": .table(["a": .integer(1)]),
            "table": .table(["key": .string("value")]),
        ]
        #expect(table == expected)
    }

    @Test(arguments: [
        ("0", 0), ("+0", 0), ("-0", 0), ("7", 7), ("+17", 17), ("-17", -17), ("1_000", 1000),
        ("5_349_221", 5_349_221), ("1_2_3", 123),
        ("9223372036854775807", Int64.max), ("+9223372036854775807", Int64.max),
        ("-9223372036854775808", Int64.min),
        ("0xDEADbeef", 0xDEAD_BEEF), ("0xdead_beef", 0xDEAD_BEEF), ("0x00ff", 255), ("0x0", 0),
        ("0x7FFF_FFFF_FFFF_FFFF", Int64.max), ("0o755", 0o755), ("0o0_17", 15), ("0b1101", 13), ("0b0", 0),
    ] as [(String, Int64)])
    func integers(text: String, value: Int64) throws {
        let table = try TOMLParser.parse("n = \(text)")
        #expect(table["n"] == .integer(value))
    }

    @Test func escapes() throws {
        let table = try TOMLParser.parse(#"s = "b\b t\t n\n f\f r\r q\" bs\\ e\u00E9 smile\U0001F600 z\u0000""#)
        #expect(table["s"] == .string("b\u{08} t\t n\n f\u{0C} r\r q\" bs\\ e\u{E9} smile\u{1F600} z\u{0}"))
    }

    @Test(arguments: [
        ("Қазақ", #"\u049A\u0430\u0437\u0430\u049B"#),
        ("ئۇيغۇر", #"\u0626\u06C7\u064A\u063A\u06C7\u0631"#),
        ("维吾尔", #"\u7EF4\u543E\U00005C14"#),
    ])
    func nonASCIIText(text: String, escaped: String) throws {
        let table = try TOMLParser.parse(
            """
            direct = "\(text)"
            escaped = "\(escaped)"
            literal = '\(text)'
            multiline = \"\"\"
            \(text)
            \(text)\"\"\"
            "\(text)" = 1
            [names.'\(text)']
            "\(text)" = true
            """
        )
        #expect(table["direct"] == .string(text))
        #expect(table["escaped"] == .string(text))
        #expect(table["literal"] == .string(text))
        #expect(table["multiline"] == .string("\(text)\n\(text)"))
        #expect(table[text] == .integer(1))
        #expect(table["names"] == .table([text: .table([text: .boolean(true)])]))
    }

    @Test func literalStringsKeepBackslashes() throws {
        let table = try TOMLParser.parse(#"path = 'C:\Users\nodejs\templates'"# + "\n" + #"quoted = 'say "hi"'"#)
        #expect(table["path"] == .string(#"C:\Users\nodejs\templates"#))
        #expect(table["quoted"] == .string(#"say "hi""#))
    }

    @Test func emptyStrings() throws {
        let table = try TOMLParser.parse("a = \"\"\nb = ''\nc = \"\"\"\"\"\"\nd = ''''''")
        #expect(table == ["a": .string(""), "b": .string(""), "c": .string(""), "d": .string("")])
    }

    @Test func multilineBasicStrings() throws {
        let text = #"""
            trimmed = """
            Roses are red
            Violets are blue"""
            kept = """line one
              line two"""
            folded = """\
                   The quick brown \
                   fox jumps over \
                   the lazy dog.\
                   """
            quotes = """Here are two quotation marks: "". Simple enough."""
            three = """Here are three quotation marks: ""\"."""
            ending = """"This," she said, "is just a pointless statement.""""
            escapes = """tab\there \u0041\nnext"""
            """#
        let table = try TOMLParser.parse(text)
        #expect(table["trimmed"] == .string("Roses are red\nViolets are blue"))
        #expect(table["kept"] == .string("line one\n  line two"))
        #expect(table["folded"] == .string("The quick brown fox jumps over the lazy dog."))
        #expect(table["quotes"] == .string(#"Here are two quotation marks: "". Simple enough."#))
        #expect(table["three"] == .string(#"Here are three quotation marks: """."#))
        #expect(table["ending"] == .string(#""This," she said, "is just a pointless statement.""#))
        #expect(table["escapes"] == .string("tab\there A\nnext"))
    }

    @Test func lineEndingBackslashSkipsTrailingWhitespace() throws {
        let table = try TOMLParser.parse("s = \"\"\"a \\ \t \r\n \n\t b\\\n\"\"\"")
        #expect(table["s"] == .string("a b"))
    }

    @Test func multilineLiteralStrings() throws {
        let text = #"""
            regex = '''I [dw]on't need \d{2} apples'''
            lines = '''
            The first newline is
            trimmed in raw strings.
               All other whitespace
               is preserved.
            '''
            quotes = ''''That,' she said, 'is still pointless.''''
            """#
        let table = try TOMLParser.parse(text)
        #expect(table["regex"] == .string(#"I [dw]on't need \d{2} apples"#))
        #expect(
            table["lines"]
                == .string("The first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved.\n")
        )
        #expect(table["quotes"] == .string("'That,' she said, 'is still pointless.'"))
    }

    @Test func crlfLineEndings() throws {
        let text = "# comment\r\na = 1\r\n\r\n[t]\r\n"
            + "b = \"\"\"\r\none\r\ntwo \\\r\n  three\"\"\"\r\nc = '''x\r\ny'''\r\n"
        let table = try TOMLParser.parse(text)
        #expect(table["a"] == .integer(1))
        #expect(table["t"] == .table(["b": .string("one\ntwo three"), "c": .string("x\ny")]))
    }

    @Test func commentsAndBlankLines() throws {
        let text = """
            # full-line comment
               # indented comment

            a = 1 # trailing comment
            \t
            [t] # after a header
            b = [ # inside an array
              1, # after an element
              # on its own line
              2,
            ] # after the array
            c = "# not a comment"
            #no space after hash, and tab:\there
            """
        let table = try TOMLParser.parse(text)
        #expect(table["a"] == .integer(1))
        #expect(table["t"] == .table(["b": .array([.integer(1), .integer(2)]), "c": .string("# not a comment")]))
    }

    @Test func byteOrderMarkIsIgnored() throws {
        #expect(try TOMLParser.parse("\u{FEFF}a = 1") == ["a": .integer(1)])
    }

    @Test func emptyDocument() throws {
        #expect(try TOMLParser.parse("").isEmpty)
        #expect(try TOMLParser.parse("\n  \n# only a comment").isEmpty)
    }

    // MARK: Keys and tables

    @Test func dottedAndQuotedKeys() throws {
        let text = """
            name = "Orange"
            physical.color = "orange"
            physical . shape = "round"
            site."google.com" = true
            'literal key'.x = 1
            "" = 2
            1234 = 3
            3.14159 = "pi"
            -_A-z_9 = 4
            """
        let table = try TOMLParser.parse(text)
        #expect(table.keys == ["name", "physical", "site", "literal key", "", "1234", "3", "-_A-z_9"])
        #expect(table["physical"] == .table(["color": .string("orange"), "shape": .string("round")]))
        #expect(table["site"] == .table(["google.com": .boolean(true)]))
        #expect(table["literal key"] == .table(["x": .integer(1)]))
        #expect(table[""] == .integer(2))
        #expect(table["1234"] == .integer(3))
        #expect(table["3"] == .table(["14159": .string("pi")]))
        #expect(table["-_A-z_9"] == .integer(4))
    }

    @Test func inlineTables() throws {
        let text = """
            name = { first = "Tom", last = "Preston-Werner" }
            point = {x=1,y=2}
            animal = { type.name = "pug", type.size = 1 }
            empty = {}
            spaced = {   }
            nested = { inner = { deep = [1, { a = true }] } }
            list = [ { id = 1 }, { id = 2 } ]
            """
        let table = try TOMLParser.parse(text)
        #expect(table["name"] == .table(["first": .string("Tom"), "last": .string("Preston-Werner")]))
        #expect(table["point"] == .table(["x": .integer(1), "y": .integer(2)]))
        #expect(table["animal"] == .table(["type": .table(["name": .string("pug"), "size": .integer(1)])]))
        #expect(table["empty"] == .table([:]))
        #expect(table["spaced"] == .table([:]))
        let deep: TOMLValue = .array([.integer(1), .table(["a": .boolean(true)])])
        #expect(table["nested"] == .table(["inner": .table(["deep": deep])]))
        #expect(table["list"] == .array([.table(["id": .integer(1)]), .table(["id": .integer(2)])]))
    }

    @Test func inlineTableMayHoldMultilineArray() throws {
        let table = try TOMLParser.parse("t = { a = [\n  1,\n  2,\n], b = 3 }")
        #expect(table["t"] == .table(["a": .array([.integer(1), .integer(2)]), "b": .integer(3)]))
    }

    @Test func arrays() throws {
        let text = """
            empty = []
            blank = [ \n ]
            nested = [ [ 1, 2 ], ["a", 'b'], [] ]
            mixed = [ 1, "x", true, { k = 1 }, [2] ]
            trailing = [1, 2, 3,]
            multi = [
                "a",
                "b"
            ]
            """
        let table = try TOMLParser.parse(text)
        #expect(table["empty"] == .array([]))
        #expect(table["blank"] == .array([]))
        #expect(
            table["nested"]
                == .array([.array([.integer(1), .integer(2)]), .array([.string("a"), .string("b")]), .array([])])
        )
        #expect(
            table["mixed"]
                == .array([
                    .integer(1), .string("x"), .boolean(true), .table(["k": .integer(1)]), .array([.integer(2)]),
                ])
        )
        #expect(table["trailing"] == .array([.integer(1), .integer(2), .integer(3)]))
        #expect(table["multi"] == .array([.string("a"), .string("b")]))
    }

    @Test func tableHeaders() throws {
        let text = """
            top = 0
            [dog."tater.man"]
            type.name = "pug"
            [ a . b . c ]
            x = 1
            [a]
            y = 2
            [a.d]
            [ 'quoted key' ]
            [fruit]
            apple.color = "red"
            [fruit.apple.texture]
            smooth = true
            """
        let table = try TOMLParser.parse(text)
        #expect(table.keys == ["top", "dog", "a", "quoted key", "fruit"])
        #expect(table["dog"] == .table(["tater.man": .table(["type": .table(["name": .string("pug")])])]))
        #expect(
            table["a"]
                == .table([
                    "b": .table(["c": .table(["x": .integer(1)])]),
                    "y": .integer(2),
                    "d": .table([:]),
                ])
        )
        #expect(table["quoted key"] == .table([:]))
        #expect(
            table["fruit"]
                == .table(["apple": .table(["color": .string("red"), "texture": .table(["smooth": .boolean(true)])])])
        )
    }

    @Test func arraysOfTablesWithNestedArrays() throws {
        let text = """
            id = "report"

            [[fields]]
            name = "kind"

            [[fields.options]]
            value = "a"

            [[fields.options]]
            value = "b"

            [fields.label]
            en = "Kind"

            [[fields]]
            name = "people"

            [[fields.fields]]
            name = "who"

            [[fields.fields.options]]
            value = "x"

            [[fields.fields]]
            name = "role"

            [[ fields ]]
            name = "last"
            """
        let table = try TOMLParser.parse(text)
        let fields = try #require(table["fields"]?.arrayValue)
        #expect(fields.count == 3)
        #expect(
            fields[0]
                == .table([
                    "name": .string("kind"),
                    "options": .array([.table(["value": .string("a")]), .table(["value": .string("b")])]),
                    "label": .table(["en": .string("Kind")]),
                ])
        )
        #expect(
            fields[1]
                == .table([
                    "name": .string("people"),
                    "fields": .array([
                        .table(["name": .string("who"), "options": .array([.table(["value": .string("x")])])]),
                        .table(["name": .string("role")]),
                    ]),
                ])
        )
        #expect(fields[2] == .table(["name": .string("last")]))
    }

    @Test func emptyArrayOfTablesElements() throws {
        let table = try TOMLParser.parse("[[a]]\n[[a]]\n")
        #expect(table["a"] == .array([.table([:]), .table([:])]))
    }

    @Test func superTableMayBeDefinedAfterSubTable() throws {
        let table = try TOMLParser.parse("[x.y.z]\nw = 1\n[x]\nv = 2\n[[p.q]]\n[p]\nr = 3")
        #expect(table["x"] == .table(["y": .table(["z": .table(["w": .integer(1)])]), "v": .integer(2)]))
        #expect(table["p"] == .table(["q": .array([.table([:])]), "r": .integer(3)]))
    }

    @Test func keyOrderIsPreserved() throws {
        let table = try TOMLParser.parse("zeta = 1\nalpha = 2\nmid.b = 3\nmid.a = 4\n[omega]\n[beta]")
        #expect(table.keys == ["zeta", "alpha", "mid", "omega", "beta"])
        #expect(table["mid"]?.tableValue?.keys == ["b", "a"])
    }

    // MARK: Errors

    static let badEscape = #"invalid escape sequence; TOML allows \b \t \n \f \r \" \\ \uXXXX and \UXXXXXXXX"#
    static let notScalar =
        "unicode escape is not a Unicode scalar value (surrogates and values above 10FFFF are invalid)"
    static let afterValue = "unexpected text after the value; expected the end of the line"
    static let afterHeader = "unexpected text after the table header; expected the end of the line"
    static let outOfRange = "integer is out of range for a 64-bit signed integer"
    static let leadingZeros = "leading zeros are not allowed in decimal integers"
    static let controlInString = "control characters are not allowed in strings"
    static let floats = "floats are not supported"
    static let dates = "dates are not supported"
    static let unterminatedLine = "unterminated string; use a multi-line string for line breaks"
    static let headerTableAB = #"table "a.b" comes from a table header, so dotted keys cannot add to it"#

    /// Keys and tables defined twice, or both as a value and a table.
    static let redefinitionCases: [TOMLRejection] = [
        .init("socket = \"a\"\n\n\nsocket = \"b\"", 4, 1, #"duplicate key "socket""#),
        .init("a.b = 1\na.b = 2", 2, 3, #"duplicate key "a.b""#),
        .init("x = { a = 1, a = 2 }", 1, 14, #"duplicate key "x.a""#),
        .init("[t]\nk = 1\nk = 2", 3, 1, #"duplicate key "t.k""#),
        .init("[a]\n[a]", 2, 2, #"table "a" is defined more than once"#),
        .init("[a.b]\n[a]\n[a.b]", 3, 4, #"table "a.b" is defined more than once"#),
        .init("[a]\nb = 1\n[a.b]", 3, 4, #"key "a.b" already has a value that is not a table"#),
        .init("[a]\nb = 1\n[a.b.c]", 3, 4, #"key "a.b" already has a value that is not a table"#),
        .init("a = 1\na.b = 2", 2, 1, #"key "a" already has a value that is not a table"#),
        .init("a.b = 1\na = 2", 2, 1, #"key "a" is already defined as a table"#),
        .init("[a.b]\n[a]\nb = 1", 3, 1, #"key "a.b" is already defined as a table"#),
        .init("a = { b = 1 }\n[a]", 2, 2, #"inline table "a" cannot be redefined"#),
        .init("a = { b = 1 }\n[a.c]", 2, 2, #"inline table "a" cannot be extended"#),
        .init("a = { b = 1 }\na.c = 2", 2, 1, #"inline table "a" cannot be extended"#),
        .init("a = { b = { c = 1 }, b.d = 2 }", 1, 22, #"inline table "a.b" cannot be extended"#),
        .init("a = [1]\n[[a]]", 2, 3, #"static array "a" cannot be extended with [[a]]"#),
        .init("a = [{}]\n[a.b]", 2, 2, #"static array "a" cannot be extended with table headers"#),
        .init("[[a]]\n[a]", 2, 2, #"array of tables "a" cannot be redefined as a table"#),
        .init("[a]\n[[a]]", 2, 3, #"table "a" is already defined, so it cannot be an array of tables"#),
        .init("[[a.b]]\n[a]\nb.c = 1", 3, 1, #"array of tables "a.b" cannot be extended with dotted keys"#),
        .init(
            "[fruit]\napple.color = 1\n[fruit.apple]", 3, 8,
            #"table "fruit.apple" is already defined by dotted keys"#
        ),
        .init("[a.b.c]\nz = 9\n[a]\nb.c.t = 1", 4, 1, headerTableAB),
        .init("[a.b.c]\n[a]\nb.c.d = 1", 3, 1, headerTableAB),
    ]

    /// Bad escapes, unterminated strings and control characters.
    static let stringCases: [TOMLRejection] = [
        .init(#"s = "a\qb""#, 1, 7, badEscape),
        .init(#"s = "\x41""#, 1, 6, badEscape),
        .init(#"s = "\e""#, 1, 6, badEscape),
        .init(#"s = """\ x""""#, 1, 8, badEscape),
        .init(#"s = "\uD800""#, 1, 6, notScalar),
        .init(#"s = "\U0000DFFF""#, 1, 6, notScalar),
        .init(#"s = "\U00110000""#, 1, 6, notScalar),
        .init(#"s = "\u12""#, 1, 6, #"unicode escapes need exactly 4 hexadecimal digits after \u"#),
        .init(#"s = "\U1234567""#, 1, 6, #"unicode escapes need exactly 8 hexadecimal digits after \U"#),
        .init("s = \"abc", 1, 5, "unterminated string"),
        .init("s = \"abc\nt = 1", 1, 5, unterminatedLine),
        .init("s = 'abc", 1, 5, "unterminated string"),
        .init("s = 'abc\r\n", 1, 5, unterminatedLine),
        .init("\ns = \"\"\"abc\n\"\"", 2, 5, "unterminated multi-line string"),
        .init("s = '''abc", 1, 5, "unterminated multi-line string"),
        .init("s = \"\\", 1, 6, badEscape),
        .init("s = \"a\u{01}b\"", 1, 7, controlInString),
        .init("s = 'a\u{7F}b'", 1, 7, controlInString),
        .init("s = \"\"\"a\u{00}\"\"\"", 1, 9, controlInString),
        .init("s = '''a\rb'''", 1, 9, controlInString),
        .init("s = \"\"\"a\u{1B}\"\"\"", 1, 9, controlInString),
        .init("# bell \u{07}\na = 1", 1, 8, "control characters are not allowed in comments"),
        .init("a = 1 # \u{7F}", 1, 9, "control characters are not allowed in comments"),
        .init("s = \"\"\"ab\"\"\"\"\"\"", 1, 15, afterValue),
    ]

    /// Leading zeros, overflow, misplaced underscores and signs, bad digits.
    static let integerCases: [TOMLRejection] = [
        .init("n = 01", 1, 5, leadingZeros),
        .init("n = -01", 1, 5, leadingZeros),
        .init("n = 00", 1, 5, leadingZeros),
        .init("n = 0_1", 1, 5, leadingZeros),
        .init("n = 9223372036854775808", 1, 5, outOfRange),
        .init("n = -9223372036854775809", 1, 5, outOfRange),
        .init("n = 99999999999999999999999", 1, 5, outOfRange),
        .init("n = 0x8000000000000000", 1, 5, outOfRange),
        .init("n = 0xFFFFFFFFFFFFFFFFF", 1, 5, outOfRange),
        .init("n = 0b1_0000000000000000000000000000000000000000000000000000000000000000", 1, 5, outOfRange),
        .init("n = 1__0", 1, 6, "underscores in integers must be between digits"),
        .init("n = 1_", 1, 6, "underscores in integers must be between digits"),
        .init("n = 0x_1", 1, 5, "invalid integer"),
        .init("n = +0x10", 1, 5, "hexadecimal, octal and binary integers cannot have a sign"),
        .init("n = -0b1", 1, 5, "hexadecimal, octal and binary integers cannot have a sign"),
        .init("n = 0x", 1, 5, "invalid integer"),
        .init("n = 0xG", 1, 5, "invalid integer"),
        .init("n = 0o8", 1, 5, "invalid integer"),
        .init("n = 0b2", 1, 5, "invalid integer"),
        .init("n = 0X10", 1, 5, "invalid integer"),
        .init("n = 12abc", 1, 5, "invalid integer"),
        .init("n = +", 1, 5, "invalid integer"),
    ]

    /// Floats, dates and times, which Amanat has no use for.
    static let unsupportedCases: [TOMLRejection] = [
        .init("f = 1.5", 1, 5, floats),
        .init("f = -0.0", 1, 5, floats),
        .init("f = 1e6", 1, 5, floats),
        .init("f = 5E+22", 1, 5, floats),
        .init("f = 3.141_592", 1, 5, floats),
        .init("f = inf", 1, 5, floats),
        .init("f = -inf", 1, 5, floats),
        .init("f = nan", 1, 5, floats),
        .init("f = [1, 2.5]", 1, 9, floats),
        .init("d = 1979-05-27", 1, 5, dates),
        .init("d = 1979-05-27T07:32:00Z", 1, 5, dates),
        .init("d = 1979-05-27 07:32:00-08:00", 1, 5, dates),
        .init("d = 1979-05-27T00:32:00.999999", 1, 5, dates),
        .init("t = 07:32:00", 1, 5, "times are not supported"),
    ]

    /// Trailing garbage, missing keys and values, brackets, inline table layout, carriage returns.
    static let syntaxCases: [TOMLRejection] = [
        .init("a = 1 2", 1, 7, afterValue),
        .init("a = \"x\" y", 1, 9, afterValue),
        .init("a = 'x'y", 1, 8, afterValue),
        .init("a = true false", 1, 10, afterValue),
        .init("a = [1] ]", 1, 9, afterValue),
        .init("a = {} }", 1, 8, afterValue),
        .init("a = 1 b = 2", 1, 7, afterValue),
        .init("[a] b = 1", 1, 5, afterHeader),
        .init("[[a]] x", 1, 7, afterHeader),
        .init("a = hello", 1, 5, "expected a value; strings must be quoted"),
        .init("a = True", 1, 5, "expected a value; strings must be quoted"),
        .init("a =", 1, 4, "expected a value"),
        .init("a = # comment", 1, 5, "expected a value"),
        .init("a\n= 1", 1, 2, "expected \"=\" after the key"),
        .init("a b = 1", 1, 3, "expected \"=\" after the key"),
        .init("= 1", 1, 1, "expected a key"),
        .init("a. = 1", 1, 4, "expected a key"),
        .init(".a = 1", 1, 1, "expected a key"),
        .init("a..b = 1", 1, 3, "expected a key"),
        .init("\"\"\"k\"\"\" = 1", 1, 1, "multi-line strings cannot be keys"),
        .init("'''k''' = 1", 1, 1, "multi-line strings cannot be keys"),
        .init("[]", 1, 2, "expected a key"),
        .init("[a", 1, 3, "expected \"]\" to close the table header"),
        .init("[a]]", 1, 4, afterHeader),
        .init("[[a]", 1, 4, "expected \"]]\" to close the array of tables header"),
        .init("[[a] ]", 1, 4, "expected \"]]\" to close the array of tables header"),
        .init("[ [a]]", 1, 3, "expected a key"),
        .init("a = [1 2]", 1, 8, "expected \",\" or \"]\" after an array element"),
        .init("a = [1,,2]", 1, 8, "expected a value"),
        .init("a = [,]", 1, 6, "expected a value"),
        .init("a = [1,\n2", 1, 5, "unterminated array"),
        .init("a = {a = 1,}", 1, 12, "trailing commas are not allowed in inline tables"),
        .init("a = {a = 1\n}", 1, 11, "inline tables must be on a single line"),
        .init("a = {\na = 1}", 1, 6, "inline tables must be on a single line"),
        .init("a = {a = 1,\nb = 2}", 1, 12, "inline tables must be on a single line"),
        .init("a = {a = 1 # comment\n}", 1, 12, "inline tables must be on a single line"),
        .init("a = {a = 1", 1, 5, "unterminated inline table"),
        .init("a = {a = 1 b = 2}", 1, 12, "expected \",\" or \"}\" after an inline table entry"),
        .init("a = 1\rb = 2", 1, 6, "carriage return without a following line feed"),
        .init("a = [1,\r2]", 1, 8, "carriage return without a following line feed"),
    ]

    @Test(arguments: redefinitionCases + stringCases + integerCases + unsupportedCases + syntaxCases)
    func rejected(_ rejection: TOMLRejection) throws {
        let error = try #require(Self.parseError(rejection.text))
        #expect(error == TOMLError(line: rejection.line, column: rejection.column, message: rejection.message))
        Self.checkWellFormed(error)
    }

    @Test func nestingDepthIsBounded() throws {
        let depth = TOMLParser.maximumDepth
        let deepest = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        _ = try TOMLParser.parse("a = \(deepest)")
        let tooDeep = String(repeating: "[", count: 100_000)
        #expect(Self.parseError("a = \(tooDeep)")?.message.contains("nested more than") == true)
        let tooDeepInline = String(repeating: "{ a = ", count: depth + 1)
        #expect(Self.parseError("a = \(tooDeepInline)")?.message.contains("nested more than") == true)

        let longKey = Array(repeating: "k", count: depth).joined(separator: ".")
        _ = try TOMLParser.parse("\(longKey) = 1")
        #expect(Self.parseError("\(longKey).k = 1")?.message == "keys are nested more than \(depth) levels deep")
        #expect(Self.parseError("[\(longKey)]\nk = 1")?.message == "keys are nested more than \(depth) levels deep")
        let tooLongKey = Array(repeating: "k", count: 100_000).joined(separator: ".")
        #expect(Self.parseError("[\(tooLongKey)]")?.message == "keys are nested more than \(depth) levels deep")
    }

    @Test(arguments: [
        "secret = \"hunter2-SECRET\"\nsecret = \"hunter2-SECRET\"",
        "secret = \"hunter2-SECRET\\q\"",
        "secret = \"hunter2-SECRET",
        "secret = \"\"\"hunter2-SECRET",
        "secret = 'hunter2-SECRET",
        "secret = \"hunter2-SECRET\" hunter2-SECRET",
        "secret = hunter2-SECRET",
        "secret = 'hunter2-SECRET'\n[secret]",
        "secret = 'hunter2-SECRET'\nsecret.x = 1",
        "secret = \"hunter2-SECRET\u{01}\"",
        "secret = [\"hunter2-SECRET\" \"hunter2-SECRET\"]",
        "secret = { a = \"hunter2-SECRET\", a = \"hunter2-SECRET\" }",
        "secret = { a = \"hunter2-SECRET\", }",
        "secret = 1979-05-27hunter2-SECRET",
        "secret = 1.5hunter2-SECRET",
        "secret = 12hunter2-SECRET",
        "secret = \"\\uD800hunter2-SECRET\"",
        "# hunter2-SECRET \u{7F}",
    ])
    func errorsNeverQuoteValues(text: String) throws {
        let error = try #require(Self.parseError(text))
        #expect(!error.description.contains("hunter2"))
        #expect(!error.description.contains("SECRET"))
        Self.checkWellFormed(error)
    }

    @Test func errorsRenderOddKeysOnOneLine() throws {
        let spaced = try #require(Self.parseError("\"a b\" = 1\n'a b' = 2"))
        #expect(spaced.message == #"duplicate key "'a b'""#)
        let newline = try #require(Self.parseError("[t]\n\"line\\nbreak\\u202E\" = 1\n\"line\\nbreak\\u202E\" = 2"))
        #expect(newline.message == #"duplicate key "t."line\nbreak\u202E"""#)
        Self.checkWellFormed(newline)
        let quote = try #require(Self.parseError("[\"it's\"]\n[\"it's\"]"))
        #expect(quote.message == #"table ""it's"" is defined more than once"#)
        let unicode = try #require(Self.parseError("[\"Қазақ\"]\n['Қазақ']"))
        #expect(unicode.message == #"table "'Қазақ'" is defined more than once"#)
    }

    @Test func errorPositionCountsScalarsAfterCRLF() throws {
        let error = try #require(Self.parseError("a = 1\r\n\"ə\" = 1\r\nb = \"Қ\\q\""))
        #expect(error.line == 3)
        #expect(error.column == 7)
    }
}

@Suite("TOML table")
struct TOMLTableTests {
    @Test func subscriptKeepsInsertionOrder() {
        var table = TOMLTable()
        #expect(table.isEmpty)
        table["b"] = .integer(1)
        table["a"] = .integer(2)
        table["b"] = .integer(3)
        #expect(table.keys == ["b", "a"])
        #expect(table["b"] == .integer(3))
        #expect(table.count == 2)
        table["b"] = nil
        #expect(table.keys == ["a"])
        #expect(table["b"] == nil)
        table["c"] = nil
        #expect(table.keys == ["a"])
    }

    @Test func equalityIncludesOrder() {
        let ab: TOMLTable = ["a": .integer(1), "b": .integer(2)]
        let ba: TOMLTable = ["b": .integer(2), "a": .integer(1)]
        #expect(ab != ba)
        #expect(ab == ["a": .integer(1), "b": .integer(2)])
    }

    @Test func valueAccessors() {
        #expect(TOMLValue.string("s").stringValue == "s")
        #expect(TOMLValue.integer(1).stringValue == nil)
        #expect(TOMLValue.integer(1).integerValue == 1)
        #expect(TOMLValue.boolean(true).boolValue == true)
        #expect(TOMLValue.array([]).arrayValue == [])
        #expect(TOMLValue.table([:]).tableValue == TOMLTable())
        #expect(TOMLValue.boolean(false).tableValue == nil)
        #expect(TOMLValue.integer(1).kindDescription == "an integer")
    }
}

@Suite("TOML table reader")
struct TOMLTableReaderTests {
    static let document = """
        socket = "/run/amanat.sock"
        recipients = ["alice", "bob"]

        [limits]
        max_json_depth = 32
        strict = true
        title = { en = "Report" }
        empty = []

        [[fields]]
        name = "first"

        [[fields]]
        name = "second"
        """

    @Test func readsEveryType() throws {
        var root = TOMLTableReader(try TOMLParser.parse(Self.document))
        #expect(try root.optionalString("socket") == "/run/amanat.sock")
        #expect(try root.optionalString("absent") == nil)
        #expect(try root.stringArray("recipients") == ["alice", "bob"])
        var limits = try root.tableReader("limits")
        #expect(limits.path == "limits")
        #expect(try limits.integer("max_json_depth") == 32)
        #expect(try limits.optionalInteger("absent") == nil)
        #expect(try limits.optionalBool("strict") == true)
        #expect(try limits.optionalBool("absent") == nil)
        #expect(try limits.optionalTable("title") == ["en": .string("Report")])
        #expect(try limits.optionalStringArray("empty") == [])
        try limits.finish()
        let fields = try root.tableArray("fields")
        #expect(fields.map { $0["name"] } == [.string("first"), .string("second")])
        try root.finish()
    }

    @Test func requiredVariants() throws {
        var reader = TOMLTableReader(
            try TOMLParser.parse("s = 'x'\ni = 1\nb = false\na = ['y']\nt = {}\nta = [{}]\n[r]\n[[rs]]")
        )
        #expect(try reader.string("s") == "x")
        #expect(try reader.integer("i") == 1)
        #expect(try reader.bool("b") == false)
        #expect(try reader.stringArray("a") == ["y"])
        #expect(try reader.table("t") == [:])
        #expect(try reader.tableArray("ta") == [[:]])
        #expect(try reader.tableReader("r").table.isEmpty)
        #expect(try reader.tableArrayReaders("rs").map(\.path) == ["rs[0]"])
        #expect(reader.remainingKeys.isEmpty)
        try reader.finish()
    }

    @Test func missingKey() throws {
        let table = try TOMLParser.parse("[limits]")
        var root = TOMLTableReader(table, path: "")
        #expect(throws: TOMLSchemaError(keyPath: "id", message: #"missing key "id""#)) { try root.string("id") }
        var limits = try root.tableReader("limits")
        #expect(throws: TOMLSchemaError(
            keyPath: "limits.max_json_depth", message: #"missing key "limits.max_json_depth""#
        )) {
            try limits.integer("max_json_depth")
        }
    }

    @Test func unknownKey() throws {
        let table = try TOMLParser.parse("[limits]\nknown = 1\nfoo = 2\nbar = 3")
        var limits = TOMLTableReader(try #require(table["limits"]?.tableValue), path: "limits")
        _ = try limits.integer("known")
        #expect(limits.remainingKeys == ["foo", "bar"])
        #expect(throws: TOMLSchemaError(keyPath: "limits.foo", message: #"unknown key "limits.foo""#)) {
            try limits.finish()
        }
        #expect(limits.take("foo") == .integer(2))
        #expect(limits.take("absent") == nil)
        #expect(throws: TOMLSchemaError(keyPath: "limits.bar", message: #"unknown key "limits.bar""#)) {
            try limits.finish()
        }
        _ = limits.take("bar")
        try limits.finish()
    }

    @Test func unknownKeyAtRoot() throws {
        let reader = TOMLTableReader(try TOMLParser.parse("stray = 1"))
        #expect(throws: TOMLSchemaError(keyPath: "stray", message: #"unknown key "stray""#)) { try reader.finish() }
    }

    /// Each typed accessor, so that every one is checked against every wrong type.
    enum Accessor: String, CaseIterable, Sendable {
        case string, integer, bool, stringArray, table, tableArray

        var kind: String {
            switch self {
            case .string: "a string"
            case .integer: "an integer"
            case .bool: "a boolean"
            case .stringArray: "an array of strings"
            case .table: "a table"
            case .tableArray: "an array of tables"
            }
        }

        /// A document line giving `key` a value this accessor accepts.
        func line(_ key: String) -> String {
            switch self {
            case .string: "\(key) = 'x'"
            case .integer: "\(key) = 1"
            case .bool: "\(key) = true"
            case .stringArray: "\(key) = ['x']"
            case .table: "\(key) = { a = 1 }"
            case .tableArray: "\(key) = [{ a = 1 }]"
            }
        }

        func read(_ key: String, from reader: inout TOMLTableReader, required: Bool) throws(TOMLSchemaError) {
            switch (self, required) {
            case (.string, false): _ = try reader.optionalString(key)
            case (.string, true): _ = try reader.string(key)
            case (.integer, false): _ = try reader.optionalInteger(key)
            case (.integer, true): _ = try reader.integer(key)
            case (.bool, false): _ = try reader.optionalBool(key)
            case (.bool, true): _ = try reader.bool(key)
            case (.stringArray, false): _ = try reader.optionalStringArray(key)
            case (.stringArray, true): _ = try reader.stringArray(key)
            case (.table, false): _ = try reader.optionalTable(key)
            case (.table, true): _ = try reader.table(key)
            case (.tableArray, false): _ = try reader.optionalTableArray(key)
            case (.tableArray, true): _ = try reader.tableArray(key)
            }
        }
    }

    @Test(arguments: Accessor.allCases, Accessor.allCases)
    func wrongType(accessor: Accessor, actual: Accessor) throws {
        let table = try TOMLParser.parse("[limits]\n\(actual.line("value"))")
        for required in [false, true] {
            var reader = TOMLTableReader(try #require(table["limits"]?.tableValue), path: "limits")
            if accessor == actual {
                try accessor.read("value", from: &reader, required: required)
                try reader.finish()
                continue
            }
            let expected = TOMLSchemaError(
                keyPath: "limits.value", message: "key \"limits.value\" must be \(accessor.kind)"
            )
            #expect(throws: expected) { try accessor.read("value", from: &reader, required: required) }
            // A key read with the wrong type still counts as read, so finish() reports the type, not "unknown".
            try reader.finish()
        }
    }

    @Test(arguments: [
        ("a = ['x', 1]", Accessor.stringArray),
        ("a = [['x']]", Accessor.stringArray),
        ("a = [{}, 'x']", Accessor.tableArray),
        ("a = [[{}]]", Accessor.tableArray),
    ])
    func arraysWithWrongElements(line: String, accessor: Accessor) throws {
        var reader = TOMLTableReader(try TOMLParser.parse(line))
        #expect(throws: TOMLSchemaError(keyPath: "a", message: "key \"a\" must be \(accessor.kind)")) {
            try accessor.read("a", from: &reader, required: true)
        }
    }

    @Test func emptyArrayIsATableArray() throws {
        var reader = TOMLTableReader(try TOMLParser.parse("a = []"))
        #expect(try reader.tableArray("a") == [])
    }

    @Test func wrongTypeNeverQuotesValue() throws {
        var reader = TOMLTableReader(try TOMLParser.parse("token = \"hunter2-SECRET\""))
        do {
            _ = try reader.integer("token")
            Issue.record("expected a schema error")
        } catch {
            #expect(error.description == #"key "token" must be an integer"#)
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test func nestedReaderPaths() throws {
        let table = try TOMLParser.parse(
            "[[fields]]\nname = 'a'\n[[fields]]\nname = 'b'\nextra = 1\n[form.'odd key']\n"
        )
        var root = TOMLTableReader(table)
        let readers = try #require(try root.optionalTableArrayReaders("fields"))
        #expect(readers.map(\.path) == ["fields[0]", "fields[1]"])
        var second = readers[1]
        #expect(try second.string("name") == "b")
        #expect(throws: TOMLSchemaError(keyPath: "fields[1].extra", message: #"unknown key "fields[1].extra""#)) {
            try second.finish()
        }
        var form = try #require(try root.optionalTableReader("form"))
        #expect(try root.optionalTableReader("absent") == nil)
        #expect(try root.optionalTableArrayReaders("absent") == nil)
        let odd = try form.tableReader("odd key")
        #expect(odd.path == "form.'odd key'")
        #expect(odd.keyPath("x") == "form.'odd key'.x")
        #expect(odd.keyPath("") == "form.'odd key'.''")
    }

    @Test func customSchemaError() {
        let reader = TOMLTableReader(TOMLTable(), path: "server")
        let error = reader.schemaError(forKey: "port", "must be between 1 and 65535")
        let message = #"key "server.port" must be between 1 and 65535"#
        #expect(error == TOMLSchemaError(keyPath: "server.port", message: message))
        #expect(error.description == error.message)
    }
}
