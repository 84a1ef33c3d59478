import Testing

import AmanatTOML

/// The document-level rules: what TOMLKit parses, and what the project refuses on top of it.
@Suite("Strict TOML")
struct StrictTOMLTests {
    /// The error for `text`, recorded as a test issue if the text parses.
    static func parseError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> TOMLError? {
        do {
            _ = try StrictTOML.parse(text)
            Issue.record("expected a parse error", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    /// Checks the rules every error message follows: one line, lowercase start, a position if it has one.
    static func checkWellFormed(_ error: TOMLError, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!error.description.contains("\n") && !error.description.contains("\r"), sourceLocation: sourceLocation)
        #expect(error.message.first?.isLowercase == true, "\(error)", sourceLocation: sourceLocation)
        if let line = error.line, let column = error.column {
            #expect(line >= 1 && column >= 1, sourceLocation: sourceLocation)
        }
    }

    @Test func everyValueType() throws {
        let table = try StrictTOML.parse(
            """
            string = "text"
            integer = 42
            hex = 0xFF
            yes = true
            no = false
            array = [1, "two", false]
            inline = { a = 1 }
            tables = [{}, { b = "c" }]

            [table]
            key = "value"
            dotted.key = -9_223_372_036_854_775_808

            [[rows]]
            [[rows]]
            name = "second"
            """
        )
        let expected: [String: TOMLValue] = [
            "string": .string("text"),
            "integer": .integer(42),
            "hex": .integer(255),
            "yes": .boolean(true),
            "no": .boolean(false),
            "array": .array([.integer(1), .string("two"), .boolean(false)]),
            "inline": .table(["a": .integer(1)]),
            "tables": .array([.table([:]), .table(["b": .string("c")])]),
            "table": .table(["dotted": .table(["key": .integer(Int64.min)]), "key": .string("value")]),
            "rows": .array([.table([:]), .table(["name": .string("second")])]),
        ]
        #expect(Set(table.keys) == Set(expected.keys))
        for (key, value) in expected {
            #expect(table[key] == value, "\(key)")
        }
    }

    @Test func multilineStringsAndCRLF() throws {
        let table = try StrictTOML.parse("a = \"\"\"\r\none\r\ntwo\"\"\"\r\nb = 'C:\\path'\r\n")
        #expect(table["a"] == .string("one\ntwo"))
        #expect(table["b"] == .string("C:\\path"))
    }

    /// Floats, which Amanat has no use for, named by their key path (dates and times are refused earlier, with
    /// their position: shapesThatWouldAbortAreRefused).
    @Test(arguments: [
        ("f = 1.5", "f", "a float"),
        ("f = -0.0", "f", "a float"),
        ("f = 1e6", "f", "a float"),
        ("f = inf", "f", "a float"),
        ("f = nan", "f", "a float"),
        ("[limits]\nmax = [1, 2.5]", "limits.max[1]", "a float"),
        ("[[fields]]\n[[fields]]\nlabel = { en = 0.5 }", "fields[1].label.en", "a float"),
    ])
    func unsupportedKindsAreRefused(text: String, keyPath: String, kind: String) throws {
        let error = try #require(Self.parseError(text))
        #expect(error == TOMLError(message: "key \"\(keyPath)\" is \(kind); floats, dates and times are not supported"))
        Self.checkWellFormed(error)
    }

    /// TOMLKit reads the text as a C string: a NUL would end the document or a key early.
    @Test(arguments: [
        ("a = 1\n\0b = 2", 2, 1, "NUL characters are not allowed"),
        ("a = 1\nb = \"x\\u0000\"", 2, 7, "NUL escapes are not allowed"),
        ("\"k\\U00000000\" = 1", 1, 3, "NUL escapes are not allowed"),
        ("a = \"Қ\\u0000\"", 1, 7, "NUL escapes are not allowed"),
    ])
    func nulIsRefused(text: String, line: Int, column: Int, message: String) throws {
        let error = try #require(Self.parseError(text))
        #expect(error == TOMLError(line: line, column: column, message: message))
    }

    /// toml++ 3.4.0 aborts the process (an assertion) on these, or on malformed dates like them; found by FuzzFormFile
    /// (Tests/Fuzz/FuzzFormFile/regressions/). Without the scanner, the malformed ones abort the test run.
    static let header = "a table header's key must start with a letter, digit, _, - or a quote"
    static let array = "an array needs a value or ] here, not }"
    static let date = "dates and times are not supported"

    @Test(arguments: [
        ("l = { n = \"\", k = \"\" }\n[\u{FFFD}", 2, 2, header),
        ("[é]", 1, 2, header),
        ("[[#]]", 1, 3, header),
        ("a = 1\n  [ =", 2, 5, header),
        ("[\r\n]", 1, 2, header),
        ("[[[a]]]", 1, 3, header),
        ("e=[}", 1, 4, array),
        ("a = [1, }", 1, 9, array),
        ("a = [ # note\n}", 2, 1, array),
        ("a = [[\n  }", 2, 3, array),
        ("a = { b = [}] }", 1, 12, array),
        ("id = \"x\"\ntitle = { en =1979-05-27T$7:32:00:00Z", 2, 15, date),
        ("d = 1979-05-27", 1, 5, date),
        ("d = 1979-05-27T07:32:00Z", 1, 5, date),
        ("d = 1979-05-27 07:32:00-08:00", 1, 5, date),
        ("'odd key' = 07:32:00", 1, 13, date),
        ("a = [1,\n  # 2000-01-01\n  07:32]", 3, 3, date),
    ])
    func shapesThatWouldAbortAreRefused(text: String, line: Int, column: Int, message: String) throws {
        let error = try #require(Self.parseError(text))
        #expect(error == TOMLError(line: line, column: column, message: message))
    }

    /// The scanner follows strings, comments and brackets, so that it refuses only what it must.
    @Test func lookalikesStillParse() throws {
        let table = try StrictTOML.parse(
            #"""
            [ a]
            s = "[}, \"[}"
            l = '[}'
            m = """
            [#
            """
            n = '''
            [é, }'''
            t = "07:32" # 1979-05-27
            1-2 = -3
            i = { 4-5 = 6, k = [-7] }
            x = [
              [1], # [}
              ['g'],
            ]
            [[ "b c" ]]
            ['d'.e]
              [f]
            """#
        )
        #expect(Set(table.keys) == ["a", "b c", "d", "f"])
        let a = try #require(table["a"]?.tableValue)
        #expect(a["t"] == .string("07:32"))
        #expect(a["1-2"] == .integer(-3))
        #expect(a["i"] == .table(["4-5": .integer(6), "k": .array([.integer(-7)])]))
        #expect(a["s"] == .string(#"[}, "[}"#))
        #expect(a["m"] == .string("[#\n"))
        #expect(a["n"] == .string("[é, }"))
        #expect(a["x"] == .array([.array([.integer(1)]), .array([.string("g")])]))
        #expect(Self.parseError("[]")?.line == 1, "an empty header is toml++'s own refusal")
        #expect(Self.parseError("a = { b = 1, }")?.line == 1, "a trailing comma is toml++'s own refusal")
    }

    /// Defining a key or table twice is TOMLKit's check, reported with the line and column of the second definition.
    @Test(arguments: [
        ("socket = \"a\"\n\n\nsocket = \"b\"", 4),
        ("a.b = 1\na.b = 2", 2),
        ("[a]\n[a]", 2),
        ("[a.b]\n[a]\n[a.b]", 3),
        ("a = { b = 1 }\n[a]", 2),
        ("[[a]]\n[a]", 2),
        ("a = [1]\n[[a]]", 2),
    ])
    func redefinitionIsRefusedWithItsPosition(text: String, line: Int) throws {
        let error = try #require(Self.parseError(text))
        #expect(error.line == line, "\(error)")
        #expect(error.column != nil)
        Self.checkWellFormed(error)
    }

    @Test func syntaxErrorsHaveTheirPosition() throws {
        let error = try #require(Self.parseError("a = 1\r\n\"ə\" = 1\r\nb = \"Қ\\q\""))
        #expect(error.line == 3)
        #expect(error.column == 8)
        #expect(error.description.hasPrefix("line 3, column 8: "))
        Self.checkWellFormed(error)
    }

    @Test func keyDepthIsBounded() throws {
        let depth = StrictTOML.maximumDepth
        let longKey = Array(repeating: "k", count: depth).joined(separator: ".")
        _ = try StrictTOML.parse("\(longKey) = 1")
        let message = "keys are nested more than \(depth) levels deep"
        #expect(Self.parseError("\(longKey).k = 1")?.message == message)
        #expect(Self.parseError("[\(longKey)]\nk = 1")?.message == message)
        let tooLongKey = Array(repeating: "k", count: 10_000).joined(separator: ".")
        #expect(Self.parseError("[\(tooLongKey)]")?.message == message)
        // Arrays and inline tables are bounded by toml++ itself.
        #expect(Self.parseError("a = " + String(repeating: "[", count: 100_000)) != nil)
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
        "secret = 1.5 # hunter2-SECRET",
        "# hunter2-SECRET \u{7F}",
    ])
    func errorsNeverQuoteValues(text: String) throws {
        let error = try #require(Self.parseError(text))
        #expect(!error.description.contains("hunter2"), "\(error)")
        #expect(!error.description.contains("SECRET"), "\(error)")
        Self.checkWellFormed(error)
    }

    @Test func errorsShowOddKeysOnOneLine() throws {
        let error = try #require(Self.parseError("[t]\n\"line\\nbreak\\u202E\" = 1.5"))
        #expect(error.message == #"key "t."line\nbreak\u202E"" is a float; floats, dates and times are not supported"#)
        Self.checkWellFormed(error)
    }
}
