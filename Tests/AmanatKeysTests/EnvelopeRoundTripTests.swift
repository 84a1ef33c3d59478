import AmanatSealing
import AmanatCrypto
import AmanatKeys
import AmanatFormat
import AmanatForms
import Testing

@Suite struct EnvelopeRoundTripTests {
    private let marker = "MARKER-envelope-7d41"

    private func keys(_ count: Int) throws -> [RecipientSecretKey] {
        try (0..<count).map { _ in try RecipientSecretKey.generate() }
    }

    private func open(
        _ bytes: [UInt8], with keys: [RecipientSecretKey], section: Section, recordID: RecordID
    ) -> Result<[UInt8], OpenError> {
        Result { () throws(OpenError) in try KeyRing(keys: keys).open(bytes, section: section, recordID: recordID) }
    }

    /// Where the first stanza's key id starts: after magic, version, name length, name, record id and count.
    private func firstKeyIDOffset(_ envelope: Envelope) -> Int {
        4 + 1 + 1 + envelope.name.rawValue.utf8.count + RecordID.length + 1
    }

    // MARK: - Round trips

    @Test(arguments: [1, 2, 16])
    func sealThenOpenWithEveryRecipient(_ count: Int) throws {
        let recipients = try keys(count)
        let outsider = try RecipientSecretKey.generate()
        let recordID = RecordID.random()
        let plaintext = Array(#"{"full_name":"Қайрат","narrative":"\#(marker)"}"#.utf8)
        let envelope = try Envelope.seal(
            plaintext, section: .testimony, recordID: recordID, recipients: recipients.map(\.publicKey)
        )
        #expect(envelope.stanzas.count == count)
        #expect(envelope.stanzas.map(\.keyID) == recipients.map(\.publicKey.keyID))
        let bytes = envelope.encoded()
        #expect(try Envelope(decoding: bytes) == envelope)
        for key in recipients {
            #expect(try open(bytes, with: [key], section: .testimony, recordID: recordID).get() == plaintext)
            // A ring also holding a non-recipient still opens it.
            #expect(try open(bytes, with: [outsider, key], section: .testimony, recordID: recordID).get() == plaintext)
        }
        #expect(open(bytes, with: [outsider], section: .testimony, recordID: recordID).failureKind == .noMatchingKey)
        #expect(open(bytes, with: [], section: .testimony, recordID: recordID).failureKind == .noMatchingKey)
    }

    @Test func freshDataKeyAndNonceForEveryEnvelope() throws {
        let key = try RecipientSecretKey.generate()
        let recordID = RecordID.random()
        let plaintext: [UInt8] = Array("{}".utf8)
        let first = try Envelope.seal(plaintext, section: .identity, recordID: recordID, recipients: [key.publicKey])
        let second = try Envelope.seal(plaintext, section: .identity, recordID: recordID, recipients: [key.publicKey])
        #expect(first.nonce != second.nonce)
        #expect(first.stanzas[0].sealedKey != second.stanzas[0].sealedKey)
        #expect(first.ciphertext != second.ciphertext)
    }

    @Test func seventeenStanzasAreRefusedAtDecode() throws {
        let recipients = try keys(17)
        let recordID = RecordID.random()
        let sixteen = try Envelope.seal(
            Array("{}".utf8), section: .identity, recordID: recordID, recipients: recipients.prefix(16).map(\.publicKey)
        )
        var bytes = sixteen.encoded()
        let countOffset = firstKeyIDOffset(sixteen) - 1
        #expect(bytes[countOffset] == 16)
        #expect(
            try open(bytes, with: [recipients[0]], section: .identity, recordID: recordID).get() == Array("{}".utf8)
        )

        // Splice in a 17th stanza that really is for the 17th key.
        let dataKey = try SecretBytes.random(count: 32)
        let extra = recipients[16].publicKey.keyID + (try SealedBox.seal(dataKey, to: recipients[16].publicKey.bytes))
        bytes[countOffset] = 17
        bytes.insert(contentsOf: extra, at: sixteen.header.count)

        do {
            _ = try Envelope(decoding: bytes)
            Issue.record("17 stanzas decoded")
        } catch {
            #expect(error.kind == .badStanzaCount)
            #expect(open(bytes, with: recipients, section: .identity, recordID: recordID).failureKind
                == .tampered("\(error)"))
        }
    }

    // MARK: - Tampering

    /// Flips bits in every 7th byte (and the last). Each altered envelope is refused; only a changed key id
    /// reads as "no matching key", everything else as tampering. No error text echoes the plaintext.
    @Test func everySampledByteFlipIsRefused() throws {
        let key = try RecipientSecretKey.generate()
        let recordID = RecordID.random()
        let plaintext = Array(#"{"full_name":"\#(marker)"}"#.utf8)
        let envelope = try Envelope.seal(plaintext, section: .identity, recordID: recordID, recipients: [key.publicKey])
        let bytes = envelope.encoded()
        #expect(try open(bytes, with: [key], section: .identity, recordID: recordID).get() == plaintext)

        let keyIDStart = firstKeyIDOffset(envelope)
        let keyIDRange = keyIDStart..<(keyIDStart + Envelope.Stanza.keyIDLength)
        var offsets = Array(stride(from: 0, to: bytes.count, by: 7))
        offsets.append(bytes.count - 1)
        #expect(offsets.count > 90)
        var tried = 0
        for offset in offsets {
            for mask: UInt8 in [0x01, 0x80] {
                var altered = bytes
                altered[offset] ^= mask
                let outcome = open(altered, with: [key], section: .identity, recordID: recordID)
                tried += 1
                switch outcome {
                case .success:
                    Issue.record("flipping bit \(mask) of byte \(offset) still opened")
                case .failure(let error):
                    #expect(!error.description.contains(marker))
                    if keyIDRange.contains(offset) {
                        #expect(error.kind == .noMatchingKey, "byte \(offset)")
                    } else if case .tampered = error.kind {
                        // expected
                    } else {
                        Issue.record("byte \(offset): expected tampering, got \(error)")
                    }
                }
            }
        }
        #expect(tried == offsets.count * 2)
    }

    @Test func anEnvelopeMovedToAnotherRecordOrSectionIsRefused() throws {
        let key = try RecipientSecretKey.generate()
        let recordID = RecordID.random()
        let otherRecord = RecordID.random()
        let envelope = try Envelope.seal(
            Array(#"{"narrative":"x"}"#.utf8), section: .testimony, recordID: recordID, recipients: [key.publicKey]
        )
        let bytes = envelope.encoded()

        // Stored under another row: the caller's expectations do not match the header.
        #expect(open(bytes, with: [key], section: .testimony, recordID: otherRecord).failureKind
            == .tampered("envelope is for another record"))
        #expect(open(bytes, with: [key], section: .identity, recordID: recordID).failureKind
            == .tampered("envelope is for another section"))

        // Header rewritten to match the new place: the AEAD refuses it, because the header is associated data.
        var moved = envelope
        moved.recordID = otherRecord
        #expect(open(moved.encoded(), with: [key], section: .testimony, recordID: otherRecord).failureKind
            == .tampered("authentication failed"))
        var renamed = envelope
        renamed.name = .identity
        #expect(open(renamed.encoded(), with: [key], section: .identity, recordID: recordID).failureKind
            == .tampered("authentication failed"))
    }

    /// FORMAT.md 6.2: a writer never produces what rule 7 of 6.3 refuses, or a testimony would be acknowledged
    /// and stored but never opened. The largest padded plaintext a reader accepts is 16 MiB - 64 KiB.
    @Test func sealRefusesWhatDecodingWouldRefuse() throws {
        let key = try RecipientSecretKey.generate()
        let recordID = RecordID.random()
        let largestBucket = Envelope.maximumCiphertextLength - Padding.largeStep
        let largest = [UInt8](repeating: 0x61, count: largestBucket - 1)
        #expect(Padding.bucket(forLength: largest.count) == largestBucket)

        let sealed = try Envelope.seal(largest, section: .testimony, recordID: recordID, recipients: [key.publicKey])
        let bytes = sealed.encoded()
        #expect(try Envelope(decoding: bytes).ciphertext.count == largestBucket + XChaCha20Poly1305.tagLength)
        #expect(try open(bytes, with: [key], section: .testimony, recordID: recordID).get() == largest)

        // One byte more needs the next bucket, whose ciphertext would be over the reader's ceiling.
        #expect(throws: CryptoError.invalidLength("plaintext")) {
            _ = try Envelope.seal(
                largest + [0x61], section: .testimony, recordID: recordID, recipients: [key.publicKey]
            )
        }
    }

    // MARK: - Length hiding

    @Test(arguments: [0, 1, 100, 510, 511, 512, 1000, 1023, 1024, 4095, 65_534, 65_535, 65_536, 70_000, 131_071])
    func thePaddedSizeIsAlwaysABucket(_ length: Int) throws {
        let key = try RecipientSecretKey.generate()
        let recordID = RecordID.random()
        let plaintext = (0..<length).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let envelope = try Envelope.seal(plaintext, section: .identity, recordID: recordID, recipients: [key.publicKey])
        let padded = envelope.ciphertext.count - XChaCha20Poly1305.tagLength
        #expect(Padding.isBucket(padded))
        #expect(padded == Padding.bucket(forLength: length))
        #expect(padded > length)
        #expect(try open(envelope.encoded(), with: [key], section: .identity, recordID: recordID).get() == plaintext)
    }

    @Test func namesOfDifferentLengthsInOneBucketGiveEnvelopesOfOneLength() throws {
        let key = try RecipientSecretKey.generate()
        let recordID = RecordID.random()
        let names = ["Ли", "Қайрат", "Қайрат Мұхаметжанұлы", String(repeating: "Ә", count: 200)]
        var lengths: Set<Int> = []
        for name in names {
            let plaintext = Array(#"{"full_name":"\#(name)"}"#.utf8)
            #expect(plaintext.count < 512)
            lengths.insert(
                try Envelope.seal(plaintext, section: .identity, recordID: recordID, recipients: [key.publicKey])
                    .encoded().count
            )
        }
        #expect(lengths.count == 1)

        // Control: the next bucket up is visibly longer, so the check above can fail.
        let longer = Array(#"{"full_name":"\#(String(repeating: "Ә", count: 300))"}"#.utf8)
        let longerLength = try Envelope.seal(
            longer, section: .identity, recordID: recordID, recipients: [key.publicKey]
        ).encoded().count
        #expect(longerLength == (lengths.first ?? 0) + 512)
    }
}
