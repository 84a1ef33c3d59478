import AmanatIntake
import Logging

/// Every amanatd setting, each declared once. `config/amanatd.toml` documents them at length.
extension Setting {
    /// All settings, in the order `--check-config` prints them.
    public static let all: [Setting] = [
        socket, socketMode, database, forms, recipients, identityRecipients, testimonyRecipients, rewrapSigners, submitterGroups,
        adminGroups, allowRoot, receivedPrecision, logLevel, maxHeaderBytes, maxBodyBytes, maxAdminBodyBytes,
        maxJSONDepth, maxConnections, maxConnectionsPerPeer, maxRequestsPerPeer, idleTimeoutSeconds,
        requestTimeoutSeconds, answerTimeoutSeconds, stopTimeoutSeconds, submissionsPerMinute,
        checkpointIntervalSeconds, maxFileBytes, minFreeBytes, maxUploadsPerPeer, uploadExpirySeconds, uploadSyncBytes,
        uploadStallTimeoutSeconds, maxAttachmentsPerRecord, maxRecordBytes, draftExpirySeconds,
    ]

    public static let socket = Setting(
        "socket", option: "socket", help: "Unix socket path to bind when systemd passes none.",
        default: .text("/run/amanat/amanatd.sock"), field: \.socketPath, rule: .socketPath
    )
    public static let socketMode = Setting(
        "socket_mode", option: "socket-mode", help: "Octal mode of the socket file, which must give others no access.",
        default: .text("0660"), field: \.socketMode, rule: .socketMode
    )
    public static let database = Setting(
        "database", option: "database", help: "SQLite database file.",
        default: .text("/var/lib/amanat/amanat.sqlite"), field: \.databasePath, rule: .text
    )
    public static let forms = Setting(
        "forms", option: "forms", help: "Directory of form files.",
        default: .text("/etc/amanat/forms"), field: \.formsDirectory, rule: .text,
        comment: { _, catalog in catalog.forms.map { "\($0.id) v\($0.version)" }.joined(separator: ", ") }
    )
    /// Printed within the two section lists, which include these keys once resolved.
    public static let recipients = Setting(
        "recipients", option: "recipient", help: "Recipient public key for both sealed sections.",
        default: .list([]), field: \.recipients, rule: .recipientKeys, printed: false
    )
    public static let identityRecipients = Setting(
        "identity_recipients", option: "identity-recipient", help: "Recipient public key for the identity section only.",
        default: .list([]), field: \.identityRecipients, rule: .recipientKeys,
        comment: { _, _ in "effective, recipients included" }
    )
    public static let testimonyRecipients = Setting(
        "testimony_recipients", option: "testimony-recipient",
        help: "Recipient public key for the testimony section only.",
        default: .list([]), field: \.testimonyRecipients, rule: .recipientKeys,
        comment: { _, _ in "effective, recipients included" }
    )
    public static let rewrapSigners = Setting(
        "rewrap_signers", option: "rewrap-signer",
        help: "A key holder's rewrap-signing key, amanat-sig-… (`amanat-keyholder signer`); rewrap files must be signed by one.",
        default: .list([]), field: \.rewrapSigners, rule: .signingKeys
    )
    public static let submitterGroups = Setting(
        "submitter_groups", option: "submitter-group", help: "A group whose members may read forms and submit.",
        default: .list([]), field: \.access.submitterGroups, rule: .groups, comment: gids
    )
    public static let adminGroups = Setting(
        "admin_groups", option: "admin-group", help: "A group whose members may also use admin endpoints.",
        default: .list([]), field: \.access.adminGroups, rule: .groups, comment: gids
    )
    public static let allowRoot = Setting(
        "allow_root", option: "allow-root", help: "Allow running as root.",
        default: .flag(false), field: \.allowRoot, rule: .flag
    )
    public static let receivedPrecision = Setting(
        "received_precision", option: "received-precision",
        help: "How precisely the received date is stored: month, day or hour.",
        default: .text(ReceivedPrecision.day.rawValue), field: \.receivedPrecision, rule: .choice
    )
    public static let logLevel = Setting(
        "log_level", option: "log-level",
        help: "The lowest level logged: trace, debug, info, notice, warning, error or critical.",
        default: .text(Logger.Level.info.rawValue), field: \.logLevel, rule: .choice
    )
    public static let maxHeaderBytes = Setting(
        "limits.max_header_bytes", option: "max-header-bytes",
        help: "The largest request head (request line and headers) in bytes; larger gets 431.",
        default: .integer(16_384), field: \.limits.maxHeaderBytes, rule: .integer(in: 1024...65_536)
    )
    public static let maxBodyBytes = Setting(
        "limits.max_body_bytes", option: "max-body-bytes",
        help: "The largest request body in bytes; larger gets 413 before it is read.",
        default: .integer(1_048_576), field: \.limits.maxBodyBytes, rule: .integer(in: 1024...8_388_608)
    )
    public static let maxAdminBodyBytes = Setting(
        "limits.max_admin_body_bytes", option: "max-admin-body-bytes",
        help: "The largest request body to an admin endpoint in bytes, such as a rewrap file.",
        default: .integer(268_435_456), field: \.limits.maxAdminBodyBytes, rule: .integer(in: 1024...1_073_741_824)
    )
    public static let maxJSONDepth = Setting(
        "limits.max_json_depth", option: "max-json-depth",
        help: "The deepest nesting of JSON arrays and objects; deeper gets 400.",
        default: .integer(16), field: \.limits.maxJSONDepth, rule: .integer(in: 4...256)
    )
    public static let maxConnections = Setting(
        "limits.max_connections", option: "max-connections",
        help: "Open connections at once; a new one beyond takes the place of an idle one, or gets 503.",
        default: .integer(4096), field: \.limits.maxConnections, rule: .integer(in: 1...65_536)
    )
    public static let maxConnectionsPerPeer = Setting(
        "limits.max_connections_per_peer", option: "max-connections-per-peer",
        help: "Open connections of one peer uid; a new one beyond takes the place of its oldest idle one, or gets 503.",
        default: .integer(1024), field: \.limits.maxConnectionsPerPeer, rule: .integer(in: 1...65_536)
    )
    public static let maxRequestsPerPeer = Setting(
        "limits.max_requests_per_peer", option: "max-requests-per-peer",
        help: "Requests of one peer uid in progress at once, each holding its body; more get 503.",
        default: .integer(128), field: \.limits.maxRequestsPerPeer, rule: .integer(in: 1...65_536)
    )
    public static let idleTimeoutSeconds = Setting(
        "limits.idle_timeout_seconds", option: "idle-timeout-seconds",
        help: "Seconds a connection may stay silent before it is closed.",
        default: .integer(60), field: \.limits.idleTimeoutSeconds, rule: .integer(in: 1...86_400)
    )
    public static let requestTimeoutSeconds = Setting(
        "limits.request_timeout_seconds", option: "request-timeout-seconds",
        help: "Seconds from a request's first byte to the end of its body.",
        default: .integer(30), field: \.limits.requestTimeoutSeconds, rule: .integer(in: 1...3_600)
    )
    public static let answerTimeoutSeconds = Setting(
        "limits.answer_timeout_seconds", option: "answer-timeout-seconds",
        help: "Seconds from the end of a request's body to the start of its answer.",
        default: .integer(60), field: \.limits.answerTimeoutSeconds, rule: .integer(in: 1...3_600)
    )
    public static let stopTimeoutSeconds = Setting(
        "limits.stop_timeout_seconds", option: "stop-timeout-seconds",
        help: "Seconds every connection has left once a graceful stop begins.",
        default: .integer(10), field: \.limits.stopTimeoutSeconds, rule: .integer(in: 1...600)
    )
    public static let submissionsPerMinute = Setting(
        "limits.submissions_per_minute", option: "submissions-per-minute",
        help: "Submissions one peer uid may make per minute, in bursts of up to as many; more get 429.",
        default: .integer(60), field: \.limits.submissionsPerMinute, rule: .integer(in: 1...1_000_000)
    )
    public static let checkpointIntervalSeconds = Setting(
        "limits.checkpoint_interval_seconds", option: "checkpoint-interval-seconds",
        help: "How often, in seconds, to look whether the received period is over, to sign it and log its counts.",
        default: .integer(60), field: \.limits.checkpointIntervalSeconds, rule: .integer(in: 1...60)
    )
    public static let maxFileBytes = Setting(
        "limits.max_file_bytes", option: "max-file-bytes",
        help: "The largest upload (an evidence file's stored bytes); larger gets 413 before anything is stored.",
        default: .integer(4_294_967_296), field: \.limits.maxFileBytes, rule: .integer(in: 1...1_099_511_627_776)
    )
    public static let minFreeBytes = Setting(
        "limits.min_free_bytes", option: "min-free-bytes",
        help: "Free bytes that must remain on the attachments' file system beyond a new upload; else 507.",
        default: .integer(268_435_456), field: \.limits.minFreeBytes, rule: .integer(in: 0...1_099_511_627_776)
    )
    public static let maxUploadsPerPeer = Setting(
        "limits.max_uploads_per_peer", option: "max-uploads-per-peer",
        help: "Uploads one peer uid may hold at once, until they are bound to a record or removed; more get 429.",
        default: .integer(16), field: \.limits.maxUploadsPerPeer, rule: .integer(in: 1...4096)
    )
    public static let uploadExpirySeconds = Setting(
        "limits.upload_expiry_seconds", option: "upload-expiry-seconds",
        help: "Seconds without a byte after which an upload not bound to a record is removed, row and file.",
        default: .integer(86_400), field: \.limits.uploadExpirySeconds, rule: .integer(in: 1...2_592_000)
    )
    public static let uploadSyncBytes = Setting(
        "limits.upload_sync_bytes", option: "upload-sync-bytes",
        help: "Bytes after which an append, and its end, fsyncs its file and records its durable offset.",
        default: .integer(67_108_864), field: \.limits.uploadSyncBytes, rule: .integer(in: 65_536...1_073_741_824)
    )
    public static let uploadStallTimeoutSeconds = Setting(
        "limits.upload_stall_timeout_seconds", option: "upload-stall-timeout-seconds",
        help: "Seconds an upload's body may go without a byte before its connection is closed.",
        default: .integer(60), field: \.limits.uploadStallTimeoutSeconds, rule: .integer(in: 1...3_600)
    )
    public static let maxAttachmentsPerRecord = Setting(
        "limits.max_attachments_per_record", option: "max-attachments-per-record",
        help: "Evidence files one record may have, with its testimony and added later; more get 413.",
        default: .integer(64), field: \.limits.maxAttachmentsPerRecord, rule: .integer(in: 1...10_000)
    )
    public static let maxRecordBytes = Setting(
        "limits.max_record_bytes", option: "max-record-bytes",
        help: "Stored bytes of all the evidence files of one record together; more get 413.",
        default: .integer(17_179_869_184), field: \.limits.maxRecordBytes,
        rule: .integer(in: 1_048_576...1_125_899_906_842_624)
    )
    public static let draftExpirySeconds = Setting(
        "limits.draft_expiry_seconds", option: "draft-expiry-seconds",
        help: "Seconds after its last save after which a guided intake's encrypted draft is removed.",
        default: .integer(86_400), field: \.limits.draftExpirySeconds, rule: .integer(in: 1...604_800)
    )

    private static let gids: @Sendable ([AccessPolicy.Group], FormCatalog) -> String = { groups, _ in
        "gids " + groups.map { String($0.gid) }.joined(separator: ", ")
    }
}
