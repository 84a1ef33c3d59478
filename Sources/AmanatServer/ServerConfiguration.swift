public import AmanatCrypto
public import AmanatForms
public import AmanatIntake

/// Everything amanatd runs with, after the config file and the options are merged and checked.
public struct ServerConfiguration: Sendable {
    /// Where to bind the socket, when systemd passes none.
    public var socketPath: String
    /// The socket file's mode, 0660 by default: the owner and the volunteers' group.
    public var socketMode: UInt32
    /// The SQLite database file.
    public var databasePath: String
    /// The directory of form files.
    public var formsDirectory: String
    /// Who can open the identity section.
    public var identityRecipients: [RecipientPublicKey]
    /// Who can open the testimony section.
    public var testimonyRecipients: [RecipientPublicKey]
    /// Who may connect, by group.
    public var access: AccessPolicy
    /// Whether amanatd may run as root.
    public var allowRoot: Bool
    /// How precisely the received date is stored.
    public var receivedPrecision: ReceivedPrecision
    /// Request limits.
    public var limits: Limits

    /// A configuration.
    public init(
        socketPath: String, socketMode: UInt32, databasePath: String, formsDirectory: String,
        identityRecipients: [RecipientPublicKey], testimonyRecipients: [RecipientPublicKey],
        access: AccessPolicy, allowRoot: Bool, receivedPrecision: ReceivedPrecision, limits: Limits
    ) {
        self.access = access
        self.allowRoot = allowRoot
        self.socketPath = socketPath
        self.socketMode = socketMode
        self.databasePath = databasePath
        self.formsDirectory = formsDirectory
        self.identityRecipients = identityRecipients
        self.testimonyRecipients = testimonyRecipients
        self.receivedPrecision = receivedPrecision
        self.limits = limits
    }

    /// The recipients of `section`.
    public func recipients(for section: Section) -> [RecipientPublicKey] {
        section == .identity ? identityRecipients : testimonyRecipients
    }
}

/// Request limits. Breaking one gets a 4xx answer and never stalls other clients.
public struct Limits: Sendable, Equatable {
    /// Total size of a request's head (request line and headers).
    public var maxHeaderBytes = 16_384
    /// Size of a request body; larger bodies get 413 before they are read.
    public var maxBodyBytes = 1_048_576
    /// Size of a request body to an admin endpoint (a rewrap file holds every record's envelopes).
    public var maxAdminBodyBytes = 268_435_456
    /// Nesting depth of a JSON body.
    public var maxJSONDepth = 16
    /// Open connections at once; more get 503 and are closed.
    public var maxConnections = 128
    /// Seconds a connection may stay silent before it is closed.
    public var idleTimeoutSeconds = 60
    /// Seconds from a request's first byte to the end of its body.
    public var requestTimeoutSeconds = 30
    /// Submissions one peer uid may make per minute; more get 429. A burst of the same size is allowed.
    public var submissionsPerMinute = 60
    /// Seconds after which amanatd signs a checkpoint over unsigned ledger entries (it also signs one every
    /// 100 entries).
    public var checkpointIntervalSeconds = 60

    /// The defaults.
    public init() {}
}
