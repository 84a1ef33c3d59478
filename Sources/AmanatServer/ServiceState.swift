public import AmanatIntake
import Synchronization

/// The settings SIGHUP can change while amanatd runs: recipients, forms, access groups and the received
/// date's precision. Swapped whole, so every request sees one consistent set.
public final class ServiceState: Sendable {
    /// One consistent set of settings.
    public struct Snapshot: Sendable {
        /// The configuration in force.
        public let configuration: ServerConfiguration
        /// The forms in force.
        public let catalog: FormCatalog
        /// What the intake core reads of them, made once per load so that no request rebuilds it.
        public let intake: IntakeSettings

        init(configuration: ServerConfiguration, catalog: FormCatalog) {
            self.configuration = configuration
            self.catalog = catalog
            self.intake = IntakeSettings(
                forms: catalog.forms, identityRecipients: configuration.identityRecipients,
                testimonyRecipients: configuration.testimonyRecipients,
                receivedPrecision: configuration.receivedPrecision, maxJSONDepth: configuration.limits.maxJSONDepth,
                rewrapSigners: configuration.rewrapSigners,
                evidenceLimits: EvidenceLimits(
                    maxAttachments: configuration.limits.maxAttachmentsPerRecord,
                    maxBytes: UInt64(configuration.limits.maxRecordBytes)
                )
            )
        }
    }

    private let current: Mutex<Snapshot>

    public init(configuration: ServerConfiguration, catalog: FormCatalog) {
        current = Mutex(Snapshot(configuration: configuration, catalog: catalog))
    }

    /// The settings in force now.
    public var snapshot: Snapshot { current.withLock { $0 } }

    /// Puts `configuration`'s reloadable settings and `catalog` in force. Returns the names of settings that
    /// changed but only take effect after a restart (the socket, the database, the limits).
    @discardableResult
    public func reload(_ configuration: ServerConfiguration, catalog: FormCatalog) -> [String] {
        current.withLock { snapshot in
            var next = snapshot.configuration
            var needRestart: [String] = []
            if next.socketPath != configuration.socketPath || next.socketMode != configuration.socketMode {
                needRestart.append("socket")
            }
            if next.databasePath != configuration.databasePath { needRestart.append("database") }
            if next.limits != configuration.limits { needRestart.append("limits") }
            if next.allowRoot != configuration.allowRoot { needRestart.append("allow_root") }
            next.identityRecipients = configuration.identityRecipients
            next.testimonyRecipients = configuration.testimonyRecipients
            next.access = configuration.access
            next.receivedPrecision = configuration.receivedPrecision
            next.formsDirectory = configuration.formsDirectory
            snapshot = Snapshot(configuration: next, catalog: catalog)
            return needRestart
        }
    }
}
