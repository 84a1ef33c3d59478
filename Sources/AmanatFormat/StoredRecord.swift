import AmanatForms

/// One testimony as it is stored: clear fields in the open, the two sections sealed. A withdrawn record
/// keeps only its id, form and received date; its clear fields and envelopes are empty.
public struct StoredRecord: Sendable, Equatable {
    /// The random record id.
    public var recordID: RecordID
    /// The form's id.
    public var formID: String
    /// The form's version.
    public var formVersion: Int
    /// The received date, at the configured precision (a day by default), e.g. `2026-11-29`.
    public var received: String
    /// Canonical JSON of the clear fields.
    public var clearJSON: String
    /// The identity envelope, encoded.
    public var identityEnvelope: [UInt8]
    /// The testimony envelope, encoded.
    public var testimonyEnvelope: [UInt8]
    /// Whether the witness withdrew it.
    public var withdrawn: Bool = false
    /// False when the `clear_json` read from a file was not well-formed UTF-8 (docs/FORMAT.md 7.3): `clearJSON` is
    /// then empty and the clear section does not open. Such bytes are never replaced, so that nothing is shown as
    /// the record's content that is not in the file. amanatd never writes them.
    public var clearJSONIsWellFormed = true

    /// A record.
    public init(
        recordID: RecordID, formID: String, formVersion: Int, received: String, clearJSON: String,
        identityEnvelope: [UInt8], testimonyEnvelope: [UInt8]
    ) {
        self.recordID = recordID
        self.formID = formID
        self.formVersion = formVersion
        self.received = received
        self.clearJSON = clearJSON
        self.identityEnvelope = identityEnvelope
        self.testimonyEnvelope = testimonyEnvelope
    }

    /// The bytes of its clear fields and envelopes.
    public var storedBytes: Int {
        clearJSON.utf8.count + identityEnvelope.count + testimonyEnvelope.count
    }

    /// The ledger digest of the record as it stands (docs/FORMAT.md, "Ledger").
    public var digest: [UInt8] {
        withdrawn
            ? Ledger.withdrawnDigest(recordID: recordID, formID: formID, formVersion: formVersion, received: received)
            : Ledger.recordDigest(
                recordID: recordID, formID: formID, formVersion: formVersion, received: received, clearJSON: clearJSON,
                identityEnvelope: identityEnvelope, testimonyEnvelope: testimonyEnvelope
            )
    }
}
