public import AmanatCrypto
public import AmanatForms

/// The tamper-evident ledger's byte formats (docs/FORMAT.md, "Ledger"). Every stored record, withdrawal
/// and rewrap appends an entry whose hash covers the previous entry's hash, so nothing can be deleted,
/// altered, reordered or injected without breaking the chain or the signed checkpoints over it.
public enum Ledger {
    /// The kinds of entry.
    public enum Kind: UInt8, Sendable, CaseIterable {
        /// A record was stored; the digest covers everything stored about it.
        case record = 1
        /// A record's content was erased at the witness's request; the digest covers what remains.
        case withdrawal = 2
        /// A record's envelopes were replaced; the digest covers the record as it now is.
        case rewrap = 3
        /// A file was attached to a record; the digest covers the attachment's row and its stream's hash.
        case attachment = 4
        /// A text was added to a record; the digest covers the addendum's row.
        case addendum = 5

        /// The name in reports.
        public var name: String {
            switch self {
            case .record: "record"
            case .withdrawal: "withdrawal"
            case .rewrap: "rewrap"
            case .attachment: "attachment"
            case .addendum: "addendum"
            }
        }
    }

    /// The `prev_hash` of entry 1: binds the chain to the site's signing key, so a chain cannot be moved to
    /// another archive.
    public static func genesis(_ signingKey: SigningPublicKey) -> [UInt8] {
        BLAKE2b.hash256(Array("amanat-ledger-genesis-v1".utf8), signingKey.bytes)
    }

    /// The digest of a stored record: everything stored about it.
    public static func recordDigest(
        recordID: RecordID, formID: String, formVersion: Int, received: String, clearJSON: String,
        identityEnvelope: [UInt8], testimonyEnvelope: [UInt8]
    ) -> [UInt8] {
        BLAKE2b.hash256(parts: [
            Array("amanat-record-v1".utf8), recordID.bytes, lengthPrefixed(Array(formID.utf8)),
            bigEndian(UInt64(truncatingIfNeeded: formVersion)), lengthPrefixed(Array(received.utf8)), lengthPrefixed(Array(clearJSON.utf8)),
            lengthPrefixed(identityEnvelope), lengthPrefixed(testimonyEnvelope),
        ])
    }

    /// The digest of a withdrawn record: what the row keeps.
    public static func withdrawnDigest(recordID: RecordID, formID: String, formVersion: Int, received: String) -> [UInt8] {
        BLAKE2b.hash256(parts: [
            Array("amanat-withdrawn-v1".utf8), recordID.bytes, lengthPrefixed(Array(formID.utf8)),
            bigEndian(UInt64(truncatingIfNeeded: formVersion)), lengthPrefixed(Array(received.utf8)),
        ])
    }

    /// The digest of an attachment (FORMAT.md §12.4): its row, and through `ciphertextSHA256` its stored stream,
    /// so that a changed file is found without any key.
    public static func attachmentDigest(
        recordID: RecordID, attachmentID: EvidenceID, position: Int64, sealedTo: Section, envelope: [UInt8],
        storedSize: UInt64, ciphertextSHA256: [UInt8]
    ) -> [UInt8] {
        BLAKE2b.hash256(parts: [
            Array("amanat-attachment-v1".utf8), recordID.bytes, attachmentID.bytes,
            bigEndian(UInt64(truncatingIfNeeded: position)), lengthPrefixed(Array(sealedTo.rawValue.utf8)),
            lengthPrefixed(envelope), bigEndian(storedSize), ciphertextSHA256,
        ])
    }

    /// The digest of an addendum (FORMAT.md §12.4): its row.
    public static func addendumDigest(
        recordID: RecordID, addendumID: EvidenceID, position: Int64, envelope: [UInt8]
    ) -> [UInt8] {
        BLAKE2b.hash256(parts: [
            Array("amanat-addendum-v1".utf8), recordID.bytes, addendumID.bytes,
            bigEndian(UInt64(truncatingIfNeeded: position)), lengthPrefixed(envelope),
        ])
    }

    /// An entry's hash. A `rewrap` entry's hash also covers the key that signed the rewrap file, its `signer`
    /// (FORMAT.md §12.3); an entry without one (any other kind, or a rewrap imported before files were signed)
    /// is hashed without it.
    public static func entryHash(
        seq: Int64, kind: Kind, recordID: RecordID, contentDigest: [UInt8], prevHash: [UInt8],
        signer: SigningPublicKey? = nil
    ) -> [UInt8] {
        BLAKE2b.hash256(parts: [
            Array("amanat-ledger-entry-v1".utf8), bigEndian(UInt64(truncatingIfNeeded: seq)), [kind.rawValue], recordID.bytes,
            contentDigest, prevHash, signer?.bytes ?? [],
        ])
    }

    /// The bytes a rewrap file's signature covers: the file's digest (FORMAT.md §9.1), bound to the signer.
    public static func rewrapMessage(signer: SigningPublicKey, digest: [UInt8]) -> [UInt8] {
        Array("amanat-rewrap-signature-v1".utf8) + signer.bytes + digest
    }

    /// The bytes a checkpoint signature covers.
    public static func checkpointMessage(
        signingKey: SigningPublicKey, ledgerSeq: Int64, headHash: [UInt8], recordCount: Int64
    ) -> [UInt8] {
        Array("amanat-checkpoint-v1".utf8) + signingKey.bytes + bigEndian(UInt64(truncatingIfNeeded: ledgerSeq)) + headHash
            + bigEndian(UInt64(truncatingIfNeeded: recordCount))
    }

    /// The bytes a receipt signature covers.
    public static func receiptMessage(
        signingKey: SigningPublicKey, recordID: RecordID, seq: Int64, entryHash: [UInt8]
    ) -> [UInt8] {
        Array("amanat-receipt-v1".utf8) + signingKey.bytes + recordID.bytes + bigEndian(UInt64(truncatingIfNeeded: seq)) + entryHash
    }

    static func bigEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
    }

    static func lengthPrefixed(_ bytes: [UInt8]) -> [UInt8] {
        let count = UInt32(truncatingIfNeeded: bytes.count)
        return (0..<4).map { UInt8(truncatingIfNeeded: count >> (24 - 8 * $0)) } + bytes
    }
}

/// One ledger entry as stored.
public struct LedgerEntry: Sendable, Equatable {
    /// Its position, from 1 without gaps.
    public var seq: Int64
    /// What happened.
    public var kind: Ledger.Kind
    /// The record it concerns.
    public var recordID: RecordID
    /// The digest of the record's state after the event.
    public var contentDigest: [UInt8]
    /// The previous entry's hash, or the genesis hash for entry 1.
    public var prevHash: [UInt8]
    /// This entry's hash.
    public var entryHash: [UInt8]
    /// For a `rewrap` entry, the key holder's key that signed the rewrap file; nil for other kinds.
    public var signer: SigningPublicKey?

    /// Makes the entry that follows `prevHash`, computing its hash.
    public init(
        seq: Int64, kind: Ledger.Kind, recordID: RecordID, contentDigest: [UInt8], prevHash: [UInt8],
        signer: SigningPublicKey? = nil
    ) {
        self.init(
            seq: seq, kind: kind, recordID: recordID, contentDigest: contentDigest, prevHash: prevHash,
            entryHash: Ledger.entryHash(
                seq: seq, kind: kind, recordID: recordID, contentDigest: contentDigest, prevHash: prevHash, signer: signer
            ),
            signer: signer
        )
    }

    /// An entry as read, with the hash it claims.
    public init(
        seq: Int64, kind: Ledger.Kind, recordID: RecordID, contentDigest: [UInt8], prevHash: [UInt8], entryHash: [UInt8],
        signer: SigningPublicKey? = nil
    ) {
        self.seq = seq
        self.kind = kind
        self.recordID = recordID
        self.contentDigest = contentDigest
        self.prevHash = prevHash
        self.entryHash = entryHash
        self.signer = signer
    }
}

/// A signed statement of the ledger's head: sequence number, head hash and record count.
public struct Checkpoint: Sendable, Equatable {
    /// The last entry it covers.
    public var ledgerSeq: Int64
    /// That entry's hash.
    public var headHash: [UInt8]
    /// The number of record entries up to it.
    public var recordCount: Int64
    /// Ed25519 over ``Ledger/checkpointMessage(signingKey:ledgerSeq:headHash:recordCount:)``.
    public var signature: [UInt8]

    /// A checkpoint as read.
    public init(ledgerSeq: Int64, headHash: [UInt8], recordCount: Int64, signature: [UInt8]) {
        self.ledgerSeq = ledgerSeq
        self.headHash = headHash
        self.recordCount = recordCount
        self.signature = signature
    }

    /// Signs a new checkpoint.
    public init(signing key: some Notary, ledgerSeq: Int64, headHash: [UInt8], recordCount: Int64) {
        let message = Ledger.checkpointMessage(
            signingKey: key.publicKey, ledgerSeq: ledgerSeq, headHash: headHash, recordCount: recordCount
        )
        self.init(ledgerSeq: ledgerSeq, headHash: headHash, recordCount: recordCount, signature: key.sign(message))
    }

    /// Whether the signature is valid under `key`.
    public func isSigned(by key: SigningPublicKey) -> Bool {
        key.isValidSignature(
            signature,
            of: Ledger.checkpointMessage(signingKey: key, ledgerSeq: ledgerSeq, headHash: headHash, recordCount: recordCount)
        )
    }
}
