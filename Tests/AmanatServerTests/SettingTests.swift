import AmanatServer
import Foundation
import Testing

/// The settings table is the one place a setting is declared; these check that what derives from it holds.
@Suite("settings declared once")
struct SettingTests {
    static let key = "amanat-pk-sua3kapgddwmi3dwh7aneet3uasfyxipatpdrvbzigbmgsnmpa2x2qyzae"
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func file(_ text: String) throws -> SettingValues {
        try SettingValues(toml: "recipients = [\"\(key)\"]\n" + text)
    }

    @Test("keys and options are unique, and each option has one sentence of help")
    func declarations() {
        #expect(Set(Setting.all.map(\.key)).count == Setting.all.count)
        #expect(Set(Setting.all.map(\.option)).count == Setting.all.count)
        for setting in Setting.all {
            #expect(setting.help.hasSuffix(".") && !setting.help.dropLast().contains(". "), "\(setting.key)")
            #expect(setting.optionHelp.hasPrefix(setting.help.dropLast()), "\(setting.key)")
        }
    }

    @Test("the sample config documents every setting, with its default")
    func sample() throws {
        let sample = try SettingValues.load(path: "\(Self.root)/config/amanatd.toml")
        for setting in Setting.all {
            let value = try #require(sample[setting], "config/amanatd.toml lacks \(setting.key)")
            // The sample's groups are the ones sysusers.d makes, not the (empty) default.
            if setting.kind != .list { #expect(value == setting.defaultValue, "\(setting.key)") }
        }
    }

    @Test("an option wins over the file, which wins over the default")
    func precedence() throws {
        let file = try Self.file("[limits]\nmax_json_depth = 12\nmax_connections = 9\n")
        let options = SettingValues(options: Setting.all.map { setting in
            setting.given(setting.key == Setting.maxConnections.key ? 7 : nil as Int?)
        })
        let configuration = try ServerConfiguration.resolve(options: options, file: file)
        #expect(configuration.limits.maxConnections == 7)
        #expect(configuration.limits.maxJSONDepth == 12)
        #expect(configuration.limits.maxBodyBytes == 1_048_576)
        #expect(configuration.socketMode == 0o660)
        #expect(configuration.identityRecipients.map(\.text) == [Self.key])
    }

    @Test("unknown keys and wrong types are refused, naming the key")
    func refusals() {
        for (text, message) in [
            ("sockett = \"/tmp/x\"\n", "unknown key \"sockett\""),
            ("[limits]\nmax_body = 5\n", "unknown key \"limits.max_body\""),
            ("[other]\nx = 1\n", "unknown key \"other\""),
            ("socket_mode = 660\n", "key \"socket_mode\" must be a string"),
            ("max_json_depth = 12\n", "unknown key \"max_json_depth\""),
        ] {
            #expect(throws: ConfigError(message), "\(text)") { try SettingValues(toml: text) }
        }
        #expect(throws: ConfigError("limits.max_json_depth: must be between 4 and 256")) {
            try ServerConfiguration.resolve(options: SettingValues(), file: try Self.file("[limits]\nmax_json_depth = 3\n"))
        }
        #expect(throws: ConfigError("received_precision: must be month, day or hour")) {
            try ServerConfiguration.resolve(options: SettingValues(), file: try Self.file("received_precision = \"week\"\n"))
        }
    }

    @Test("recipient keys are trimmed of space, tab, CR and LF at either end, and of nothing else (FORMAT.md 2.1)")
    func recipientKeyTrimming() throws {
        // TOML escapes: a key pasted with the line end of another system, or with the editor's tab.
        for around in ["\\n", "\\r", "\\r\\n", " ", "\\t", " \\t\\r\\n"] {
            let file = try SettingValues(toml: "recipients = [\"\(around)\(Self.key)\(around)\"]\n")
            let configuration = try ServerConfiguration.resolve(options: SettingValues(), file: file)
            #expect(configuration.identityRecipients.map(\.text) == [Self.key], "\(around)")
        }
        for around in ["\\u00A0", "\\u3000", "\\u000B"] {
            let file = try SettingValues(toml: "recipients = [\"\(Self.key)\(around)\"]\n")
            #expect(throws: ConfigError.self, "\(around)") {
                try ServerConfiguration.resolve(options: SettingValues(), file: file)
            }
        }
    }

    @Test("floats, dates and redefined tables are refused, naming the key or the line and column")
    func syntaxRefusals() {
        let unsupported = "floats, dates and times are not supported"
        for (text, message) in [
            ("[limits]\nmax_connections = 128.0\n", "key \"limits.max_connections\" is a float; \(unsupported)"),
            ("received_precision = 2026-12-07\n", "line 1, column 22: dates and times are not supported"),
            ("[limits]\nmax_json_depth = 16\n[limits]\n", "line 3, column 1: error while parsing table header: "
                + "cannot redefine existing table 'limits'"),
            ("socket = \"/run/a\\u0000b\"\n", "line 1, column 17: NUL escapes are not allowed"),
        ] {
            #expect(throws: ConfigError(message), "\(text)") { try SettingValues(toml: text) }
        }
    }

    @Test("the --check-config printout, read back as a config file, gives the same settings")
    func effectiveSettingsRoundTrip() throws {
        let catalog = try FormCatalog(directory: "\(Self.root)/config/forms")
        let file = try Self.file("socket_mode = \"0600\"\nallow_root = true\n[limits]\nmax_body_bytes = 2048\n")
        let first = try ServerConfiguration.resolve(options: SettingValues(), file: file).effectiveSettings(catalog: catalog)
        #expect(first.contains("socket_mode = \"0600\"\n") && first.contains("\nmax_body_bytes = 2048\n"))
        #expect(first.contains("allow_root = true\n"))
        let again = try ServerConfiguration.resolve(options: SettingValues(), file: SettingValues(toml: first))
        #expect(again.effectiveSettings(catalog: catalog) == first)
    }
}
