/// One amanatd setting, declared once in `Setting+Declarations.swift`. Its config-file key, its option, its
/// `--help` line, its default, its check and its `--check-config` line all come from this declaration, so a
/// setting cannot be added to, or renamed in, one of those places and forgotten in another.
public struct Setting: Sendable {
    /// The config-file key, dotted when it sits in a table: `socket`, `limits.max_body_bytes`.
    public let key: String
    /// The long option without its dashes: `max-body-bytes` for `--max-body-bytes`.
    public let option: String
    /// One sentence for `--help`, ending with a period.
    public let help: String
    /// How the value is written in the file and given on the command line.
    public let kind: SettingKind
    /// The value when neither an option nor the file gives one.
    public let defaultValue: SettingValue
    /// Checks `value` and stores what it means in a configuration; the error names `key`.
    let apply: @Sendable (_ value: SettingValue, _ configuration: inout ServerConfiguration) throws(ConfigError) -> Void
    /// The effective value as `--check-config` prints it, with an optional comment; nil for a setting folded
    /// into others' lines.
    let effective: (@Sendable (ServerConfiguration, FormCatalog) -> (value: SettingValue, comment: String?))?

    /// A setting whose checked value lives at `field`. `rule` says how to read and check it; `comment`, if
    /// given, follows its `--check-config` line; `printed: false` leaves that line out.
    init<Value>(
        _ key: String, option: String, help: String, default defaultValue: SettingValue,
        field: any WritableKeyPath<ServerConfiguration, Value> & Sendable, rule: SettingRule<Value>,
        printed: Bool = true, comment: (@Sendable (Value, FormCatalog) -> String)? = nil
    ) {
        precondition(help.hasSuffix("."), "\(key): the help must be one sentence")
        self.key = key
        self.option = option
        self.help = help
        self.kind = rule.kind
        self.defaultValue = defaultValue
        self.apply = { value, configuration throws(ConfigError) in
            configuration[keyPath: field] = try rule.check(value, key)
        }
        if printed {
            self.effective = { configuration, catalog in
                let value = configuration[keyPath: field]
                return (rule.show(value), comment?(value, catalog))
            }
        } else {
            self.effective = nil
        }
    }

    /// The table the key sits in ("" for the top level) and its name there: `("limits", "max_body_bytes")`.
    var tableAndName: (table: String, name: String) {
        guard let dot = key.firstIndex(of: ".") else { return ("", key) }
        return (String(key[..<dot]), String(key[key.index(after: dot)...]))
    }

    /// `help` for the option: the default and repetition said in a parenthesis before the period.
    public var optionHelp: String {
        var notes: [String] = []
        if kind == .list { notes.append("repeatable") }
        switch defaultValue {
        case .text(let text): notes.append("default \(text)")
        case .integer(let number): notes.append("default \(number)")
        case .flag, .list: break
        }
        guard !notes.isEmpty else { return help }
        return "\(help.dropLast()) (\(notes.joined(separator: "; ")))."
    }
}

/// How a setting is written in the config file and given on the command line.
public enum SettingKind: Sendable, Equatable {
    /// A TOML string; an option with a value.
    case text
    /// A TOML integer; an option with a whole-number value.
    case integer
    /// A TOML boolean; a flag, which can only turn the setting on.
    case flag
    /// A TOML array of strings; a repeatable option.
    case list
}

/// A setting's value as the config file or an option gives it, before it is checked.
public enum SettingValue: Sendable, Equatable {
    case text(String)
    case integer(Int)
    case flag(Bool)
    case list([String])

    /// The kind this value is of.
    public var kind: SettingKind {
        switch self {
        case .text: .text
        case .integer: .integer
        case .flag: .flag
        case .list: .list
        }
    }

    /// The value as TOML, the way `--check-config` prints it.
    var toml: String {
        switch self {
        case .text(let text): "\"\(text)\""
        case .integer(let number): "\(number)"
        case .flag(let flag): "\(flag)"
        case .list(let items): "[" + items.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        }
    }
}
