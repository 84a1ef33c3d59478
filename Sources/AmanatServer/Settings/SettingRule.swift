import AmanatCrypto

/// How one kind of setting is read and checked, and shown again by `--check-config`. A declaration picks one
/// of these, so each check is written once however many settings use it.
struct SettingRule<Value>: Sendable {
    /// How the value is written.
    let kind: SettingKind
    /// The checked value, or an error naming the setting's key (the second argument).
    let check: @Sendable (SettingValue, String) throws(ConfigError) -> Value
    /// The checked value as it would be written in a config file.
    let show: @Sendable (Value) -> SettingValue

    /// A rule for values written as `Written`; `check` gets the value already unwrapped from `SettingValue`.
    init<Written: WrittenSetting>(
        check: @escaping @Sendable (Written, String) throws(ConfigError) -> Value,
        show: @escaping @Sendable (Value) -> SettingValue
    ) {
        self.kind = Written.kind
        self.check = { value, key throws(ConfigError) in
            // The file reader and the options both produce values of the declared kind; this guards the seam.
            guard let written = Written(value) else { throw ConfigError("\(key): must be \(Written.kind)") }
            return try check(written, key)
        }
        self.show = show
    }
}

/// A Swift type a setting is written as, in the file and on the command line.
protocol WrittenSetting: Sendable {
    static var kind: SettingKind { get }
    /// The value, if `value` is of this kind.
    init?(_ value: SettingValue)
}

extension String: WrittenSetting {
    static var kind: SettingKind { .text }
    init?(_ value: SettingValue) {
        guard case .text(let text) = value else { return nil }
        self = text
    }
}

extension Int: WrittenSetting {
    static var kind: SettingKind { .integer }
    init?(_ value: SettingValue) {
        guard case .integer(let number) = value else { return nil }
        self = number
    }
}

extension Bool: WrittenSetting {
    static var kind: SettingKind { .flag }
    init?(_ value: SettingValue) {
        guard case .flag(let flag) = value else { return nil }
        self = flag
    }
}

extension [String]: WrittenSetting {
    static var kind: SettingKind { .list }
    init?(_ value: SettingValue) {
        guard case .list(let items) = value else { return nil }
        self = items
    }
}

extension SettingRule where Value == String {
    /// Any string.
    static var text: Self {
        Self(check: { (text: String, _) in text }, show: { .text($0) })
    }

    /// A Unix socket path: 1 to 107 bytes, so that it fits `sun_path`.
    static var socketPath: Self {
        Self(check: { (path: String, key: String) throws(ConfigError) in
            guard !path.isEmpty, path.utf8.count < 108 else {
                throw ConfigError("\(key): the path must be 1...107 bytes long")
            }
            return path
        }, show: { .text($0) })
    }
}

extension SettingRule where Value == UInt32 {
    /// An octal file mode such as `0660` that gives others no access.
    static var socketMode: Self {
        Self(check: { (text: String, key: String) throws(ConfigError) in
            guard let mode = UInt32(text, radix: 8), mode <= 0o777, text.count <= 4 else {
                throw ConfigError("\(key): must be an octal mode such as 0660")
            }
            guard mode & 0o007 == 0 else {
                throw ConfigError("\(key): others must have no access to the socket (use 0660 or 0600)")
            }
            return mode
        }, show: { .text("0" + String($0, radix: 8)) })
    }
}

extension SettingRule where Value == Int {
    /// A whole number in `range`.
    static func integer(in range: ClosedRange<Int>) -> Self {
        Self(check: { (number: Int, key: String) throws(ConfigError) in
            guard range.contains(number) else {
                throw ConfigError("\(key): must be between \(range.lowerBound) and \(range.upperBound)")
            }
            return number
        }, show: { .integer($0) })
    }
}

extension SettingRule where Value == Bool {
    /// On or off.
    static var flag: Self {
        Self(check: { (flag: Bool, _) in flag }, show: { .flag($0) })
    }
}

extension SettingRule where Value: CaseIterable & RawRepresentable & Sendable, Value.RawValue == String {
    /// One of `Value`'s cases, by raw value.
    static var choice: Self {
        Self(check: { (text: String, key: String) throws(ConfigError) in
            guard let value = Value(rawValue: text) else {
                let names = Value.allCases.map(\.rawValue)
                throw ConfigError("\(key): must be \(names.dropLast().joined(separator: ", ")) or \(names.last ?? "")")
            }
            return value
        }, show: { .text($0.rawValue) })
    }
}

extension SettingRule {
    /// Public keys in text form, each trimmed by the one rule for key texts (`KeyTextInput`); a bad one is named by its
    /// place: `identity_recipient 2: …`.
    private static func publicKeys<Key: Sendable>(
        _ parse: @escaping @Sendable (String) throws(PublicKeyTextError) -> Key, text: @escaping @Sendable (Key) -> String
    ) -> Self where Value == [Key] {
        Self(check: { (texts: [String], key: String) throws(ConfigError) in
            var keys: [Key] = []
            for (index, item) in texts.enumerated() {
                do throws(PublicKeyTextError) {
                    keys.append(try parse(item))
                } catch {
                    throw ConfigError("\(key.dropLast()) \(index + 1): \(error.description)")
                }
            }
            return keys
        }, show: { .list($0.map(text)) })
    }
}

extension SettingRule where Value == [RecipientPublicKey] {
    /// Recipient public keys (`amanat-pk-…`).
    static var recipientKeys: Self {
        publicKeys({ (text: String) throws(PublicKeyTextError) in try RecipientPublicKey(input: text) }, text: \.text)
    }
}

extension SettingRule where Value == [SigningPublicKey] {
    /// Ed25519 public keys (`amanat-sig-…`): the rewrap signers.
    static var signingKeys: Self {
        publicKeys({ (text: String) throws(PublicKeyTextError) in try SigningPublicKey(input: text) }, text: \.text)
    }
}

extension SettingRule where Value == [AccessPolicy.Group] {
    /// Group names or ids, each of which must exist.
    static var groups: Self {
        Self(check: { (names: [String], key: String) throws(ConfigError) in
            try AccessPolicy.resolve(names, key: key)
        }, show: { .list($0.map(\.name)) })
    }
}
