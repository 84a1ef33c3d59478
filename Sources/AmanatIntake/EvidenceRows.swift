public import AmanatForms
public import AmanatFormat

/// An attachment to store (FORMAT.md section 13): its sealed metadata, and the finished upload that holds its
/// stream. The writer claims the upload in the attachment's transaction and takes the stream's SHA-256 from it.
public struct NewAttachment: Sendable {
    /// Its random id, the one inside its sealed metadata.
    public var attachmentID: EvidenceID
    /// The upload holding its stream: 32 lowercase hex digits.
    public var uploadID: String
    /// Whose recipients its metadata is sealed to.
    public var sealedTo: Section
    /// The `attachment` envelope, encoded.
    public var envelope: [UInt8]
    /// The stream's size in bytes, which the upload's length must equal.
    public var storedSize: UInt64

    /// An attachment to store.
    public init(attachmentID: EvidenceID, uploadID: String, sealedTo: Section, envelope: [UInt8], storedSize: UInt64) {
        self.attachmentID = attachmentID
        self.uploadID = uploadID
        self.sealedTo = sealedTo
        self.envelope = envelope
        self.storedSize = storedSize
    }
}

/// Where an attachment landed: its position among the record's and its ledger entry.
public struct AppendedAttachment: Sendable {
    /// Its id.
    public var attachmentID: EvidenceID
    /// 1 for the record's first attachment, and so on.
    public var position: Int64
    /// The stream's size in bytes.
    public var storedSize: UInt64
    /// Its `attachment` ledger entry.
    public var entry: LedgerEntry

    /// A landing place.
    public init(attachmentID: EvidenceID, position: Int64, storedSize: UInt64, entry: LedgerEntry) {
        self.attachmentID = attachmentID
        self.position = position
        self.storedSize = storedSize
        self.entry = entry
    }
}

/// An addendum to store: its sealed text.
public struct NewAddendum: Sendable {
    /// Its random id, the one inside its envelope.
    public var addendumID: EvidenceID
    /// The `addendum` envelope, encoded.
    public var envelope: [UInt8]

    /// An addendum to store.
    public init(addendumID: EvidenceID, envelope: [UInt8]) {
        self.addendumID = addendumID
        self.envelope = envelope
    }
}

/// Where an addendum landed.
public struct AppendedAddendum: Sendable {
    /// Its id.
    public var addendumID: EvidenceID
    /// 1 for the record's first addendum, and so on.
    public var position: Int64
    /// Its `addendum` ledger entry.
    public var entry: LedgerEntry

    /// A landing place.
    public init(addendumID: EvidenceID, position: Int64, entry: LedgerEntry) {
        self.addendumID = addendumID
        self.position = position
        self.entry = entry
    }
}

/// A record that evidence may be added to, as the writer found it when the witness's token matched.
public struct EvidenceTarget: Sendable {
    /// Its form's id.
    public var formID: String
    /// Its form's version.
    public var formVersion: Int
    /// How many attachments it has.
    public var attachmentCount: Int
    /// The sum of their stored sizes.
    public var attachmentBytes: UInt64

    /// A record's state.
    public init(formID: String, formVersion: Int, attachmentCount: Int, attachmentBytes: UInt64) {
        self.formID = formID
        self.formVersion = formVersion
        self.attachmentCount = attachmentCount
        self.attachmentBytes = attachmentBytes
    }
}

/// How much one record may hold: `max_attachments_per_record` and `max_record_bytes`.
public struct EvidenceLimits: Sendable, Equatable {
    /// The most attachments.
    public var maxAttachments: Int
    /// The most stored bytes of all its attachments together.
    public var maxBytes: UInt64

    /// Limits.
    public init(maxAttachments: Int, maxBytes: UInt64) {
        self.maxAttachments = maxAttachments
        self.maxBytes = maxBytes
    }

    /// Whether a record with `count` attachments of `bytes` stored bytes in all keeps to them.
    public func allow(count: Int, bytes: UInt64) -> Bool {
        count <= maxAttachments && bytes <= maxBytes
    }

    /// `bytes` plus the stored sizes of `attachments`, at most `UInt64.max`: a sum that would overflow is over
    /// any limit anyway.
    public static func total(_ bytes: UInt64, adding sizes: some Sequence<UInt64>) -> UInt64 {
        sizes.reduce(bytes) { sum, size in
            let (added, overflow) = sum.addingReportingOverflow(size)
            return overflow ? .max : added
        }
    }
}
