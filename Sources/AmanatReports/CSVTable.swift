public import AmanatModel

/// Opened records as RFC 4180 CSV, for spreadsheets. Columns are the fixed record columns, then every field name
/// in the order first seen, then `unopened`; lists and records are written as canonical JSON inside one cell.
///
/// Every field is quoted (RFC 4180 allows it, and a spreadsheet told to "format quoted fields as text" then
/// reinterprets nothing), quotes inside are doubled, and lines end in CRLF. A cell a spreadsheet would run as a
/// formula (first character `=`, `+`, `-`, `@`, tab or carriage return: OWASP's CSV-injection list) gets a
/// leading apostrophe. The table is UTF-8, optionally preceded by a byte order mark, which Excel needs to
/// recognise UTF-8.
public struct CSVTable {
    private static let fixed = ["record_id", "form", "form_version", "received"]
    private var fieldNames: [String] = []
    private var known: Set<String> = []
    private var rows: [[String: String]] = []

    /// An empty table.
    public init() {}

    /// The UTF-8 byte order mark.
    public static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The characters that make a spreadsheet read a cell as a formula.
    public static let formulaTriggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// Adds one opened record as a row.
    public mutating func add(_ record: OpenedRecord) {
        add(record.json)
    }

    /// Adds one record in the JSON shape `open` writes.
    public mutating func add(_ record: JSONValue) {
        guard case .object(let object) = record else { return }
        var row: [String: String] = [:]
        for name in Self.fixed { row[name] = object[name].map(Self.cell) ?? "" }
        if case .object(let fields)? = object["fields"] {
            for name in fields.keys.sorted() where known.insert(name).inserted { fieldNames.append(name) }
            for (name, value) in fields { row["field:" + name] = Self.cell(value) }
        }
        if case .object(let unopened)? = object["unopened"] { row["unopened"] = Self.cell(.object(unopened)) }
        // A withdrawn record has no fields; the last cell says why.
        if object["withdrawn"] == .bool(true) { row["unopened"] = "withdrawn" }
        rows.append(row)
    }

    /// The whole table, starting with ``byteOrderMark`` when `byteOrderMark` is true.
    public func encoded(byteOrderMark: Bool = false) -> [UInt8] {
        var out = ""
        let header = Self.fixed + fieldNames + ["unopened"]
        out += Self.line(header)
        for row in rows {
            let cells = Self.fixed.map { row[$0] ?? "" } + fieldNames.map { row["field:" + $0] ?? "" }
                + [row["unopened"] ?? ""]
            out += Self.line(cells)
        }
        return (byteOrderMark ? Self.byteOrderMark : []) + Array(out.utf8)
    }

    /// One CSV record: the cells as ``field(_:)``, separated by commas, ended by CRLF.
    public static func line(_ cells: [String]) -> String {
        cells.map(field).joined(separator: ",") + "\r\n"
    }

    /// One cell as a CSV field: neutralised if it would run as a formula, then quoted with inner quotes doubled.
    public static func field(_ cell: String) -> String {
        var text = cell
        if let first = text.unicodeScalars.first, formulaTriggers.contains(first) { text = "'" + text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func cell(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .null: ""
        default: value.canonicalString()
        }
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
