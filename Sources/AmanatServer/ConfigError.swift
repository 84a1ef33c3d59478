/// A configuration error: one line, naming the key, never a secret.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message.
    public let description: String

    /// An error with `description`.
    public init(_ description: String) {
        self.description = description
    }
}
