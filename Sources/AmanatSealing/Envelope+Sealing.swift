public import AmanatFormat
public import AmanatForms
public import AmanatCrypto

extension Envelope {
    /// Seals `plaintext` (the section's canonical JSON) for `recipients`, padded to at least `minimumPaddedSize`
    /// (the form's minimum for the section, a padding bucket; 0 for none).
    ///
    /// A fresh 32-byte data key and a fresh nonce are drawn for every envelope. The data key lives in
    /// protected memory and is gone when this returns.
    public static func seal(
        _ plaintext: [UInt8], section: Section, recordID: RecordID, recipients: [RecipientPublicKey],
        minimumPaddedSize: Int = 0
    ) throws(CryptoError) -> Envelope {
        try seal(
            plaintext, name: Name(section), recordID: recordID, recipients: recipients,
            minimumPaddedSize: minimumPaddedSize
        )
    }

    /// Seals `plaintext` (canonical JSON) as an envelope named `name`: a section, an attachment's metadata or an
    /// addendum (FORMAT.md sections 6 and 14), padded to at least `minimumPaddedSize`.
    public static func seal(
        _ plaintext: [UInt8], name: Name, recordID: RecordID, recipients: [RecipientPublicKey],
        minimumPaddedSize: Int = 0
    ) throws(CryptoError) -> Envelope {
        precondition(!recipients.isEmpty && recipients.count <= maximumStanzas, "1...16 recipients")
        let paddedSize = Padding.bucket(forLength: plaintext.count, minimum: minimumPaddedSize)
        // Never write what a reader must refuse.
        guard paddedSize + XChaCha20Poly1305.tagLength <= maximumCiphertextLength else {
            throw CryptoError.invalidLength("plaintext")
        }
        let dataKey = try SecretBytes.random(count: XChaCha20Poly1305.keyLength)
        var stanzas: [Stanza] = []
        stanzas.reserveCapacity(recipients.count)
        for recipient in recipients {
            stanzas.append(Stanza(keyID: recipient.keyID, sealedKey: try SealedBox.seal(dataKey, to: recipient.bytes)))
        }
        var envelope = Envelope(
            name: name, recordID: recordID, stanzas: stanzas,
            nonce: randomBytes(XChaCha20Poly1305.nonceLength), ciphertext: []
        )
        let padded = try Self.pad(plaintext, minimum: minimumPaddedSize)
        let header = envelope.header
        let nonce = envelope.nonce
        envelope.ciphertext = try padded.withUnsafeBytes { bytes throws(CryptoError) in
            try XChaCha20Poly1305.seal(bytes, associatedData: header, nonce: nonce, key: dataKey)
        }
        return envelope
    }

    private static func pad(_ plaintext: [UInt8], minimum: Int) throws(CryptoError) -> SecretBytes {
        var result: Result<SecretBytes, CryptoError> = .failure(CryptoError.invalidLength("plaintext"))
        plaintext.withUnsafeBytes { bytes in
            result = Result { () throws(CryptoError) in try Padding.pad(bytes, minimum: minimum) }
        }
        return try result.get()
    }
}
