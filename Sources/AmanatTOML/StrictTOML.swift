import TOMLKit

/// TOML 1.0 as parsed by TOMLKit (toml++), narrowed to what form files and amanatd.toml need.
///
/// TOMLKit does the syntax, including TOML's rules against defining a key or table twice, and reports those errors
/// with line and column. On top of it, this refuses floats, dates and times (no setting or form key takes one, and a
/// float where an integer was meant must not silently round), NUL characters, at which TOMLKit's C interface would
/// cut a key or string short, and table headers that would make toml++ abort. Key paths deeper than `maximumDepth`
/// are refused; toml++ bounds the nesting of arrays and inline tables itself.
///
/// TOMLKit 0.6.0 never frees a parsed document, so only files read at start and on reload come through here.
public enum StrictTOML {
    /// The deepest key path accepted (`a.b.c` is 3), so that converting the document cannot exhaust the stack.
    public static let maximumDepth = 64

    /// Parses a whole document into its root table.
    public static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        try refuseWhatTOMLKitMishandles(in: text)
        let document: TOMLKit.TOMLTable
        do {
            document = try TOMLKit.TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let begin = error.source.begin
            throw TOMLError(line: begin.line, column: begin.column, message: message(from: error.description))
        } catch {
            throw TOMLError(message: "cannot parse the document")
        }
        return try convert(document, path: "", depth: 0)
    }

    /// Refuses what TOMLKit would mishandle, before it sees the text: a NUL, and two malformed shapes on which
    /// toml++ 3.4.0 asserts and aborts the whole process (SwiftPM builds it without NDEBUG, also in release; with
    /// NDEBUG the assertions would become assumptions, which is worse). Both were found by FuzzFormFile.
    private static func refuseWhatTOMLKitMishandles(in text: String) throws(TOMLError) {
        var scanner = TOMLKitHazardScanner(text)
        try scanner.scan()
    }

    /// toml++'s description on one line, with nothing that could break or reorder a log line, starting lowercase.
    private static func message(from description: String) -> String {
        let line = description.split(whereSeparator: \.isNewline).joined(separator: " ")
        let escaped = TOMLKeyPath.escapingControls(line)
        guard let first = escaped.first else { return "cannot parse the document" }
        return first.lowercased() + escaped.dropFirst()
    }

    private static func convert(_ table: TOMLKit.TOMLTable, path: String, depth: Int) throws(TOMLError) -> TOMLTable {
        var result = TOMLTable()
        for key in table.keys {
            // `depth` keys lead to this table, so this key is the (depth + 1)th of its path.
            guard depth < maximumDepth else {
                throw TOMLError(message: "keys are nested more than \(maximumDepth) levels deep")
            }
            let segment = TOMLKeyPath.renderSegment(key)
            let keyPath = path.isEmpty ? segment : "\(path).\(segment)"
            guard let value = table[key] else { throw unreadable(keyPath) }
            result[key] = try convert(value.tomlValue, path: keyPath, depth: depth + 1)
        }
        return result
    }

    private static func convert(_ value: TOMLKit.TOMLValue, path: String, depth: Int) throws(TOMLError) -> TOMLValue {
        switch value.type {
        case .string: if let string = value.string { return .string(string) }
        case .int: if let integer = value.int { return .integer(Int64(integer)) }
        case .bool: if let bool = value.bool { return .boolean(bool) }
        case .table: if let table = value.table { return .table(try convert(table, path: path, depth: depth)) }
        case .array:
            if let array = value.array {
                var elements: [TOMLValue] = []
                for index in 0..<array.count {
                    elements.append(try convert(array[index].tomlValue, path: "\(path)[\(index)]", depth: depth))
                }
                return .array(elements)
            }
        case .double: throw unsupported(path, "a float")
        case .date: throw unsupported(path, "a date")
        case .time: throw unsupported(path, "a time")
        case .dateTime: throw unsupported(path, "a date-time")
        }
        throw unreadable(path)
    }

    private static func unsupported(_ path: String, _ kind: String) -> TOMLError {
        TOMLError(message: "key \"\(path)\" is \(kind); floats, dates and times are not supported")
    }

    /// TOMLKit listed a key or element that it then could not give back: not expected after the NUL check.
    private static func unreadable(_ path: String) -> TOMLError {
        TOMLError(message: "key \"\(path)\" cannot be read")
    }
}
