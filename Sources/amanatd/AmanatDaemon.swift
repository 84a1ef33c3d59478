import AmanatCrypto
import AmanatFormat
import AmanatIntake
import AmanatServer
import AmanatStore
import ArgumentParser
import Glibc
import Logging
import ServiceLifecycle

@main
struct AmanatDaemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amanatd",
        abstract: "Amanat intake daemon: takes testimonies on a Unix socket and seals them before storage.",
        discussion: """
            Every setting can come from --config FILE or from an option; options win. See config/amanatd.toml.
            SIGHUP reloads recipients, forms, access groups and received_precision; SIGTERM stops after the
            requests in flight.
            Exit codes: 0 clean stop or valid configuration; 1 runtime failure; 78 configuration error.
            """,
        version: AmanatVersion.text
    )

    @Option(help: "Read settings from this TOML file.") var config: String?
    @Option(name: .customLong("check-config"), help: "Check this config file (with the other options), print the effective settings and exit.")
    var checkConfig: String?
    @Option(help: "Unix socket path to bind when systemd passes none (default \(ServerConfiguration.defaultSocketPath)).")
    var socket: String?
    @Option(name: .customLong("socket-mode"), help: "Octal mode of the socket file (default 0660).") var socketMode: String?
    @Option(help: "SQLite database file (default \(ServerConfiguration.defaultDatabasePath)).") var database: String?
    @Option(help: "Directory of form files (default \(ServerConfiguration.defaultFormsDirectory)).") var forms: String?
    @Option(name: .customLong("recipient"), help: "Recipient public key for both sealed sections (repeatable).")
    var recipients: [String] = []
    @Option(name: .customLong("identity-recipient"), help: "Recipient public key for the identity section only (repeatable).")
    var identityRecipients: [String] = []
    @Option(name: .customLong("testimony-recipient"), help: "Recipient public key for the testimony section only (repeatable).")
    var testimonyRecipients: [String] = []
    @Option(name: .customLong("submitter-group"), help: "A group whose members may read forms and submit (repeatable).")
    var submitterGroups: [String] = []
    @Option(name: .customLong("admin-group"), help: "A group whose members may also use admin endpoints (repeatable).")
    var adminGroups: [String] = []
    @Flag(name: .customLong("allow-root"), help: "Allow running as root.") var allowRoot = false
    @Option(name: .customLong("received-precision"), help: "month, day (default) or hour.") var receivedPrecision: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info (default), notice, warning or error.")
    var logLevel: String?
    @Option(name: .customLong("max-header-bytes")) var maxHeaderBytes: Int?
    @Option(name: .customLong("max-body-bytes")) var maxBodyBytes: Int?
    @Option(name: .customLong("max-json-depth")) var maxJSONDepth: Int?
    @Option(name: .customLong("max-admin-body-bytes")) var maxAdminBodyBytes: Int?
    @Option(name: .customLong("max-connections")) var maxConnections: Int?
    @Option(name: .customLong("idle-timeout-seconds")) var idleTimeoutSeconds: Int?
    @Option(name: .customLong("request-timeout-seconds")) var requestTimeoutSeconds: Int?
    @Option(name: .customLong("submissions-per-minute")) var submissionsPerMinute: Int?
    @Option(name: .customLong("checkpoint-interval-seconds")) var checkpointIntervalSeconds: Int?

    static let configErrorExit: Int32 = 78
    static let runtimeErrorExit: Int32 = 1

    func run() async throws {
        do {
            try ProcessHygiene.harden()
            ProcessHygiene.raiseFileLimit()
            try Sodium.initialise()
        } catch {
            Self.fail("\(error)", code: Self.runtimeErrorExit)
        }
        if let checkConfig {
            check(configPath: checkConfig)
        }
        let settings: Settings
        do {
            settings = try Self.load(configPath: config, options: optionSettings)
            try ProcessHygiene.checkUser(allowRoot: settings.configuration.allowRoot)
            try ProcessHygiene.checkPrivate(databasePath: settings.configuration.databasePath)
        } catch {
            Self.fail("\(error)", code: Self.configErrorExit)
        }
        let configuration = settings.configuration
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: settings.logLevel) }
        let logger = Logger(label: "amanatd")
        let store: RecordStore
        let signingKey: SigningKey
        do {
            signingKey = try ReceiptKeyFile.loadOrCreate(path: ReceiptKeyFile.path(forDatabase: configuration.databasePath))
        } catch {
            Self.fail(error.description, code: Self.configErrorExit)
        }
        do {
            store = try RecordStore(path: configuration.databasePath, notary: signingKey, logger: logger)
        } catch {
            Self.fail(error.description, code: Self.configErrorExit)
        }
        logger.info(
            "starting",
            metadata: [
                "version": "\(AmanatVersion.text)", "forms.count": "\(settings.catalog.forms.count)",
                "recipients.identity": "\(configuration.identityRecipients.count)",
                "recipients.testimony": "\(configuration.testimonyRecipients.count)",
                "database.path": "\(configuration.databasePath)",
                "signing_key.fingerprint": "\(signingKey.publicKey.fingerprint)",
            ]
        )
        let state = ServiceState(configuration: configuration, catalog: settings.catalog)
        // The intake core, with its ports: the SQLite archive writer, the receipt key as notary, and the group
        // policy of the config as authenticator.
        let core = IntakeCore(archive: store, notary: signingKey, logger: logger) { state.snapshot.intake }
        let configPath = config
        let options = optionSettings
        let reloader = ReloadService(state: state, logger: logger) {
            let reloaded = try Self.load(configPath: configPath, options: options)
            return (reloaded.configuration, reloaded.catalog)
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: HTTPServer(
                        core: core, authenticator: GroupAuthenticator(state: state), configuration: configuration,
                        logger: logger
                    )),
                    .init(service: WatchdogService()),
                    .init(service: CheckpointService(
                        store: store, interval: .seconds(configuration.limits.checkpointIntervalSeconds), logger: logger
                    )),
                    .init(service: reloader),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        do {
            try await group.run()
        } catch {
            logger.error("stopped on error", metadata: ["error": "\(error)"])
            await store.close()
            throw ExitCode(Self.runtimeErrorExit)
        }
    }

    /// Everything a start or a reload needs, checked.
    struct Settings {
        var configuration: ServerConfiguration
        var catalog: FormCatalog
        var logLevel: Logger.Level
    }

    static func load(configPath: String?, options: ConfigFile) throws(ConfigError) -> Settings {
        let file = try configPath.map { path throws(ConfigError) in try ConfigFile.load(path: path) } ?? ConfigFile()
        let configuration = try ServerConfiguration.resolve(options: options, file: file)
        let levelText = options.logLevel ?? file.logLevel ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else {
            throw ConfigError("log_level: must be trace, debug, info, notice, warning, error or critical")
        }
        let catalog: FormCatalog
        do {
            catalog = try FormCatalog(directory: configuration.formsDirectory)
        } catch {
            throw ConfigError(error.description)
        }
        return Settings(configuration: configuration, catalog: catalog, logLevel: level)
    }

    /// `--check-config`: the effective settings on stdout, exit 0; or one error line, exit 78.
    private func check(configPath: String) -> Never {
        do {
            let settings = try Self.load(configPath: configPath, options: optionSettings)
            try ProcessHygiene.checkPrivate(databasePath: settings.configuration.databasePath)
            print(settings.effectiveSettings)
            Glibc.exit(0)
        } catch {
            Self.fail(error.description, code: Self.configErrorExit)
        }
    }

    private var optionSettings: ConfigFile {
        var settings = ConfigFile()
        settings.socket = socket
        settings.socketMode = socketMode
        settings.database = database
        settings.forms = forms
        settings.recipients = recipients.isEmpty ? nil : recipients
        settings.identityRecipients = identityRecipients.isEmpty ? nil : identityRecipients
        settings.testimonyRecipients = testimonyRecipients.isEmpty ? nil : testimonyRecipients
        settings.submitterGroups = submitterGroups.isEmpty ? nil : submitterGroups
        settings.adminGroups = adminGroups.isEmpty ? nil : adminGroups
        settings.allowRoot = allowRoot ? true : nil
        settings.receivedPrecision = receivedPrecision
        settings.logLevel = logLevel
        settings.maxHeaderBytes = maxHeaderBytes
        settings.maxBodyBytes = maxBodyBytes
        settings.maxJSONDepth = maxJSONDepth
        settings.maxAdminBodyBytes = maxAdminBodyBytes
        settings.maxConnections = maxConnections
        settings.idleTimeoutSeconds = idleTimeoutSeconds
        settings.requestTimeoutSeconds = requestTimeoutSeconds
        settings.submissionsPerMinute = submissionsPerMinute
        settings.checkpointIntervalSeconds = checkpointIntervalSeconds
        return settings
    }

    private static func fail(_ message: String, code: Int32) -> Never {
        let bytes = Array("amanatd: error: \(message)\n".utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress!, $0.count) }
        Glibc.exit(code)
    }
}

extension AmanatDaemon.Settings {
    /// The settings as TOML, the form `--check-config` prints.
    var effectiveSettings: String {
        let c = configuration
        func list(_ items: [String]) -> String { "[" + items.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        return """
            socket = "\(c.socketPath)"
            socket_mode = "0\(String(c.socketMode, radix: 8))"
            database = "\(c.databasePath)"
            forms = "\(c.formsDirectory)"  # \(catalog.forms.map { "\($0.id) v\($0.version)" }.joined(separator: ", "))
            identity_recipients = \(list(c.identityRecipients.map(\.text)))  # effective, recipients included
            testimony_recipients = \(list(c.testimonyRecipients.map(\.text)))  # effective, recipients included
            submitter_groups = \(list(c.access.submitterGroups.map(\.name)))  # gids \(c.access.submitterGroups.map { String($0.gid) }.joined(separator: ", "))
            admin_groups = \(list(c.access.adminGroups.map(\.name)))  # gids \(c.access.adminGroups.map { String($0.gid) }.joined(separator: ", "))
            allow_root = \(c.allowRoot)
            received_precision = "\(c.receivedPrecision.rawValue)"
            log_level = "\(logLevel)"

            [limits]
            max_header_bytes = \(c.limits.maxHeaderBytes)
            max_body_bytes = \(c.limits.maxBodyBytes)
            max_admin_body_bytes = \(c.limits.maxAdminBodyBytes)
            max_json_depth = \(c.limits.maxJSONDepth)
            max_connections = \(c.limits.maxConnections)
            idle_timeout_seconds = \(c.limits.idleTimeoutSeconds)
            request_timeout_seconds = \(c.limits.requestTimeoutSeconds)
            submissions_per_minute = \(c.limits.submissionsPerMinute)
            checkpoint_interval_seconds = \(c.limits.checkpointIntervalSeconds)
            """
    }
}
