public import Logging
import Glibc
import Synchronization

/// Log lines as `key=value` pairs on stderr, which journald reads. When `JOURNAL_STREAM` is set, each
/// line starts with a syslog priority prefix (`<3>` error … `<7>` debug) so journald keeps the level.
///
/// Callers never put field values, keys or ciphertext into messages or metadata; this handler cannot
/// tell, so that rule is enforced by review and by the marker test.
public struct StderrLogHandler: LogHandler {
    /// Whether to prefix syslog priorities.
    public static let underJournal = getenv("JOURNAL_STREAM") != nil
    private static let lock = Mutex(())

    private let label: String
    /// Log metadata attached to every line.
    public var metadata: Logger.Metadata = [:]
    /// The lowest level written.
    public var logLevel: Logger.Level

    /// A handler for `label` at `level`.
    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = Self.underJournal ? Self.priority(event.level) : ""
        line += "level=\(event.level) msg=\(Self.quote(event.message.description))"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in merged.keys.sorted() {
            line += " \(key)=\(Self.quote("\(merged[key]!)"))"
        }
        line += "\n"
        let bytes = Array(line.utf8)
        // One write(2) per line keeps lines whole; the lock keeps them from interleaving on a pipe.
        Self.lock.withLock { _ in
            _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress!, $0.count) }
        }
    }

    static func priority(_ level: Logger.Level) -> String {
        switch level {
        case .critical: "<2>"
        case .error: "<3>"
        case .warning: "<4>"
        case .notice: "<5>"
        case .info: "<6>"
        case .debug, .trace: "<7>"
        }
    }

    static func quote(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { scalar in
            scalar.value > 0x20 && scalar.value < 0x7F && scalar != "\"" && scalar != "=" && scalar != "\\"
        }
        if plain { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out += scalar.value < 0x20 ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
            }
        }
        return out + "\""
    }
}
