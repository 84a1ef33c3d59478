import AmanatCrypto
public import AmanatFormat
public import AmanatForms

/// Opens envelopes with a set of unlocked recipient keys.
public struct KeyRing {
    /// The unlocked keys.
    public let keys: [RecipientSecretKey]

    /// A key ring.
    public init(keys: [RecipientSecretKey]) {
        self.keys = keys
    }

    /// Parses and opens an encoded envelope that must belong to `recordID` and `section`.
    ///
    /// Only keys whose id matches a stanza are tried. Returns the section's canonical JSON, unpadded.
    public func open(_ encoded: [UInt8], section: Section, recordID: RecordID) throws(OpenError) -> [UInt8] {
        try open(encoded, name: Envelope.Name(section), recordID: recordID)
    }

    /// Parses and opens an encoded envelope that must be named `name` and belong to `recordID`: a section, an
    /// attachment's metadata or an addendum. Returns its canonical JSON, unpadded.
    public func open(_ encoded: [UInt8], name: Envelope.Name, recordID: RecordID) throws(OpenError) -> [UInt8] {
        let envelope: Envelope
        do {
            envelope = try Envelope(decoding: encoded)
        } catch {
            throw OpenError(.tampered("\(error)"))
        }
        guard envelope.name == name else { throw OpenError(.tampered("envelope is for another section")) }
        guard envelope.recordID == recordID else { throw OpenError(.tampered("envelope is for another record")) }
        var matched = false
        for stanza in envelope.stanzas {
            for key in keys where key.publicKey.keyID == stanza.keyID {
                matched = true
                guard let dataKey = try? key.openSealedBox(stanza.sealedKey),
                    dataKey.count == XChaCha20Poly1305.keyLength
                else { continue }
                return try decrypt(envelope, dataKey: dataKey)
            }
        }
        throw OpenError(matched ? .tampered("a recipient stanza does not open") : .noMatchingKey)
    }

    private func decrypt(_ envelope: Envelope, dataKey: SecretBytes) throws(OpenError) -> [UInt8] {
        do {
            let padded = try XChaCha20Poly1305.open(
                envelope.ciphertext, associatedData: envelope.header, nonce: envelope.nonce, key: dataKey
            )
            let length = try Padding.unpaddedLength(padded)
            return padded.withUnsafeBytes { Array($0[0..<length]) }
        } catch {
            throw OpenError(.tampered(error.isAuthenticationFailure ? "authentication failed" : "bad padding"))
        }
    }
}

/// Why an envelope did not open.
public struct OpenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The distinct outcomes: nobody's fault, or evidence of tampering.
    public enum Kind: Sendable, Equatable {
        /// No given key is a recipient.
        case noMatchingKey
        /// The envelope is malformed, misplaced, or does not authenticate.
        case tampered(String)

        /// The text for ``noMatchingKey``.
        public static let noMatchingKeyDescription = "not openable with these keys"
    }

    /// What happened.
    public let kind: Kind

    init(_ kind: Kind) {
        self.kind = kind
    }

    public var description: String {
        switch kind {
        case .noMatchingKey: Kind.noMatchingKeyDescription
        case .tampered(let reason): "tampered: \(reason)"
        }
    }
}
