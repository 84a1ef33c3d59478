/// A failure inside a cryptographic operation.
///
/// Failures are never `nil` or a silent `false`: every libsodium return code passes through
/// ``CryptoError/check(_:_:)``. The message never includes key material or plaintext.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Code: Sendable, Equatable {
        case initialisationFailed
        case allocationFailed
        case invalidLength(String)
        case sealFailed
        case encryptionFailed
        case authenticationFailed
        case invalidPadding
        case keyDerivationFailed
        case invalidKey
    }

    package let code: Code

    package init(_ code: Code) {
        self.code = code
    }

    public var description: String {
        switch code {
        case .initialisationFailed: "libsodium could not be initialised"
        case .allocationFailed: "could not allocate protected memory for a secret"
        case .invalidLength(let what): "\(what) has the wrong length"
        case .sealFailed: "sealing to a recipient key failed (is it a valid X25519 public key?)"
        case .encryptionFailed: "encryption failed"
        case .authenticationFailed: "authentication failed: wrong key or altered data"
        case .invalidPadding: "decrypted data has invalid padding"
        case .keyDerivationFailed: "key derivation failed (out of memory?)"
        case .invalidKey: "the key is not valid"
        }
    }

    /// True when data did not authenticate under the given key.
    public var isAuthenticationFailure: Bool { code == .authenticationFailed }

    /// The one checkpoint for libsodium return codes: 0 is success, anything else throws `code`.
    package static func check(_ rc: Int32, _ code: Code) throws(CryptoError) {
        guard rc == 0 else { throw CryptoError(code) }
    }

    /// Errors for the key-handling module, which shares this checkpoint.
    package static let authenticationFailed = CryptoError(.authenticationFailed)
    package static let keyDerivationFailed = CryptoError(.keyDerivationFailed)
    package static let invalidKey = CryptoError(.invalidKey)
    package static func invalidLength(_ what: String) -> CryptoError { CryptoError(.invalidLength(what)) }
}
