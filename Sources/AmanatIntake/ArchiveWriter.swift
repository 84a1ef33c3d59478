public import AmanatCrypto
public import AmanatFormat

/// Port: where the intake core puts records. SQLite's group-commit writer (AmanatStore) fills it today; a
/// PostgreSQL writer for several sites must fill the same one. Every method returns only once its change is
/// durable, and throws ``StoreError`` with a kind the core can answer by (`diskFull`, `closed`,
/// `unknownRecord`, `recordChanged`; anything else is internal).
public protocol ArchiveWriter: Sendable {
    /// Appends a record, the keyed hash of its withdrawal token, and its ledger entry.
    func append(_ record: StoredRecord, withdrawalTokenHash: [UInt8]?) async throws(StoreError) -> AppendedRecord
    /// Erases a record if `token` is its withdrawal token; false, with nothing changed, otherwise.
    func withdraw(_ recordID: RecordID, token: [UInt8]) async throws(StoreError) -> Bool
    /// Replaces envelopes, all or none; each record's `rewrap` ledger entry names `signer`, the key that signed the
    /// rewrap file.
    func replaceEnvelopes(_ replacements: [EnvelopeReplacement], signer: SigningPublicKey) async throws(StoreError)
    /// A consistent snapshot file for the offline machine, with a fresh checkpoint; the caller removes it.
    func exportSnapshot() async throws(StoreError) -> ExportedSnapshot
    /// Lets pending writes finish, signs the head, and closes.
    func close() async
}

/// Where a stored record landed: its row and its ledger entry.
public struct AppendedRecord: Sendable {
    /// The row's sequence number.
    public var recordSeq: Int64
    /// The record's ledger entry.
    public var entry: LedgerEntry

    /// A landing place.
    public init(recordSeq: Int64, entry: LedgerEntry) {
        self.recordSeq = recordSeq
        self.entry = entry
    }
}

/// New envelopes for one record; nil leaves a section as it is.
public struct EnvelopeReplacement: Sendable {
    /// The record.
    public var recordID: RecordID
    /// Its new identity envelope.
    public var identity: [UInt8]?
    /// Its new testimony envelope.
    public var testimony: [UInt8]?
    /// The digest the live row must still have (FORMAT.md §12.4); nil skips the check.
    public var replaces: [UInt8]?

    /// A replacement.
    public init(recordID: RecordID, identity: [UInt8]?, testimony: [UInt8]?, replaces: [UInt8]? = nil) {
        self.recordID = recordID
        self.identity = identity
        self.testimony = testimony
        self.replaces = replaces
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
