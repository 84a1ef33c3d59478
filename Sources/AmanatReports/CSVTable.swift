import AmanatJSON

/// Opened records as RFC 4180 CSV, for spreadsheets. Columns are the fixed record columns, then every field name
/// in the order first seen (``CSVColumns``), then `unopened`; lists and records are written as canonical JSON
/// inside one cell. The columns must be known before the first row, so a caller that streams finds them in a
/// first reading of the records and writes the rows in a second.
///
/// Every field is quoted (RFC 4180 allows it, and a spreadsheet told to "format quoted fields as text" then
/// reinterprets nothing), quotes inside are doubled, and lines end in CRLF. A cell a spreadsheet would run as a
/// formula (first character `=`, `+`, `-`, `@`, tab or carriage return: OWASP's CSV-injection list) gets a
/// leading apostrophe. The table is UTF-8, optionally preceded by a byte order mark, which Excel needs to
/// recognise UTF-8.
public struct CSVTable: Sendable {
    private static let fixed = ["record_id", "form", "form_version", "received"]
    /// The field columns, in order.
    public let fieldNames: [String]
    private let columnOfField: [String: Int]

    /// A table with these field columns.
    public init(fieldNames: [String]) {
        self.fieldNames = fieldNames
        columnOfField = Dictionary(fieldNames.enumerated().map { ($1, Self.fixed.count + $0) }) { first, _ in first }
    }

    /// The UTF-8 byte order mark.
    public static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The characters that make a spreadsheet read a cell as a formula.
    public static let formulaTriggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// The header line, after ``byteOrderMark`` when `byteOrderMark` is true.
    public func header(byteOrderMark: Bool = false) -> [UInt8] {
        (byteOrderMark ? Self.byteOrderMark : []) + Array(Self.line(Self.fixed + fieldNames + ["unopened"]).utf8)
    }

    /// The line for `record`, or nil when it has a field with no column.
    public func row(_ record: OpenedRecord) -> [UInt8]? {
        guard case .object(let object) = record.json else { return nil }
        var cells = Self.fixed.map { object[$0].map(Self.cell) ?? "" } + Array(repeating: "", count: fieldNames.count + 1)
        if case .object(let fields)? = object["fields"] {
            for (name, value) in fields {
                guard let column = columnOfField[name] else { return nil }
                cells[column] = Self.cell(value)
            }
        }
        if case .object(let unopened)? = object["unopened"] { cells[cells.count - 1] = Self.cell(.object(unopened)) }
        // A withdrawn record has no fields; the last cell says why.
        if object["withdrawn"] == .bool(true) { cells[cells.count - 1] = "withdrawn" }
        return Array(Self.line(cells).utf8)
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

/// The field columns of a CSV table: every field name of the records added, in the order first seen (each
/// record's own names sorted).
public struct CSVColumns: Sendable {
    /// The names, in column order.
    public private(set) var fieldNames: [String] = []
    private var known: Set<String> = []

    /// No columns yet.
    public init() {}

    /// The field names of `record`, sorted: what ``add(_:)`` takes.
    public static func names(of record: OpenedRecord) -> [String] {
        record.mergedFields.keys.sorted()
    }

    /// Adds the names not seen before, in the order given.
    public mutating func add(_ names: [String]) {
        for name in names where known.insert(name).inserted { fieldNames.append(name) }
    }

    /// The table for the columns so far.
    public var table: CSVTable { CSVTable(fieldNames: fieldNames) }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
