import AmanatModel

/// Opened records as RFC 4180 CSV. Columns are the fixed record columns, then every field name in the
/// order first seen; lists and records are written as canonical JSON inside one cell.
struct CSVTable {
    private static let fixed = ["record_id", "form", "form_version", "received"]
    private var fieldNames: [String] = []
    private var known: Set<String> = []
    private var rows: [[String: String]] = []

    mutating func add(_ record: JSONValue) {
        guard case .object(let object) = record else { return }
        var row: [String: String] = [:]
        for name in Self.fixed { row[name] = object[name].map(Self.cell) ?? "" }
        if case .object(let fields)? = object["fields"] {
            for name in fields.keys.sorted() where known.insert(name).inserted { fieldNames.append(name) }
            for (name, value) in fields { row["field:" + name] = Self.cell(value) }
        }
        if case .object(let unopened)? = object["unopened"] { row["unopened"] = Self.cell(.object(unopened)) }
        rows.append(row)
    }

    func encoded() -> [UInt8] {
        var out = ""
        let header = Self.fixed + fieldNames + ["unopened"]
        out += header.map(Self.quote).joined(separator: ",") + "\r\n"
        for row in rows {
            let cells = Self.fixed.map { row[$0] ?? "" } + fieldNames.map { row["field:" + $0] ?? "" }
                + [row["unopened"] ?? ""]
            out += cells.map(Self.quote).joined(separator: ",") + "\r\n"
        }
        return Array(out.utf8)
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

    /// Quotes every cell; a cell that a spreadsheet would run as a formula gets a leading apostrophe.
    private static func quote(_ cell: String) -> String {
        var text = cell
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { text = "'" + text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
