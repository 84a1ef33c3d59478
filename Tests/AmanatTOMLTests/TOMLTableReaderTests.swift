import Testing

import AmanatTOML

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
        var root = TOMLTableReader(try StrictTOML.parse(Self.document))
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
            try StrictTOML.parse("s = 'x'\ni = 1\nb = false\na = ['y']\nt = {}\nta = [{}]\n[r]\n[[rs]]")
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
        let table = try StrictTOML.parse("[limits]")
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
        let table = try StrictTOML.parse("[limits]\nknown = 1\nfoo = 2\nbar = 3")
        var limits = TOMLTableReader(try #require(table["limits"]?.tableValue), path: "limits")
        _ = try limits.integer("known")
        // TOMLKit lists keys by name, not in document order.
        #expect(limits.remainingKeys == ["bar", "foo"])
        #expect(throws: TOMLSchemaError(keyPath: "limits.bar", message: #"unknown key "limits.bar""#)) {
            try limits.finish()
        }
        #expect(limits.take("bar") == .integer(3))
        #expect(limits.take("absent") == nil)
        #expect(throws: TOMLSchemaError(keyPath: "limits.foo", message: #"unknown key "limits.foo""#)) {
            try limits.finish()
        }
        _ = limits.take("foo")
        try limits.finish()
    }

    @Test func unknownKeyAtRoot() throws {
        let reader = TOMLTableReader(try StrictTOML.parse("stray = 1"))
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
        let table = try StrictTOML.parse("[limits]\n\(actual.line("value"))")
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
        var reader = TOMLTableReader(try StrictTOML.parse(line))
        #expect(throws: TOMLSchemaError(keyPath: "a", message: "key \"a\" must be \(accessor.kind)")) {
            try accessor.read("a", from: &reader, required: true)
        }
    }

    @Test func emptyArrayIsATableArray() throws {
        var reader = TOMLTableReader(try StrictTOML.parse("a = []"))
        #expect(try reader.tableArray("a") == [])
    }

    @Test func wrongTypeNeverQuotesValue() throws {
        var reader = TOMLTableReader(try StrictTOML.parse("token = \"hunter2-SECRET\""))
        do {
            _ = try reader.integer("token")
            Issue.record("expected a schema error")
        } catch {
            #expect(error.description == #"key "token" must be an integer"#)
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test func nestedReaderPaths() throws {
        let table = try StrictTOML.parse(
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
