import AmanatModel
import Foundation

/// The settings an `amanatd.toml` file may hold. Every key is optional here; amanatd merges the file
/// with its options and defaults. Unknown keys are errors, so a typo cannot silently weaken a setting.
public struct ConfigFile: Sendable, Equatable {
    public var socket: String?
    public var socketMode: String?
    public var database: String?
    public var forms: String?
    public var recipients: [String]?
    public var receivedPrecision: String?
    public var logLevel: String?
    public var maxHeaderBytes: Int?
    public var maxBodyBytes: Int?
    public var maxJSONDepth: Int?
    public var maxConnections: Int?
    public var idleTimeoutSeconds: Int?
    public var requestTimeoutSeconds: Int?

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
            receivedPrecision = try reader.optionalString("received_precision")
            logLevel = try reader.optionalString("log_level")
            if let limitsTable = try reader.optionalTable("limits") {
                var limits = TOMLTableReader(limitsTable, path: "limits")
                maxHeaderBytes = try limits.optionalInteger("max_header_bytes").map(Int.init)
                maxBodyBytes = try limits.optionalInteger("max_body_bytes").map(Int.init)
                maxJSONDepth = try limits.optionalInteger("max_json_depth").map(Int.init)
                maxConnections = try limits.optionalInteger("max_connections").map(Int.init)
                idleTimeoutSeconds = try limits.optionalInteger("idle_timeout_seconds").map(Int.init)
                requestTimeoutSeconds = try limits.optionalInteger("request_timeout_seconds").map(Int.init)
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
