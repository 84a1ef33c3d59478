public import AmanatForms
import AmanatJSON

/// Opened records as RFC 4180 CSV, for spreadsheets. Columns are the fixed record columns (``fixedColumns``: the
/// last, `withdrawn`, says whether the witness withdrew the record), then the field columns (``CSVColumns``: the
/// forms' order), then `unopened`. A `records` field (relatives) can be split into a table of its own
/// (``CSVRecordTable``), one row per entry keyed by record id, when ``recordTables`` names it; its cell in the main
/// table then holds the number of entries. With ``labels``, a choice (`enum`, `enum_list`) is written as its
/// option's label in that language rather than its stored code. The columns must be known before the first row, so
/// a caller that streams finds them in a first reading of the records and writes the rows in a second.
///
/// Every field is quoted (RFC 4180 allows it, and a spreadsheet told to "format quoted fields as text" then
/// reinterprets nothing), quotes inside are doubled, and lines end in CRLF. A cell a spreadsheet would run as a
/// formula (first character `=`, `+`, `-`, `@`, tab or carriage return: OWASP's CSV-injection list) gets a
/// leading apostrophe. The table is UTF-8, optionally preceded by a byte order mark, which Excel needs to
/// recognise UTF-8.
public struct CSVTable: Sendable {
    /// The columns every table starts with.
    public static let fixedColumns = ["record_id", "form", "form_version", "received", "withdrawn"]
    /// The field columns, in order.
    public let fieldNames: [String]
    /// The `records` fields written as tables of their own, in the order of their columns.
    public let recordTables: [CSVRecordTable]
    /// The language choices are written in; nil for their stored codes.
    public let labels: ReportLanguage?
    private let columnOfField: [String: Int]
    private let tableOfField: [String: Int]
    /// The fields of each form the table knows, by form id and field name.
    private let formFields: [String: [String: FormField]]

    /// A table with these field columns. The form of each record (from `forms`) says which fields are choices;
    /// `recordTables` names the `records` fields that get tables of their own.
    public init(
        fieldNames: [String], recordTables: [CSVRecordTable] = [], forms: FormLibrary = FormLibrary(),
        labels: ReportLanguage? = nil
    ) {
        self.fieldNames = fieldNames
        self.recordTables = recordTables
        self.labels = labels
        let fixed = Self.fixedColumns.count
        columnOfField = Dictionary(fieldNames.enumerated().map { ($1, fixed + $0) }) { first, _ in first }
        tableOfField = Dictionary(recordTables.enumerated().map { ($1.field, $0) }) { first, _ in first }
        formFields = forms.forms.mapValues { form in
            Dictionary(form.fields.map { ($0.name, $0) }) { first, _ in first }
        }
    }

    /// The UTF-8 byte order mark.
    public static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The characters that make a spreadsheet read a cell as a formula.
    public static let formulaTriggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// The header line, after ``byteOrderMark`` when `byteOrderMark` is true.
    public func header(byteOrderMark: Bool = false) -> [UInt8] {
        (byteOrderMark ? Self.byteOrderMark : [])
            + Array(Self.line(Self.fixedColumns + fieldNames + ["unopened"]).utf8)
    }

    /// The lines of one record: its row in the main table, and its rows (none or more) in each of
    /// ``recordTables``, in that order.
    public struct Rows: Sendable {
        /// The record's line in the main table.
        public var main: [UInt8]
        /// For each of ``CSVTable/recordTables``, the lines of the record's entries, one after the other.
        public var records: [[UInt8]]
    }

    /// The main line for `record`, or nil when it has a field with no column: ``rows(_:)``'s `main`.
    public func row(_ record: OpenedRecord) -> [UInt8]? {
        rows(record)?.main
    }

    /// The lines for `record`, or nil when it has a field with no column.
    public func rows(_ record: OpenedRecord) -> Rows? {
        let fixed = Self.fixedColumns.count
        var cells = [record.recordID, record.formID, String(record.formVersion), record.received,
                     record.withdrawn ? "true" : "false"]
            + Array(repeating: "", count: fieldNames.count + 1)
        var records = Array(repeating: [UInt8](), count: recordTables.count)
        let fields = formFields[record.formID] ?? [:]
        for (name, value) in record.mergedFields {
            guard let column = columnOfField[name] else { return nil }
            let field = fields[name]
            if let table = tableOfField[name], let lines = recordTables[table].lines(
                of: value, recordID: record.recordID, field: field, cell: cell
            ) {
                records[table] = lines
                cells[column] = String(value.arrayValue?.count ?? 0)
            } else {
                cells[column] = cell(value, as: field)
            }
        }
        precondition(cells.count == fixed + fieldNames.count + 1)
        if !record.failures.isEmpty {
            let reasons = record.failures.map { section, failure in
                (section.rawValue, JSONValue.string(failure.detail))
            }
            cells[cells.count - 1] = JSONValue.object(Dictionary(uniqueKeysWithValues: reasons)).canonicalString()
        }
        return Rows(main: Array(Self.line(cells).utf8), records: records)
    }

    /// `value` as a cell: a choice as its code or, with ``labels``, its label (a list of choices separated by
    /// "; "); otherwise as ``plain(_:)`` writes it.
    func cell(_ value: JSONValue, as field: FormField?) -> String {
        switch (field?.type, value) {
        case (.enumeration?, .string(let chosen)):
            return choice(chosen, of: field!)
        case (.enumerationList?, .array(let items)) where items.allSatisfy({ $0.stringValue != nil }):
            return items.map { choice($0.stringValue!, of: field!) }.joined(separator: "; ")
        default:
            return Self.plain(value)
        }
    }

    private func choice(_ value: String, of field: FormField) -> String {
        guard let labels else { return value }
        return field.options.first { $0.value == value }?.label.text(in: labels.rawValue) ?? value
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

    /// A value the form says nothing about: text as it is, numbers as their literal, booleans as `true` or
    /// `false`, null as nothing, lists and objects as canonical JSON.
    static func plain(_ value: JSONValue) -> String {
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
