import AmanatIntake
import AmanatCrypto

extension ServerConfiguration {
    /// Defaults for a Debian server install.
    public static let defaultSocketPath = "/run/amanat/amanatd.sock"
    public static let defaultDatabasePath = "/var/lib/amanat/amanat.sqlite"
    public static let defaultFormsDirectory = "/etc/amanat/forms"

    /// Merges options (which win) over a config file over defaults, and checks every value.
    public static func resolve(options: ConfigFile, file: ConfigFile) throws(ConfigError) -> ServerConfiguration {
        let socketPath = options.socket ?? file.socket ?? defaultSocketPath
        guard !socketPath.isEmpty, socketPath.utf8.count < 108 else {
            throw ConfigError("socket: the path must be 1...107 bytes long")
        }
        let modeText = options.socketMode ?? file.socketMode ?? "0660"
        guard let mode = UInt32(modeText, radix: 8), mode <= 0o777, modeText.count <= 4 else {
            throw ConfigError("socket_mode: must be an octal mode such as 0660")
        }
        guard mode & 0o007 == 0 else {
            throw ConfigError("socket_mode: others must have no access to the socket (use 0660 or 0600)")
        }
        let both = try parseKeys(options.recipients ?? file.recipients ?? [], key: "recipients")
        let identityOnly = try parseKeys(
            options.identityRecipients ?? file.identityRecipients ?? [], key: "identity_recipients"
        )
        let testimonyOnly = try parseKeys(
            options.testimonyRecipients ?? file.testimonyRecipients ?? [], key: "testimony_recipients"
        )
        let identityRecipients = unique(both + identityOnly)
        let testimonyRecipients = unique(both + testimonyOnly)
        for (section, keys) in [("identity", identityRecipients), ("testimony", testimonyRecipients)] {
            guard !keys.isEmpty else {
                throw ConfigError(
                    "recipients: the \(section) section needs at least one recipient public key "
                        + "(--recipient or --\(section)-recipient amanat-pk-…)"
                )
            }
            guard keys.count <= 16 else { throw ConfigError("recipients: at most 16 keys for the \(section) section") }
        }
        let precisionText = options.receivedPrecision ?? file.receivedPrecision ?? ReceivedPrecision.day.rawValue
        guard let precision = ReceivedPrecision(rawValue: precisionText) else {
            throw ConfigError("received_precision: must be month, day or hour")
        }
        var limits = Limits()
        func pick(_ name: String, _ option: Int?, _ fromFile: Int?, _ value: inout Int, _ range: ClosedRange<Int>)
            throws(ConfigError)
        {
            guard let chosen = option ?? fromFile else { return }
            guard range.contains(chosen) else {
                throw ConfigError("limits.\(name): must be between \(range.lowerBound) and \(range.upperBound)")
            }
            value = chosen
        }
        try pick("max_header_bytes", options.maxHeaderBytes, file.maxHeaderBytes, &limits.maxHeaderBytes, 1024...65_536)
        try pick("max_body_bytes", options.maxBodyBytes, file.maxBodyBytes, &limits.maxBodyBytes, 1024...8_388_608)
        try pick("max_admin_body_bytes", options.maxAdminBodyBytes, file.maxAdminBodyBytes,
                 &limits.maxAdminBodyBytes, 1024...1_073_741_824)
        try pick("max_json_depth", options.maxJSONDepth, file.maxJSONDepth, &limits.maxJSONDepth, 4...256)
        try pick("max_connections", options.maxConnections, file.maxConnections, &limits.maxConnections, 1...65_536)
        try pick("idle_timeout_seconds", options.idleTimeoutSeconds, file.idleTimeoutSeconds,
                 &limits.idleTimeoutSeconds, 1...86_400)
        try pick("request_timeout_seconds", options.requestTimeoutSeconds, file.requestTimeoutSeconds,
                 &limits.requestTimeoutSeconds, 1...3_600)
        try pick("submissions_per_minute", options.submissionsPerMinute, file.submissionsPerMinute,
                 &limits.submissionsPerMinute, 1...1_000_000)
        try pick("checkpoint_interval_seconds", options.checkpointIntervalSeconds, file.checkpointIntervalSeconds,
                 &limits.checkpointIntervalSeconds, 1...60)
        let access = AccessPolicy(
            submitterGroups: try AccessPolicy.resolve(options.submitterGroups ?? file.submitterGroups ?? [],
                                                      key: "submitter_groups"),
            adminGroups: try AccessPolicy.resolve(options.adminGroups ?? file.adminGroups ?? [], key: "admin_groups")
        )
        return ServerConfiguration(
            socketPath: socketPath, socketMode: mode,
            databasePath: options.database ?? file.database ?? defaultDatabasePath,
            formsDirectory: options.forms ?? file.forms ?? defaultFormsDirectory,
            identityRecipients: identityRecipients, testimonyRecipients: testimonyRecipients,
            access: access, allowRoot: options.allowRoot ?? file.allowRoot ?? false,
            receivedPrecision: precision, limits: limits
        )
    }

    private static func parseKeys(_ texts: [String], key: String) throws(ConfigError) -> [RecipientPublicKey] {
        var keys: [RecipientPublicKey] = []
        for (index, text) in texts.enumerated() {
            do {
                keys.append(try RecipientPublicKey(text: text.trimmingCharacters(in: " \t\r\n")))
            } catch {
                let name = key == "recipients" ? "recipient" : String(key.dropLast())
                throw ConfigError("\(name) \(index + 1): \(error.description)")
            }
        }
        return keys
    }

    private static func unique(_ keys: [RecipientPublicKey]) -> [RecipientPublicKey] {
        var seen: Set<RecipientPublicKey> = []
        return keys.filter { seen.insert($0).inserted }
    }
}
