import Glibc
public import Logging
public import ServiceLifecycle
import UnixSignals

/// Reloads recipients, forms and access groups on SIGHUP. A new configuration that does not load whole
/// is refused and logged; the running one stays in force.
public struct ReloadService: Service {
    private let state: ServiceState
    private let load: @Sendable () throws -> (ServerConfiguration, FormCatalog)
    private let logger: Logger
    private let notifier = SystemdNotifier()

    /// A reloader that calls `load` for the new settings and puts them into `state`.
    public init(
        state: ServiceState, logger: Logger, load: @escaping @Sendable () throws -> (ServerConfiguration, FormCatalog)
    ) {
        self.state = state
        self.load = load
        self.logger = logger
    }

    public func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            reload()
        }
    }

    /// Loads and applies the configuration once, telling systemd (RELOADING=1, then READY=1 with a STATUS).
    public func reload() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1_000)")
        do {
            let (configuration, catalog) = try load()
            let needRestart = state.reload(configuration, catalog: catalog)
            logger.notice(
                "configuration reloaded",
                metadata: [
                    "forms.count": "\(catalog.forms.count)",
                    "recipients.identity": "\(configuration.identityRecipients.count)",
                    "recipients.testimony": "\(configuration.testimonyRecipients.count)",
                ]
            )
            if !needRestart.isEmpty {
                logger.warning("changed settings need a restart", metadata: ["settings": "\(needRestart.joined(separator: ","))"])
            }
            notifier.notify("READY=1\nSTATUS=configuration reloaded")
        } catch {
            logger.error("reload refused; the running configuration stays", metadata: ["error": "\(error)"])
            notifier.notify("READY=1\nSTATUS=reload refused; the previous configuration stays")
        }
    }
}
