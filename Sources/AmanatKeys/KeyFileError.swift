/// Why a secret key file could not be written, read or unlocked. Never carries secret material.
public struct KeyFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The distinct failure kinds; the key holder maps them to exit codes.
    public enum Kind: Sendable, Equatable {
        case wrongPassphrase
        case permissionsTooOpen
        case badFormat
        case unsupportedVersion
        case unacceptableParameters
        case publicKeyMismatch
        case corrupt
        case keyDerivation
        case alreadyExists
        case io(String)
    }

    /// What went wrong.
    public let kind: Kind
    /// The file concerned, when known.
    public var path: String?

    init(_ kind: Kind, path: String? = nil) {
        self.kind = kind
        self.path = path
    }

    public var description: String {
        let subject = path ?? "key file"
        return switch kind {
        case .wrongPassphrase: "wrong passphrase for \(subject)"
        case .permissionsTooOpen:
            "\(subject) is readable or writable by group or others; run: chmod 600 \(subject)"
        case .badFormat: "\(subject) is not an amanat secret key file"
        case .unsupportedVersion: "\(subject) has an unsupported version or key derivation"
        case .unacceptableParameters: "\(subject) uses Argon2id parameters outside the accepted range"
        case .publicKeyMismatch: "\(subject): the public key comment does not match the key inside"
        case .corrupt: "\(subject) is corrupt: its secret key does not match its public key"
        case .keyDerivation: "key derivation failed for \(subject) (out of memory?)"
        case .alreadyExists: "\(subject) already exists; key files are never overwritten"
        case .io(let reason): "\(subject): \(reason)"
        }
    }
}
