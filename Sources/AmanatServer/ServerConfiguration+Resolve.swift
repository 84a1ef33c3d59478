import AmanatIntake
import AmanatCrypto

extension ServerConfiguration {
    /// Merges options (which win) over a config file over the declared defaults, setting by setting through
    /// `Setting.all`, and checks every value.
    public static func resolve(options: SettingValues, file: SettingValues) throws(ConfigError) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        for setting in Setting.all {
            try setting.apply(options[setting] ?? file[setting] ?? setting.defaultValue, &configuration)
        }
        try configuration.foldSharedRecipients()
        return configuration
    }

    /// The one rule across settings: `recipients` open both sections, and each section then needs 1 to 16 keys.
    private mutating func foldSharedRecipients() throws(ConfigError) {
        identityRecipients = Self.unique(recipients + identityRecipients)
        testimonyRecipients = Self.unique(recipients + testimonyRecipients)
        let sections = [
            ("identity", identityRecipients, Setting.identityRecipients),
            ("testimony", testimonyRecipients, Setting.testimonyRecipients),
        ]
        for (section, keys, sectionSetting) in sections {
            guard !keys.isEmpty else {
                throw ConfigError(
                    "recipients: the \(section) section needs at least one recipient public key "
                        + "(--\(Setting.recipients.option) or --\(sectionSetting.option) amanat-pk-…)"
                )
            }
            guard keys.count <= 16 else { throw ConfigError("recipients: at most 16 keys for the \(section) section") }
        }
    }

    private static func unique(_ keys: [RecipientPublicKey]) -> [RecipientPublicKey] {
        var seen: Set<RecipientPublicKey> = []
        return keys.filter { seen.insert($0).inserted }
    }
}
