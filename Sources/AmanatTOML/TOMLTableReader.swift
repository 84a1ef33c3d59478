/// A TOML document that parsed but does not have the expected shape: a key is missing, unknown or of the wrong type.
///
/// The message is one line, names the key by its dotted path and never repeats the value.
public struct TOMLSchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The dotted path of the offending key, e.g. `limits.max_json_depth` or `fields[2].name`.
    public var keyPath: String
    /// What is wrong, starting lowercase, e.g. `key "limits.max_json_depth" must be an integer`.
    public var message: String

    /// Creates an error; `message` should name `keyPath` and must not quote the value.
    public init(keyPath: String, message: String) {
        self.keyPath = keyPath
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

/// Reads a table strictly: each key is asked for by type, and `finish()` rejects any key nobody asked for, so that a
/// misspelt setting is an error rather than silently ignored.
///
/// ```swift
/// var reader = TOMLTableReader(table, path: "limits")
/// let depth = try reader.integer("max_json_depth")
/// try reader.finish()
/// ```
public struct TOMLTableReader: Sendable {
    /// The table being read.
    public let table: TOMLTable
    /// The dotted path of `table` in its document, used in error messages; "" for the root.
    public let path: String
    private var consumed: Set<String> = []

    /// Starts reading `table`, which sits at `path` in its document ("" for the root).
    public init(_ table: TOMLTable, path: String = "") {
        self.table = table
        self.path = path
    }

    /// The dotted path of `key` in this table, as error messages show it.
    public func keyPath(_ key: String) -> String {
        let segment = TOMLKeyPath.renderSegment(key)
        return path.isEmpty ? segment : "\(path).\(segment)"
    }

    /// An error saying that `key` breaks a rule the caller checks itself, e.g. `schemaError(forKey: "port",
    /// "must be between 1 and 65535")` gives `key "server.port" must be between 1 and 65535`.
    public func schemaError(forKey key: String, _ requirement: String) -> TOMLSchemaError {
        let keyPath = keyPath(key)
        return TOMLSchemaError(keyPath: keyPath, message: "key \"\(keyPath)\" \(requirement)")
    }

    /// The keys not taken so far, in the order the table lists them (TOMLKit lists them by name).
    public var remainingKeys: [String] {
        table.keys.filter { !consumed.contains($0) }
    }

    /// The raw value of `key`, if present, which then counts as read.
    public mutating func take(_ key: String) -> TOMLValue? {
        guard let value = table[key] else { return nil }
        consumed.insert(key)
        return value
    }

    /// Throws for the first key that was never taken: `unknown key "limits.foo"`.
    public func finish() throws(TOMLSchemaError) {
        if let key = remainingKeys.first {
            let keyPath = keyPath(key)
            throw TOMLSchemaError(keyPath: keyPath, message: "unknown key \"\(keyPath)\"")
        }
    }

    // MARK: Optional values

    /// The string at `key`, or nil if absent; throws if present with another type.
    public mutating func optionalString(_ key: String) throws(TOMLSchemaError) -> String? {
        try optional(key, "a string") { $0.stringValue }
    }

    /// The integer at `key`, or nil if absent; throws if present with another type.
    public mutating func optionalInteger(_ key: String) throws(TOMLSchemaError) -> Int64? {
        try optional(key, "an integer") { $0.integerValue }
    }

    /// The boolean at `key`, or nil if absent; throws if present with another type.
    public mutating func optionalBool(_ key: String) throws(TOMLSchemaError) -> Bool? {
        try optional(key, "a boolean") { $0.boolValue }
    }

    /// The array of strings at `key`, or nil if absent; throws if present and not an array of only strings.
    public mutating func optionalStringArray(_ key: String) throws(TOMLSchemaError) -> [String]? {
        try optional(key, "an array of strings") { value in
            value.arrayValue.flatMap { elements in Self.all(elements) { $0.stringValue } }
        }
    }

    /// The table at `key`, or nil if absent; throws if present with another type.
    public mutating func optionalTable(_ key: String) throws(TOMLSchemaError) -> TOMLTable? {
        try optional(key, "a table") { $0.tableValue }
    }

    /// The array of tables at `key` (`[[key]]` headers or an array of inline tables), or nil if absent; throws if
    /// present and not an array of only tables.
    public mutating func optionalTableArray(_ key: String) throws(TOMLSchemaError) -> [TOMLTable]? {
        try optional(key, "an array of tables") { value in
            value.arrayValue.flatMap { elements in Self.all(elements) { $0.tableValue } }
        }
    }

    /// A reader for the table at `key`, or nil if absent; throws if present with another type.
    public mutating func optionalTableReader(_ key: String) throws(TOMLSchemaError) -> TOMLTableReader? {
        try optionalTable(key).map { TOMLTableReader($0, path: keyPath(key)) }
    }

    /// Readers for the elements of the array of tables at `key`, with paths such as `fields[0]`, or nil if absent.
    public mutating func optionalTableArrayReaders(_ key: String) throws(TOMLSchemaError) -> [TOMLTableReader]? {
        guard let tables = try optionalTableArray(key) else { return nil }
        let keyPath = keyPath(key)
        return tables.enumerated().map { index, table in TOMLTableReader(table, path: "\(keyPath)[\(index)]") }
    }

    // MARK: Required values

    /// The string at `key`; throws if absent or of another type.
    public mutating func string(_ key: String) throws(TOMLSchemaError) -> String {
        try required(key, optionalString(key))
    }

    /// The integer at `key`; throws if absent or of another type.
    public mutating func integer(_ key: String) throws(TOMLSchemaError) -> Int64 {
        try required(key, optionalInteger(key))
    }

    /// The boolean at `key`; throws if absent or of another type.
    public mutating func bool(_ key: String) throws(TOMLSchemaError) -> Bool {
        try required(key, optionalBool(key))
    }

    /// The array of strings at `key`; throws if absent or not an array of only strings.
    public mutating func stringArray(_ key: String) throws(TOMLSchemaError) -> [String] {
        try required(key, optionalStringArray(key))
    }

    /// The table at `key`; throws if absent or of another type.
    public mutating func table(_ key: String) throws(TOMLSchemaError) -> TOMLTable {
        try required(key, optionalTable(key))
    }

    /// The array of tables at `key`; throws if absent or not an array of only tables.
    public mutating func tableArray(_ key: String) throws(TOMLSchemaError) -> [TOMLTable] {
        try required(key, optionalTableArray(key))
    }

    /// A reader for the table at `key`; throws if absent or of another type.
    public mutating func tableReader(_ key: String) throws(TOMLSchemaError) -> TOMLTableReader {
        try required(key, optionalTableReader(key))
    }

    /// Readers for the elements of the array of tables at `key`; throws if absent or not an array of only tables.
    public mutating func tableArrayReaders(_ key: String) throws(TOMLSchemaError) -> [TOMLTableReader] {
        try required(key, optionalTableArrayReaders(key))
    }

    // MARK: Helpers

    private mutating func optional<T>(
        _ key: String, _ kind: String, _ convert: (TOMLValue) -> T?
    ) throws(TOMLSchemaError) -> T? {
        guard let value = take(key) else { return nil }
        guard let converted = convert(value) else { throw schemaError(forKey: key, "must be \(kind)") }
        return converted
    }

    private func required<T>(_ key: String, _ value: T?) throws(TOMLSchemaError) -> T {
        guard let value else {
            let keyPath = keyPath(key)
            throw TOMLSchemaError(keyPath: keyPath, message: "missing key \"\(keyPath)\"")
        }
        return value
    }

    /// The converted elements if every one converts, else nil.
    private static func all<T>(_ elements: [TOMLValue], _ convert: (TOMLValue) -> T?) -> [T]? {
        let converted = elements.compactMap(convert)
        return converted.count == elements.count ? converted : nil
    }
}
