import AmanatSealing
public import AmanatCrypto
import CSodium
import Foundation

/// A passphrase-protected secret key file (docs/FORMAT.md, "Secret key file").
///
/// ```
/// # comment lines, one of them "# public key: amanat-pk-…"
/// AMANAT-SECRET-KEY-1
/// <standard base64 of the 138-byte body>
/// ```
/// Body: magic "AMSK", version 1, KDF id 1 (Argon2id v1.3), opslimit u32, memlimit u64 (bytes), salt (16),
/// public key (32), nonce (24), then the 32-byte secret key under XChaCha20-Poly1305 (48 bytes with the
/// tag). The 90 bytes before the ciphertext are the associated data.
public struct SecretKeyFile: Sendable, Equatable {
    static let marker = "AMANAT-SECRET-KEY-1"
    static let magic: [UInt8] = Array("AMSK".utf8)
    static let version: UInt8 = 1
    static let kdfArgon2id13: UInt8 = 1
    static let bodyLength = 138
    static let headerLength = 90
    static let saltLength = 16

    /// The key's public half, readable without the passphrase.
    public let publicKey: RecipientPublicKey
    /// The Argon2id parameters the file was made with.
    public let parameters: Argon2idParameters
    let salt: [UInt8]
    let nonce: [UInt8]
    let ciphertext: [UInt8]

    var header: [UInt8] {
        var out = Self.magic
        out.append(Self.version)
        out.append(Self.kdfArgon2id13)
        out += withUnsafeBytes(of: parameters.opsLimit.bigEndian, Array.init)
        out += withUnsafeBytes(of: parameters.memLimit.bigEndian, Array.init)
        out += salt
        out += publicKey.bytes
        out += nonce
        return out
    }

    /// Seals `key` under `passphrase`.
    public static func seal(
        _ key: RecipientSecretKey, passphrase: SecretBytes, parameters: Argon2idParameters = .moderate
    ) throws(CryptoError) -> SecretKeyFile {
        // Never write a file that readers must refuse.
        guard parameters.isAcceptable else { throw CryptoError.keyDerivationFailed }
        let salt = randomBytes(saltLength)
        let nonce = randomBytes(XChaCha20Poly1305.nonceLength)
        var file = SecretKeyFile(
            publicKey: key.publicKey, parameters: parameters, salt: salt, nonce: nonce, ciphertext: []
        )
        let wrappingKey = try parameters.deriveKey(passphrase: passphrase, salt: salt)
        let ciphertext = try key.secret.withUnsafeBytes { sk throws(CryptoError) in
            try XChaCha20Poly1305.seal(sk, associatedData: file.header, nonce: nonce, key: wrappingKey)
        }
        file = SecretKeyFile(publicKey: key.publicKey, parameters: parameters, salt: salt, nonce: nonce,
                             ciphertext: ciphertext)
        return file
    }

    init(publicKey: RecipientPublicKey, parameters: Argon2idParameters, salt: [UInt8], nonce: [UInt8],
         ciphertext: [UInt8]) {
        self.publicKey = publicKey
        self.parameters = parameters
        self.salt = salt
        self.nonce = nonce
        self.ciphertext = ciphertext
    }

    /// Decrypts the secret key. A wrong passphrase is ``KeyFileError/Kind/wrongPassphrase``.
    public func unlock(passphrase: SecretBytes) throws(KeyFileError) -> RecipientSecretKey {
        do {
            let wrappingKey = try parameters.deriveKey(passphrase: passphrase, salt: salt)
            let secret: SecretBytes
            do {
                secret = try XChaCha20Poly1305.open(ciphertext, associatedData: header, nonce: nonce, key: wrappingKey)
            } catch {
                // Argon2id output that does not authenticate: a wrong passphrase (or an altered file).
                throw KeyFileError(.wrongPassphrase)
            }
            do {
                return try RecipientSecretKey(secret: secret, publicBytes: publicKey.bytes)
            } catch {
                throw KeyFileError(.corrupt)
            }
        } catch let error as KeyFileError {
            throw error
        } catch {
            throw KeyFileError(.keyDerivation)
        }
    }

    /// The file's text.
    public func encoded() -> String {
        let created = Date()
        var body = header
        body += ciphertext
        let stamp = ISO8601DateFormatter().string(from: created)
        return """
            # amanat secret key file. Keep it offline; it is useless without its passphrase.
            # public key: \(publicKey.text)
            # created: \(stamp)
            \(Self.marker)
            \(Data(body).base64EncodedString())

            """
    }

    /// Parses a key file's text. Comment lines (`#`) and blank lines are skipped; the marker line
    /// and exactly one base64 line must follow. A `# public key:` comment, if present, must agree.
    public init(text: String) throws(KeyFileError) {
        // Lines end in LF only (docs/FORMAT.md); a CR makes the marker or base64 line fail to match.
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        var commentKeys: [Substring] = []
        var index = 0
        while index < lines.count, lines[index].hasPrefix("#") || lines[index].isEmpty {
            if lines[index].hasPrefix("# public key: ") { commentKeys.append(lines[index].dropFirst("# public key: ".count)) }
            index += 1
        }
        guard lines.count - index == 2, lines[index] == Self.marker else { throw KeyFileError(.badFormat) }
        // Only the canonical base64 spelling is accepted, so one key has exactly one file body.
        guard let decoded = Data(base64Encoded: String(lines[index + 1])),
            decoded.base64EncodedString() == lines[index + 1]
        else { throw KeyFileError(.badFormat) }
        let body = [UInt8](decoded)
        guard body.count >= 6, Array(body[0..<4]) == Self.magic else { throw KeyFileError(.badFormat) }
        guard body[4] == Self.version, body[5] == Self.kdfArgon2id13 else { throw KeyFileError(.unsupportedVersion) }
        guard body.count == Self.bodyLength else { throw KeyFileError(.badFormat) }
        let ops = body[6..<10].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let mem = body[10..<18].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let parameters = Argon2idParameters(opsLimit: ops, memLimit: mem)
        guard parameters.isAcceptable else { throw KeyFileError(.unacceptableParameters) }
        guard let publicKey = try? RecipientPublicKey(bytes: Array(body[34..<66])) else {
            throw KeyFileError(.badFormat)
        }
        // Every public key comment must agree: a person reads whichever comes first.
        if commentKeys.contains(where: { $0 != Substring(publicKey.text) }) { throw KeyFileError(.publicKeyMismatch) }
        self.init(
            publicKey: publicKey, parameters: parameters, salt: Array(body[18..<34]), nonce: Array(body[66..<90]),
            ciphertext: Array(body[90..<138])
        )
    }
}
