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
        for record in [first, second] { columns.add(CSVColumns.names(of: record)) }
        let table = columns.table
        let plain = table.header() + table.row(first)! + table.row(second)!
        let text = String(decoding: plain, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.count == 4 && lines[3].isEmpty, "three CRLF-terminated lines: \(lines)")
        #expect(lines[0] == "\"record_id\",\"form\",\"form_version\",\"received\",\"full_name\",\"languages\",\"other_names\",\"unopened\"")
        #expect(lines[1] == "\"\(first.recordID)\",\"testimony\",\"1\",\"2026-11-29\",\"'=cmd|' /C calc'!A0\","
            + "\"[\"\"kazakh\"\",\"\"uyghur\"\"]\",\"Äsel, \"\"Asel\"\"\",\"\"")
        #expect(lines[2] == "\"\(second.recordID)\",\"testimony\",\"1\",\"2026-11-29\",\"\",\"\",\"\","
            + "\"{\"\"identity\"\":\"\"not openable with these keys\"\"}\"")
        #expect(!plain.starts(with: CSVTable.byteOrderMark))
        let marked = table.header(byteOrderMark: true)
        #expect(Array(marked.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(Array(marked.dropFirst(3)) == table.header())
    }

    @Test("columns come in the order first seen; a record with a field that has no column gets no row")
    func columns() {
        var first = OpenedRecord(recordID: String(repeating: "a", count: 32), formID: "f", formVersion: 1, received: "2026-11-29")
        first.fields[.clear] = ["region": .string("ili")]
        first.fields[.identity] = ["name": .string("x"), "age": .number("40")]
        var second = first
        second.fields[.testimony] = ["narrative": .string("y"), "age": .number("41")]
        var columns = CSVColumns()
        columns.add(CSVColumns.names(of: first))
        #expect(columns.table.row(second) == nil, "narrative has no column yet")
        columns.add(CSVColumns.names(of: second))
        #expect(columns.fieldNames == ["age", "name", "region", "narrative"])
        let row = String(decoding: columns.table.row(second)!, as: UTF8.self)
        #expect(row.hasSuffix(#","41","x","ili","y",""\#r\#n"#), "later sections win a name, as in JSON lines: \(row)")
    }
}

extension String {
    fileprivate func components(separatedBy separator: String) -> [String] {
        split(separator: separator, omittingEmptySubsequences: false).map(String.init)
    }
}
