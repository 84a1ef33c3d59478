import AmanatReports
import Testing

@Suite("CSV encoding")
struct CSVTableTests {
    @Test("fields are quoted, quotes doubled, commas and line breaks kept inside the quotes", arguments: [
        ("plain", "\"plain\""),
        ("", "\"\""),
        ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\r\nlines", "\"two\r\nlines\""),
        ("line\nfeed", "\"line\nfeed\""),
        ("Қарағаш, Күнес", "\"Қарағаш, Күнес\""),
        ("ئۈرۈمچى", "\"ئۈرۈمچى\""),
        ("乌鲁木齐", "\"乌鲁木齐\""),
    ])
    func quoting(cell: String, expected: String) {
        #expect(CSVTable.field(cell) == expected)
    }

    @Test("a cell a spreadsheet would run as a formula gets a leading apostrophe", arguments: [
        ("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
        ("+1+1", "\"'+1+1\""),
        ("-2+3", "\"'-2+3\""),
        ("@SUM(A1)", "\"'@SUM(A1)\""),
        ("\t=1", "\"'\t=1\""),
        ("\r=1", "\"'\r=1\""),
        ("a=1", "\"a=1\""),
        (" =1", "\" =1\""),
        ("'quoted", "\"'quoted\""),
    ])
    func formulas(cell: String, expected: String) {
        #expect(CSVTable.field(cell) == expected)
    }

    @Test("a table: header, rows with CRLF, unknown fields as empty cells, JSON for lists, optional BOM")
    func table() throws {
        var first = OpenedRecord(recordID: String(repeating: "a", count: 32), formID: "testimony", formVersion: 1,
                                 received: "2026-11-29")
        first.fields[.identity] = ["full_name": .string("=cmd|' /C calc'!A0"), "other_names": .string("Äsel, \"Asel\"")]
        first.fields[.testimony] = ["languages": .array([.string("kazakh"), .string("uyghur")])]
        var second = OpenedRecord(recordID: String(repeating: "b", count: 32), formID: "testimony", formVersion: 1,
                                  received: "2026-11-29")
        second.failures[.identity] = .noKey("not openable with these keys")
        var columns = CSVColumns()
        for record in [first, second] { columns.add(CSVColumns.names(of: record), form: record.formID) }
        let table = columns.table(forms: FormLibrary())
        let plain = table.header() + table.row(first)! + table.row(second)!
        let text = String(decoding: plain, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.count == 4 && lines[3].isEmpty, "three CRLF-terminated lines: \(lines)")
        #expect(lines[0] == "\"record_id\",\"form\",\"form_version\",\"received\",\"withdrawn\",\"full_name\","
            + "\"languages\",\"other_names\",\"unopened\"")
        #expect(lines[1] == "\"\(first.recordID)\",\"testimony\",\"1\",\"2026-11-29\",\"false\","
            + "\"'=cmd|' /C calc'!A0\","
            + "\"[\"\"kazakh\"\",\"\"uyghur\"\"]\",\"Äsel, \"\"Asel\"\"\",\"\"")
        #expect(lines[2] == "\"\(second.recordID)\",\"testimony\",\"1\",\"2026-11-29\",\"false\",\"\",\"\",\"\","
            + "\"{\"\"identity\"\":\"\"not openable with these keys\"\"}\"")
        #expect(!plain.starts(with: CSVTable.byteOrderMark))
        let marked = table.header(byteOrderMark: true)
        #expect(Array(marked.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(Array(marked.dropFirst(3)) == table.header())
    }

    @Test("without forms, columns come in the order first seen; a record with a field that has no column gets no row")
    func columns() {
        var first = OpenedRecord(recordID: String(repeating: "a", count: 32), formID: "f", formVersion: 1, received: "2026-11-29")
        first.fields[.clear] = ["region": .string("ili")]
        first.fields[.identity] = ["name": .string("x"), "age": .number("40")]
        var second = first
        second.fields[.testimony] = ["narrative": .string("y"), "age": .number("41")]
        var columns = CSVColumns()
        columns.add(CSVColumns.names(of: first), form: "f")
        #expect(columns.table(forms: FormLibrary()).row(second) == nil, "narrative has no column yet")
        columns.add(CSVColumns.names(of: second), form: "f")
        let table = columns.table(forms: FormLibrary())
        #expect(table.fieldNames == ["age", "name", "region", "narrative"])
        let row = String(decoding: table.row(second)!, as: UTF8.self)
        #expect(row.hasSuffix(#","41","x","ili","y",""\#r\#n"#), "later sections win a name, as in JSON lines: \(row)")
    }

    /// A testimony with choices, two relatives (one with a formula for a name) and a field the form lacks.
    static func testimony() -> OpenedRecord {
        var record = OpenedRecord(recordID: String(repeating: "c", count: 32), formID: "testimony", formVersion: 1,
                                  received: "2026-11")
        record.fields[.clear] = [
            "consent": .string("archive_only"), "language": .string("kk"), "region": .string("tarbagatay"),
            "violation_types": .array([.string("torture"), .string("surveillance")]),
        ]
        record.fields[.identity] = [
            "full_name": .string("Ақмарал"), "zz_extra": .string("kept"),
            "relatives": .array([
                .object(["name": .string("=1+1"), "relation": .string("spouse"), "status": .string("imprisoned")]),
                .object(["name": .string("Зәуре"), "relation": .string("mother"), "notes": .string("two\nlines")]),
            ]),
        ]
        record.fields[.testimony] = ["narrative": .string("-> not a formula")]
        return record
    }

    @Test("columns follow the form's order, whatever order the names were seen in; unknown fields come after")
    func formOrder() throws {
        let library = try ReportTests.library()
        var columns = CSVColumns()
        columns.add(CSVColumns.names(of: Self.testimony()), form: "testimony")
        let table = columns.table(forms: library)
        let form = try #require(library.form(id: "testimony"))
        let expected = form.fields.map(\.name).filter { Self.testimony().mergedFields[$0] != nil } + ["zz_extra"]
        #expect(table.fieldNames == expected)
        #expect(Array(table.fieldNames.prefix(2)) == ["full_name", "relatives"], "identity first, as the form has it")
        #expect(table.fieldNames.suffix(5) == ["language", "region", "violation_types", "consent", "zz_extra"])
        let header = String(decoding: table.header(), as: UTF8.self)
        #expect(header.hasPrefix("\"record_id\",\"form\",\"form_version\",\"received\",\"withdrawn\",\"full_name\","))
        #expect(header.hasSuffix("\"zz_extra\",\"unopened\"\r\n"))
    }

    @Test("--labels writes choices as their labels in ru and kk; codes without it; lists joined by \"; \"",
          arguments: [(ReportLanguage?.none, ["kk", "tarbagatay", "torture; surveillance", "archive_only"]),
                      (.ru, ["Казахский", "Тарбагатайский округ (Чугучак)", "Пытки или жестокое обращение; Слежка",
                             "Только в архив"]),
                      (.kk, ["Қазақ тілі", "Тарбағатай аймағы (Шәуешек)",
                             "Азаптау не қатыгездік көрсету; Аңду, бақылау", "Тек мұрағатқа"])])
    func labels(language: ReportLanguage?, expected: [String]) throws {
        var columns = CSVColumns()
        columns.add(CSVColumns.names(of: Self.testimony()), form: "testimony")
        let table = columns.table(forms: try ReportTests.library(), labels: language, splitsRecords: true)
        let rows = try #require(table.rows(Self.testimony()))
        let line = String(decoding: rows.main, as: UTF8.self)
        #expect(line.contains(expected.map(CSVTable.field).joined(separator: ",") + ",\"kept\",\"\"\r\n"), "\(line)")
        let relatives = String(decoding: rows.records[0], as: UTF8.self)
        let spouse = language == .kk ? "Жұбайы" : language == .ru ? "Муж или жена" : "spouse"
        #expect(relatives.hasPrefix("\"\(Self.testimony().recordID)\",\"1\",\"'=1+1\",\"\(spouse)\","), "\(relatives)")
    }

    @Test("relatives: a table of their own, one row per relative keyed by record id, the main cell their number")
    func relatives() throws {
        var columns = CSVColumns()
        columns.add(CSVColumns.names(of: Self.testimony()), form: "testimony")
        let table = columns.table(forms: try ReportTests.library(), splitsRecords: true)
        let subfields = ["name", "relation", "location", "status", "notes"]
        #expect(table.recordTables == [CSVRecordTable(field: "relatives", subfields: subfields)])
        let header = String(decoding: table.recordTables[0].header(byteOrderMark: true).dropFirst(3), as: UTF8.self)
        #expect(header == "\"record_id\",\"number\",\"name\",\"relation\",\"location\",\"status\",\"notes\"\r\n")
        let rows = try #require(table.rows(Self.testimony()))
        let id = Self.testimony().recordID
        #expect(String(decoding: rows.records[0], as: UTF8.self) == """
            "\(id)","1","'=1+1","spouse","","imprisoned",""\r
            "\(id)","2","Зәуре","mother","","","two
            lines"\r

            """)
        let main = String(decoding: rows.main, as: UTF8.self)
        #expect(main.hasPrefix("\"\(id)\",\"testimony\",\"1\",\"2026-11\",\"false\",\"Ақмарал\",\"2\","), "\(main)")
        #expect(main.contains("\"'-> not a formula\""))

        // Not split (standard output): the entries stay as JSON in their cell.
        let whole = try #require(columns.table(forms: try ReportTests.library()).rows(Self.testimony()))
        #expect(whole.records.isEmpty)
        #expect(String(decoding: whole.main, as: UTF8.self).contains(#""[{""name"":""=1+1"",""relation"":""spouse"""#))
        // An entry with a member the form lacks (another version): the whole list in the cell, no rows lost.
        var other = Self.testimony()
        other.fields[.identity]?["relatives"] = .array([.object(["name": .string("x"), "age": .number("3")])])
        let fallback = try #require(table.rows(other))
        #expect(fallback.records[0].isEmpty)
        #expect(String(decoding: fallback.main, as: UTF8.self).contains(#""[{""age"":3,""name"":""x""}]""#))
    }

    @Test("a withdrawn record: true in its own column, no fields, nothing in unopened")
    func withdrawn() throws {
        var record = OpenedRecord(recordID: String(repeating: "d", count: 32), formID: "testimony", formVersion: 1,
                                  received: "2026-11")
        record.withdrawn = true
        var columns = CSVColumns()
        columns.add(CSVColumns.names(of: Self.testimony()), form: "testimony")
        let table = columns.table(forms: try ReportTests.library(), splitsRecords: true)
        let rows = try #require(table.rows(record))
        let cells = Array(repeating: "\"\"", count: table.fieldNames.count + 1).joined(separator: ",")
        #expect(String(decoding: rows.main, as: UTF8.self)
            == "\"\(record.recordID)\",\"testimony\",\"1\",\"2026-11\",\"true\",\(cells)\r\n")
        #expect(rows.records == [[]])
    }
}

extension String {
    fileprivate func components(separatedBy separator: String) -> [String] {
        split(separator: separator, omittingEmptySubsequences: false).map(String.init)
    }
}
