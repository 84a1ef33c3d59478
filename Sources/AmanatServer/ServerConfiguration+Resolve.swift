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
        let recipientTexts = options.recipients ?? file.recipients ?? []
        guard !recipientTexts.isEmpty else {
            throw ConfigError("recipients: at least one recipient public key is required (--recipient amanat-pk-…)")
        }
        var recipients: [RecipientPublicKey] = []
        for (index, text) in recipientTexts.enumerated() {
            do {
                let key = try RecipientPublicKey(text: text.trimmingCharacters(in: " \t\r\n"))
                if !recipients.contains(key) { recipients.append(key) }
            } catch {
                throw ConfigError("recipient \(index + 1): \(error.description)")
            }
        }
        guard recipients.count <= 16 else { throw ConfigError("recipients: at most 16 keys per section") }
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
        try pick("max_json_depth", options.maxJSONDepth, file.maxJSONDepth, &limits.maxJSONDepth, 4...256)
        try pick("max_connections", options.maxConnections, file.maxConnections, &limits.maxConnections, 1...65_536)
        try pick("idle_timeout_seconds", options.idleTimeoutSeconds, file.idleTimeoutSeconds,
                 &limits.idleTimeoutSeconds, 1...86_400)
        try pick("request_timeout_seconds", options.requestTimeoutSeconds, file.requestTimeoutSeconds,
                 &limits.requestTimeoutSeconds, 1...3_600)
        try pick("submissions_per_minute", options.submissionsPerMinute, file.submissionsPerMinute,
                 &limits.submissionsPerMinute, 1...1_000_000)
        let access = AccessPolicy(
            submitterGroups: try AccessPolicy.resolve(options.submitterGroups ?? file.submitterGroups ?? [],
                                                      key: "submitter_groups"),
            adminGroups: try AccessPolicy.resolve(options.adminGroups ?? file.adminGroups ?? [], key: "admin_groups")
        )
        return ServerConfiguration(
            socketPath: socketPath, socketMode: mode,
            databasePath: options.database ?? file.database ?? defaultDatabasePath,
            formsDirectory: options.forms ?? file.forms ?? defaultFormsDirectory,
            identityRecipients: recipients, testimonyRecipients: recipients,
            access: access, allowRoot: options.allowRoot ?? file.allowRoot ?? false,
            receivedPrecision: precision, limits: limits
        )
    }
}
