import AmanatSigning
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

            SIGHUP reloads recipients, forms, access groups and received_precision; SIGTERM stops after the \
            requests in flight.

            Exit codes: 0 clean stop or valid configuration; 1 runtime failure; 78 configuration error.
            """,
        version: AmanatVersion.text
    )

    @Option(help: "Read settings from this TOML file.") var config: String?
    @Option(
        name: .customLong("check-config"),
        help: "Check this config file with the other options, print the effective settings and exit."
    )
    var checkConfig: String?
    @OptionGroup var settingOptions: SettingOptions

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
            settings = try Self.load(configPath: config, options: settingOptions.values)
            try ProcessHygiene.checkUser(allowRoot: settings.configuration.allowRoot)
            try ProcessHygiene.checkPrivate(databasePath: settings.configuration.databasePath)
        } catch {
            Self.fail("\(error)", code: Self.configErrorExit)
        }
        let configuration = settings.configuration
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: configuration.logLevel) }
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
        do {
            // Before any request: the checkpoint of the last stop must not mark which records come after this start.
            try store.removeStopCheckpoint(currentPeriod: configuration.receivedPrecision.stampNow())
        } catch {
            // Nothing is lost: the checkpoint stays valid, and only says more than it should.
            logger.warning("removing the stop checkpoint failed", metadata: ["error": "\(error)"])
        }
        let uploads: UploadFileStore
        do {
            uploads = try UploadFileStore(
                store: store, syncBytes: configuration.limits.uploadSyncBytes,
                expirySeconds: configuration.limits.uploadExpirySeconds, logger: logger
            )
            // Before any request: files cut back to their durable offsets, orphans and expired uploads removed.
            let recovery = try await uploads.recover()
            // Debug only: counts at start tell when uploads were interrupted.
            logger.debug(
                "uploads recovered",
                metadata: [
                    "uploads.truncated": "\(recovery.truncated)", "uploads.orphans": "\(recovery.orphans)",
                    "uploads.removed": "\(recovery.removed)",
                ]
            )
        } catch {
            await store.close()
            Self.fail(error.description, code: Self.runtimeErrorExit)
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
        let files = ProcessHygiene.fileLimit
        if files < configuration.limits.maxConnections + ProcessHygiene.descriptorsBesidesConnections {
            // Beyond the limit accept() fails: new clients then wait in the backlog instead of being answered.
            logger.warning(
                "the open-file limit is too low for max_connections; raise LimitNOFILE or lower max_connections",
                metadata: [
                    "rlimit.nofile": "\(files)", "limits.max_connections": "\(configuration.limits.maxConnections)",
                ]
            )
        }
        let drafts: DraftFileStore
        do {
            // Before any request: what a crash mid-save left and what expired meanwhile are removed.
            drafts = try DraftFileStore(databasePath: configuration.databasePath, limits: configuration.limits.drafts)
        } catch {
            await store.close()
            Self.fail(error.description, code: Self.runtimeErrorExit)
        }
        let state = ServiceState(configuration: configuration, catalog: settings.catalog)
        // The intake core, with its ports: the SQLite archive writer, the receipt key as notary, and the group
        // policy of the config as authenticator.
        var intake = IntakeCore(
            archive: store, notary: signingKey, logger: logger, uploads: uploads,
            uploadLimits: configuration.limits.uploads
        ) { state.snapshot.intake }
        intake.drafts = drafts
        let core = intake
        let configPath = config
        let options = settingOptions.values
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
                        store: store, core: core, interval: .seconds(configuration.limits.checkpointIntervalSeconds),
                        logger: logger
                    )),
                    .init(service: ExpirySweepService(
                        interval: ExpirySweepService.interval(expirySeconds: configuration.limits.uploadExpirySeconds)
                    ) { await core.sweepUploads() }),
                    .init(service: ExpirySweepService(
                        interval: ExpirySweepService.interval(expirySeconds: configuration.limits.draftExpirySeconds)
                    ) { await core.sweepDrafts() }),
                    .init(service: reloader),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        do {
            // Services stop in reverse order: the HTTP server last, after its requests and their commits.
            try await group.run()
            await store.close()
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
    }

    static func load(configPath: String?, options: SettingValues) throws(ConfigError) -> Settings {
        let file = try configPath.map { path throws(ConfigError) in try SettingValues.load(path: path) } ?? SettingValues()
        let configuration = try ServerConfiguration.resolve(options: options, file: file)
        let catalog: FormCatalog
        do {
            catalog = try FormCatalog(directory: configuration.formsDirectory)
        } catch {
            throw ConfigError(error.description)
        }
        return Settings(configuration: configuration, catalog: catalog)
    }

    /// `--check-config`: the effective settings on stdout, exit 0; or one error line, exit 78.
    private func check(configPath: String) -> Never {
        do {
            let settings = try Self.load(configPath: configPath, options: settingOptions.values)
            try ProcessHygiene.checkPrivate(databasePath: settings.configuration.databasePath)
            print(settings.configuration.effectiveSettings(catalog: settings.catalog))
            Glibc.exit(0)
        } catch {
            Self.fail(error.description, code: Self.configErrorExit)
        }
    }

    private static func fail(_ message: String, code: Int32) -> Never {
        let bytes = Array("amanatd: error: \(message)\n".utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress!, $0.count) }
        Glibc.exit(code)
    }
}
