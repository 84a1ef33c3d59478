public import AmanatCrypto
public import AmanatForms
public import AmanatIntake
public import Logging

/// Everything amanatd runs with, after the config file and the options are merged and checked.
///
/// Make one with `resolve(options:file:)`. Each field is set there from its declaration in `Setting.all`,
/// which holds its default; the blanks below are never used.
public struct ServerConfiguration: Sendable {
    /// Where to bind the socket, when systemd passes none.
    public var socketPath = ""
    /// The socket file's mode: the owner and the volunteers' group.
    public var socketMode: UInt32 = 0
    /// The SQLite database file.
    public var databasePath = ""
    /// The directory of form files.
    public var formsDirectory = ""
    /// Who can open both sections, as configured; already included in the two lists below.
    public var recipients: [RecipientPublicKey] = []
    /// Who can open the identity section.
    public var identityRecipients: [RecipientPublicKey] = []
    /// Who can open the testimony section.
    public var testimonyRecipients: [RecipientPublicKey] = []
    /// The key holders' keys whose signature on a rewrap file amanatd accepts.
    public var rewrapSigners: [SigningPublicKey] = []
    /// Who may connect, by group.
    public var access = AccessPolicy(submitterGroups: [], adminGroups: [])
    /// Whether amanatd may run as root.
    public var allowRoot = false
    /// How precisely the received date is stored.
    public var receivedPrecision = ReceivedPrecision.day
    /// The lowest level logged.
    public var logLevel = Logger.Level.info
    /// Request limits.
    public var limits = Limits()

    /// The blank configuration `resolve` fills in.
    init() {}

    /// The recipients of `section`.
    public func recipients(for section: Section) -> [RecipientPublicKey] {
        section == .identity ? identityRecipients : testimonyRecipients
    }
}

/// Request limits. Breaking one gets a 4xx answer and never stalls other clients. Like the other fields of
/// `ServerConfiguration`, each is set by `resolve` from its declaration, which holds its default and range.
public struct Limits: Sendable, Equatable {
    /// Total size of a request's head (request line and headers).
    public var maxHeaderBytes = 0
    /// Size of a request body; larger bodies get 413 before they are read.
    public var maxBodyBytes = 0
    /// Size of a request body to an admin endpoint (a rewrap file holds every record's envelopes).
    public var maxAdminBodyBytes = 0
    /// Nesting depth of a JSON body.
    public var maxJSONDepth = 0
    /// Open connections at once; a new one beyond takes the place of an idle one, or gets 503.
    public var maxConnections = 0
    /// Open connections of one peer uid.
    public var maxConnectionsPerPeer = 0
    /// Requests of one peer uid in progress at once.
    public var maxRequestsPerPeer = 0
    /// Seconds a connection may stay idle, or an answer stall, before it is closed.
    public var idleTimeoutSeconds = 0
    /// Seconds from a request's first byte to the end of its body.
    public var requestTimeoutSeconds = 0
    /// Seconds from the end of a request's body to the start of its answer.
    public var answerTimeoutSeconds = 0
    /// Seconds every connection has left once a graceful stop begins.
    public var stopTimeoutSeconds = 0
    /// Submissions one peer uid may make per minute; more get 429. A burst of the same size is allowed.
    public var submissionsPerMinute = 0
    /// Seconds after which amanatd signs a checkpoint over unsigned ledger entries (it also signs one every
    /// 100 entries).
    public var checkpointIntervalSeconds = 0
    /// The largest upload, in stored bytes; larger gets 413 before anything is created.
    public var maxFileBytes = 0
    /// Free space that must remain on the attachments' file system beyond a new upload; else 507.
    public var minFreeBytes = 0
    /// Uploads one peer uid may hold at once; more get 429.
    public var maxUploadsPerPeer = 0
    /// Seconds without a byte after which an upload not bound to a record is removed.
    public var uploadExpirySeconds = 0
    /// Bytes after which an append fsyncs its file and records its durable offset.
    public var uploadSyncBytes = 0
    /// Seconds an upload's body may go without a byte before its connection is closed.
    public var uploadStallTimeoutSeconds = 0

    /// The limits the intake core checks on uploads.
    public var uploads: UploadLimits {
        UploadLimits(
            maxFileBytes: maxFileBytes, minFreeBytes: minFreeBytes, maxUploadsPerPeer: maxUploadsPerPeer,
            expirySeconds: uploadExpirySeconds
        )
    }
    /// Attachments one record may have.
    public var maxAttachmentsPerRecord = 0
    /// Stored bytes of one record's attachments together.
    public var maxRecordBytes = 0
    /// Seconds after its last save after which a guided intake's draft is removed.
    public var draftExpirySeconds = 0

    /// The limits on guided intakes' drafts.
    public var drafts: DraftLimits { DraftLimits(expirySeconds: draftExpirySeconds) }

    /// All zero, until `resolve` sets them.
    init() {}
}
