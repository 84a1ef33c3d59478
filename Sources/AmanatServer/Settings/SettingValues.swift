import AmanatTOML
import Foundation

/// The settings one source gives, the config file or the command line, by key and not yet checked. Which
/// keys exist, and how each is written, comes from `Setting.all`.
public struct SettingValues: Sendable, Equatable {
    private var values: [String: SettingValue] = [:]

    /// No settings.
    public init() {}

    /// The value `setting` has here, if any.
    public subscript(setting: Setting) -> SettingValue? {
        values[setting.key]
    }

    /// The settings given as options: one entry for every declared setting, made by `Setting.given`, with nil
    /// for an option not given. Leaving a setting out is a programming error, caught at the first start.
    public init(options: [(setting: Setting, value: SettingValue?)]) {
        precondition(
            options.map(\.setting.key) == Setting.all.map(\.key),
            "every declared setting needs its option, in the order of Setting.all"
        )
        for (setting, value) in options {
            values[setting.key] = value
        }
    }

    /// Reads the file at `path`.
    public static func load(path: String) throws(ConfigError) -> SettingValues {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("cannot read config file \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ConfigError("\(path): not valid UTF-8") }
        do {
            return try SettingValues(toml: text)
        } catch {
            throw ConfigError("\(path): \(error.description)")
        }
    }

    /// Parses config text. Every key must be a declared setting's, so a typo cannot silently weaken a setting.
    public init(toml text: String) throws(ConfigError) {
        do {
            var root = TOMLTableReader(try StrictTOML.parse(text), path: "")
            let tables = Setting.all.map(\.tableAndName.table).reduce(into: [String]()) { tables, table in
                if !tables.contains(table) { tables.append(table) }
            }
            for table in tables {
                if table.isEmpty {
                    try read(table, from: &root)
                } else if var reader = try root.optionalTableReader(table) {
                    try read(table, from: &reader)
                    try reader.finish()
                }
            }
            try root.finish()
        } catch {
            throw ConfigError("\(error)")
        }
    }

    /// Takes the declared settings of `table` from `reader`.
    private mutating func read(_ table: String, from reader: inout TOMLTableReader) throws(TOMLSchemaError) {
        for setting in Setting.all where setting.tableAndName.table == table {
            values[setting.key] = try setting.kind.read(setting.tableAndName.name, from: &reader)
        }
    }
}

extension SettingKind {
    /// The value of `name` in `reader`'s table, if present; throws if it is of another kind.
    fileprivate func read(_ name: String, from reader: inout TOMLTableReader) throws(TOMLSchemaError) -> SettingValue? {
        switch self {
        case .text: try reader.optionalString(name).map(SettingValue.text)
        case .integer: try reader.optionalInteger(name).map { .integer(Int($0)) }
        case .flag: try reader.optionalBool(name).map(SettingValue.flag)
        case .list: try reader.optionalStringArray(name).map(SettingValue.list)
        }
    }
}

extension Setting {
    /// The value of this setting's option: `nil` when it was not given.
    public func given(_ value: String?) -> (setting: Setting, value: SettingValue?) {
        given(value.map(SettingValue.text))
    }

    /// The value of this setting's whole-number option: `nil` when it was not given.
    public func given(_ value: Int?) -> (setting: Setting, value: SettingValue?) {
        given(value.map(SettingValue.integer))
    }

    /// The values of this setting's repeatable option: none given leaves the file's list or the default.
    public func given(_ values: [String]) -> (setting: Setting, value: SettingValue?) {
        given(values.isEmpty ? nil : .list(values))
    }

    /// This setting's flag: a flag can turn a setting on, and absent leaves the file's value or the default.
    public func given(_ flag: Bool) -> (setting: Setting, value: SettingValue?) {
        given(flag ? .flag(true) : nil)
    }

    private func given(_ value: SettingValue?) -> (setting: Setting, value: SettingValue?) {
        precondition(value == nil || value?.kind == kind, "\(key): the option's type does not match its kind")
        return (self, value)
    }
}
