public import AmanatCrypto
public import AmanatFormat

/// Port: where the intake core puts records. SQLite's group-commit writer (AmanatStore) fills it today; a
/// PostgreSQL writer for several sites must fill the same one. Every method returns only once its change is
/// durable, and throws ``StoreError`` with a kind the core can answer by (`diskFull`, `closed`,
/// `unknownRecord`, `recordChanged`, and for evidence files `unknownUpload`, `uploadIncomplete`,
/// `invalidAttachment`, `recordTooLarge`; anything else is internal).
///
/// Evidence files (PROTOCOL.md 2.9 to 2.12) reach the writer as finished uploads, named by their upload id and
/// owned by a uid: binding one claims it (its row goes, its stored bytes stay where they are and become the
/// attachment's), in the same transaction as the attachment's row and ledger entry. A refusal changes nothing,
/// so the upload stays for a retry.
public protocol ArchiveWriter: Sendable {
    /// Appends a record, the keyed hash of its withdrawal token, its ledger entry, and one attachment (row and
    /// `attachment` entry, positions 1, 2, …) for each of `attachments`, claiming uploads owned by `uploadOwner`:
    /// all in one transaction, or nothing.
    func append(
        _ record: StoredRecord, withdrawalTokenHash: [UInt8]?, attachments: [NewAttachment], uploadOwner: UInt32?
    ) async throws(StoreError) -> AppendedRecord
    /// Erases a record if `token` is its withdrawal token, its attachments' and addenda's rows with it (their
    /// stored bytes are removed once that is durable). The token's keyed hash stays with the withdrawn record, so
    /// that the same token later gets ``WithdrawalOutcome/alreadyWithdrawn``; a wrong token and an unknown id get
    /// ``WithdrawalOutcome/refused`` alike. Nothing is changed unless the outcome is `withdrawn`.
    func withdraw(_ recordID: RecordID, token: [UInt8]) async throws(StoreError) -> WithdrawalOutcome
    /// What evidence may be added to a record, if `token` is its withdrawal token and it is not withdrawn; nil
    /// otherwise (one answer for a wrong token, an unknown and a withdrawn record). Changes nothing.
    func evidenceTarget(_ recordID: RecordID, token: [UInt8]) async throws(StoreError) -> EvidenceTarget?
    /// Adds attachments to a stored record after its last ones, if `token` is its withdrawal token (checked again,
    /// in the transaction) and the record stays within `limits`; nil, with nothing changed, for a refused token.
    func attach(
        _ attachments: [NewAttachment], to recordID: RecordID, token: [UInt8], uploadOwner: UInt32?,
        limits: EvidenceLimits
    ) async throws(StoreError) -> [AppendedAttachment]?
    /// Adds an addendum to a stored record after its last one, if `token` is its withdrawal token; nil, with
    /// nothing changed, otherwise.
    func addAddendum(_ addendum: NewAddendum, to recordID: RecordID, token: [UInt8]) async throws(StoreError)
        -> AppendedAddendum?
    /// Replaces envelopes, all or none; each record's `rewrap` ledger entry names `signer`, the key that signed the
    /// rewrap file, and is followed by an `attachment` or `addendum` entry for each of its attachments and addenda
    /// as they are now (FORMAT.md section 12.3).
    func replaceEnvelopes(_ replacements: [EnvelopeReplacement], signer: SigningPublicKey) async throws(StoreError)
    /// A consistent snapshot file for the offline machine, with a fresh checkpoint; the caller removes it.
    func exportSnapshot() async throws(StoreError) -> ExportedSnapshot
    /// Lets pending writes finish, signs the head, and closes.
    func close() async
}

extension ArchiveWriter {
    /// Appends a record without attachments.
    public func append(
        _ record: StoredRecord, withdrawalTokenHash: [UInt8]?
    ) async throws(StoreError) -> AppendedRecord {
        try await append(record, withdrawalTokenHash: withdrawalTokenHash, attachments: [], uploadOwner: nil)
    }
}

/// Where a stored record landed: its row and its ledger entry, and its attachments'.
public struct AppendedRecord: Sendable {
    /// The row's sequence number.
    public var recordSeq: Int64
    /// The record's ledger entry.
    public var entry: LedgerEntry
    /// Its attachments, in position order.
    public var attachments: [AppendedAttachment]

    /// A landing place.
    public init(recordSeq: Int64, entry: LedgerEntry, attachments: [AppendedAttachment] = []) {
        self.recordSeq = recordSeq
        self.entry = entry
        self.attachments = attachments
    }
}

/// New envelopes for one record; nil leaves a section as it is. Its attachments' and addenda's new envelopes come
/// with it, so that its ledger entries follow all of its changes.
public struct EnvelopeReplacement: Sendable {
    /// The record.
    public var recordID: RecordID
    /// Its new identity envelope.
    public var identity: [UInt8]?
    /// Its new testimony envelope.
    public var testimony: [UInt8]?
    /// The digest the live row must still have (FORMAT.md §12.4); nil skips the check.
    public var replaces: [UInt8]?
    /// The rewrap file's line that named the record (its header is line 1), for a refusal; nil when no line did
    /// (only its attachments or addenda are replaced).
    public var line: Int?
    /// New envelopes for its attachments and addenda.
    public var evidence: [EvidenceReplacement]

    /// A replacement.
    public init(
        recordID: RecordID, identity: [UInt8]?, testimony: [UInt8]?, replaces: [UInt8]? = nil, line: Int? = nil,
        evidence: [EvidenceReplacement] = []
    ) {
        self.recordID = recordID
        self.identity = identity
        self.testimony = testimony
        self.replaces = replaces
        self.line = line
        self.evidence = evidence
    }
}

/// A snapshot file made by ``ArchiveWriter/exportSnapshot()``.
public struct ExportedSnapshot: Sendable {
    /// Its path. The caller removes it.
    public var path: String
    /// Its size in bytes.
    public var size: Int
    /// The checkpoint over its head.
    public var checkpoint: Checkpoint

    /// A snapshot.
    public init(path: String, size: Int, checkpoint: Checkpoint) {
        self.path = path
        self.size = size
        self.checkpoint = checkpoint
    }
}
