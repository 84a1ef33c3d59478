/// A value in a TOML document, limited to the types `StrictTOML` accepts.
public enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case boolean(Bool)
    /// A static array (`[1, 2]`) or an array of tables (`[[name]]`); elements may mix types.
    case array([TOMLValue])
    /// A standard table, an inline table, or one element of an array of tables.
    case table(TOMLTable)

    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    /// The integer, if this is an integer.
    public var integerValue: Int64? {
        if case .integer(let value) = self { value } else { nil }
    }

    /// The boolean, if this is a boolean.
    public var boolValue: Bool? {
        if case .boolean(let value) = self { value } else { nil }
    }

    /// The elements, if this is an array.
    public var arrayValue: [TOMLValue]? {
        if case .array(let value) = self { value } else { nil }
    }

    /// The table, if this is a table.
    public var tableValue: TOMLTable? {
        if case .table(let value) = self { value } else { nil }
    }

    /// The kind of value with an article ("a string", "an integer"), for messages; never the value itself.
    public var kindDescription: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .boolean: "a boolean"
        case .array: "an array"
        case .table: "a table"
        }
    }
}

/// A TOML table that remembers the order in which its keys were first inserted.
///
/// Equality compares key order too, so two tables are equal only if they also list their keys alike.
public struct TOMLTable: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// The keys, in insertion order.
    public private(set) var keys: [String] = []
    private var values: [String: TOMLValue] = [:]

    /// An empty table.
    public init() {}

    /// A table with the given entries in the given order. Duplicate keys are a programming error.
    public init(dictionaryLiteral elements: (String, TOMLValue)...) {
        for (key, value) in elements {
            precondition(values[key] == nil, "duplicate key in TOMLTable literal")
            self[key] = value
        }
    }

    /// The value for `key`. Setting a new key appends it to `keys`; setting nil removes the key.
    public subscript(key: String) -> TOMLValue? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: key) == nil {
                    keys.append(key)
                }
            } else if values.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// Whether the table has no keys.
    public var isEmpty: Bool { keys.isEmpty }

    /// The number of keys.
    public var count: Int { keys.count }
}

/// A syntax error in a TOML document, with TOMLKit's 1-based position, or a value of a kind the project refuses,
/// named by its key path.
///
/// The message is one line and never repeats string values from the document, only key names.
public struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line of the offending text; nil when the error names a key instead.
    public var line: Int?
    /// The 1-based column of the offending text, counted in Unicode scalars; nil when the error names a key.
    public var column: Int?
    /// What is wrong, starting lowercase.
    public var message: String

    /// Creates an error at the given position, if known.
    public init(line: Int? = nil, column: Int? = nil, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// "line L, column C: message", or the message alone when there is no position.
    public var description: String {
        guard let line, let column else { return message }
        return "line \(line), column \(column): \(message)"
    }
}

/// Renders key paths for error messages in TOML's own dotted-key syntax.
enum TOMLKeyPath {
    /// `segments` joined with dots, each bare if possible and quoted otherwise, e.g. `servers.'my host'.port`.
    static func render(_ segments: some Sequence<String>) -> String {
        segments.map(renderSegment).joined(separator: ".")
    }

    /// One key as it could be written in TOML, quoted only when it isn't a valid bare key.
    static func renderSegment(_ key: String) -> String {
        if !key.isEmpty && key.unicodeScalars.allSatisfy(isBareKeyScalar) {
            return key
        }
        if !key.unicodeScalars.contains(where: { $0 == "'" || needsEscape($0) }) {
            return "'\(key)'"
        }
        return "\"" + escapingControls(key, quote: true) + "\""
    }

    /// `text` with control, line-separating and bidirectional scalars written as TOML escapes (`\n`, `\u202E`),
    /// and with `"` and `\` escaped too if `quote`, so that it shows on one line and in its own order.
    static func escapingControls(_ text: String, quote: Bool = false) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"" where quote: result += "\\\""
            case "\\" where quote: result += "\\\\"
            case "\t": result += "\\t"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            default:
                if needsEscape(scalar) {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    let width = scalar.value > 0xFFFF ? 8 : 4
                    result += (width == 8 ? "\\U" : "\\u") + String(repeating: "0", count: width - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    static func isBareKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-": true
        default: false
        }
    }

    /// Scalars that could break a message across lines or reorder how a log line displays.
    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator:
            return true
        default:
            // Bidirectional embeddings, overrides, isolates and marks (as in "Trojan Source").
            switch scalar.value {
            case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
            default: return false
            }
        }
    }
}
