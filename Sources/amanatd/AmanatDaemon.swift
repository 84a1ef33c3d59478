import AmanatCrypto
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
            Exit codes: 0 clean stop, 1 runtime failure, 78 configuration error.
            """,
        version: IntakeService.version
    )

    @Option(help: "Read settings from this TOML file.") var config: String?
    @Option(help: "Unix socket path to bind (default \(ServerConfiguration.defaultSocketPath)).") var socket: String?
    @Option(name: .customLong("socket-mode"), help: "Octal mode of the socket file (default 0660).") var socketMode: String?
    @Option(help: "SQLite database file (default \(ServerConfiguration.defaultDatabasePath)).") var database: String?
    @Option(help: "Directory of form files (default \(ServerConfiguration.defaultFormsDirectory)).") var forms: String?
    @Option(name: .customLong("recipient"), help: "Recipient public key for both sealed sections (repeatable).")
    var recipients: [String] = []
    @Option(name: .customLong("received-precision"), help: "month, day (default) or hour.") var receivedPrecision: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info (default), notice, warning or error.")
    var logLevel: String?
    @Option(name: .customLong("max-header-bytes")) var maxHeaderBytes: Int?
    @Option(name: .customLong("max-body-bytes")) var maxBodyBytes: Int?
    @Option(name: .customLong("max-json-depth")) var maxJSONDepth: Int?
    @Option(name: .customLong("max-connections")) var maxConnections: Int?
    @Option(name: .customLong("idle-timeout-seconds")) var idleTimeoutSeconds: Int?
    @Option(name: .customLong("request-timeout-seconds")) var requestTimeoutSeconds: Int?

    static let configErrorExit: Int32 = 78
    static let runtimeErrorExit: Int32 = 1

    func run() async throws {
        umask(0o077)
        do {
            try Sodium.initialise()
        } catch {
            Self.fail("\(error)", code: Self.runtimeErrorExit)
        }
        let file: ConfigFile
        let configuration: ServerConfiguration
        do {
            file = try config.map { path throws(ConfigError) in try ConfigFile.load(path: path) } ?? ConfigFile()
            configuration = try ServerConfiguration.resolve(options: optionSettings, file: file)
        } catch {
            Self.fail(error.description, code: Self.configErrorExit)
        }
        let levelText = logLevel ?? file.logLevel ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else {
            Self.fail("log_level: must be trace, debug, info, notice, warning, error or critical", code: Self.configErrorExit)
        }
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level) }
        let logger = Logger(label: "amanatd")

        let catalog: FormCatalog
        do {
            catalog = try FormCatalog(directory: configuration.formsDirectory)
        } catch {
            Self.fail(error.description, code: Self.configErrorExit)
        }
        let store: RecordStore
        do {
            store = try RecordStore(path: configuration.databasePath, logger: logger)
        } catch {
            Self.fail(error.description, code: Self.configErrorExit)
        }
        logger.info(
            "starting",
            metadata: [
                "version": "\(IntakeService.version)", "forms.count": "\(catalog.forms.count)",
                "recipients.count": "\(configuration.identityRecipients.count)",
                "database.path": "\(configuration.databasePath)",
            ]
        )
        let service = IntakeService(configuration: configuration, catalog: catalog, store: store, logger: logger)
        let server = HTTPServer(service: service, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        do {
            try await group.run()
        } catch {
            logger.error("stopped on error", metadata: ["error": "\(error)"])
            await store.close()
            throw ExitCode(Self.runtimeErrorExit)
        }
    }

    private var optionSettings: ConfigFile {
        var settings = ConfigFile()
        settings.socket = socket
        settings.socketMode = socketMode
        settings.database = database
        settings.forms = forms
        settings.recipients = recipients.isEmpty ? nil : recipients
        settings.receivedPrecision = receivedPrecision
        settings.logLevel = logLevel
        settings.maxHeaderBytes = maxHeaderBytes
        settings.maxBodyBytes = maxBodyBytes
        settings.maxJSONDepth = maxJSONDepth
        settings.maxConnections = maxConnections
        settings.idleTimeoutSeconds = idleTimeoutSeconds
        settings.requestTimeoutSeconds = requestTimeoutSeconds
        return settings
    }

    private static func fail(_ message: String, code: Int32) -> Never {
        let bytes = Array("amanatd: error: \(message)\n".utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress!, $0.count) }
        Glibc.exit(code)
    }
}
