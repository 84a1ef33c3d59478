import AmanatTOML
import Foundation

/// The settings an `amanatd.toml` file may hold. Every key is optional here; amanatd merges the file
/// with its options and defaults. Unknown keys are errors, so a typo cannot silently weaken a setting.
public struct ConfigFile: Sendable, Equatable {
    /// `socket`: the socket path to bind when systemd passes none.
    public var socket: String?
    /// `socket_mode`: octal mode of a socket amanatd binds itself.
    public var socketMode: String?
    /// `database`: the SQLite file.
    public var database: String?
    /// `forms`: the directory of form files.
    public var forms: String?
    /// `recipients`: public keys for both sealed sections.
    public var recipients: [String]?
    /// `identity_recipients`: further public keys for the identity section only.
    public var identityRecipients: [String]?
    /// `testimony_recipients`: further public keys for the testimony section only.
    public var testimonyRecipients: [String]?
    /// `submitter_groups`: groups whose members may read forms and submit.
    public var submitterGroups: [String]?
    /// `admin_groups`: groups whose members may also use admin endpoints.
    public var adminGroups: [String]?
    /// `allow_root`: whether amanatd may run as root.
    public var allowRoot: Bool?
    /// `received_precision`: month, day or hour.
    public var receivedPrecision: String?
    /// `log_level`: the lowest level logged.
    public var logLevel: String?
    /// `limits.max_header_bytes`.
    public var maxHeaderBytes: Int?
    /// `limits.max_body_bytes`.
    public var maxBodyBytes: Int?
    /// `limits.max_admin_body_bytes`.
    public var maxAdminBodyBytes: Int?
    /// `limits.max_json_depth`.
    public var maxJSONDepth: Int?
    /// `limits.max_connections`.
    public var maxConnections: Int?
    /// `limits.idle_timeout_seconds`.
    public var idleTimeoutSeconds: Int?
    /// `limits.request_timeout_seconds`.
    public var requestTimeoutSeconds: Int?
    /// `limits.submissions_per_minute`: per peer uid.
    public var submissionsPerMinute: Int?
    /// `limits.checkpoint_interval_seconds`: the longest a ledger entry stays unsigned.
    public var checkpointIntervalSeconds: Int?

    /// No settings.
    public init() {}

    /// Reads the file at `path`.
    public static func load(path: String) throws(ConfigError) -> ConfigFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("cannot read config file \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ConfigError("\(path): not valid UTF-8") }
        do {
            return try ConfigFile(toml: text)
        } catch {
            throw ConfigError("\(path): \(error.description)")
        }
    }

    /// Parses config text.
    public init(toml text: String) throws(ConfigError) {
        do {
            let table = try TOMLParser.parse(text)
            var reader = TOMLTableReader(table, path: "")
            socket = try reader.optionalString("socket")
            socketMode = try reader.optionalString("socket_mode")
            database = try reader.optionalString("database")
            forms = try reader.optionalString("forms")
            recipients = try reader.optionalStringArray("recipients")
            identityRecipients = try reader.optionalStringArray("identity_recipients")
            testimonyRecipients = try reader.optionalStringArray("testimony_recipients")
            submitterGroups = try reader.optionalStringArray("submitter_groups")
            adminGroups = try reader.optionalStringArray("admin_groups")
            allowRoot = try reader.optionalBool("allow_root")
            receivedPrecision = try reader.optionalString("received_precision")
            logLevel = try reader.optionalString("log_level")
            if let limitsTable = try reader.optionalTable("limits") {
                var limits = TOMLTableReader(limitsTable, path: "limits")
                maxHeaderBytes = try limits.optionalInteger("max_header_bytes").map(Int.init)
                maxBodyBytes = try limits.optionalInteger("max_body_bytes").map(Int.init)
                maxJSONDepth = try limits.optionalInteger("max_json_depth").map(Int.init)
                maxAdminBodyBytes = try limits.optionalInteger("max_admin_body_bytes").map(Int.init)
                maxConnections = try limits.optionalInteger("max_connections").map(Int.init)
                idleTimeoutSeconds = try limits.optionalInteger("idle_timeout_seconds").map(Int.init)
                requestTimeoutSeconds = try limits.optionalInteger("request_timeout_seconds").map(Int.init)
                submissionsPerMinute = try limits.optionalInteger("submissions_per_minute").map(Int.init)
                checkpointIntervalSeconds = try limits.optionalInteger("checkpoint_interval_seconds").map(Int.init)
                try limits.finish()
            }
            try reader.finish()
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError("\(error)")
        }
    }
}

/// A configuration error: one line, naming the key, never a secret.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message.
    public let description: String

    /// An error with `description`.
    public init(_ description: String) {
        self.description = description
    }
}
